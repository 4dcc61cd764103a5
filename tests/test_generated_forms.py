"""Packs without their own templates are printed from their definition: the generated Word template
(generator/render/word_template.py) and the generic templates/preview.html.j2.

Five test packs, modelled on other offices' forms (../shared/forms): merged four columns without
marks or review (ningxia), a line above the grid, two goals, a 绩效标准 column, a text review and a
footer (hunan), a flat scored landscape table with split targets (inner-mongolia), no label column,
成本指标 as a 一级, a field group and dates (gansu), and long-term and annual halves side by side
(wuhan). The expected tables are written out by hand below; the Word file and the HTML page are
each read back and compared with them and with each other.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import shutil
import subprocess
import sys
import zipfile
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from pathlib import Path

import html5lib
import pytest
from conftest import REPO
from docxtpl import DocxTemplate
from lxml import etree

from generator.common.yamlio import load_document
from generator.filing.model import build_filing
from generator.filing.validate import schema_findings
from generator.forms.definition import FormDefinition
from generator.forms.pack import read_pack
from generator.forms.schema import build_schema
from generator.render.layout import form_context
from generator.render.marks import page_context
from generator.render.pages import render_preview
from generator.render.word import DocumentInfo, render_docx
from generator.render.word_template import build_template, generated_template

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {"w": W}
INFO = DocumentInfo("标题", "projects/x.yaml @ 1a2b3c4", datetime(2024, 5, 6, 7, 8, 9, tzinfo=timezone.utc))


# The 88号 taxonomy as the test packs that use all of it write it.
LEVELS_88 = """  levels:
    - name: 产出指标
      groups: [{name: 数量指标, requirement: 必填}, {name: 质量指标, requirement: 必填},
               {name: 时效指标, requirement: 必填}, {name: 成本指标, requirement: 必填}]
    - name: 效益指标
      groups: [{name: 经济效益指标, requirement: 选填}, {name: 社会效益指标, requirement: 选填},
               {name: 生态效益指标, requirement: 选填}, {name: 可持续影响指标, requirement: 选填}]
    - name: 满意度指标
      groups: [{name: 服务对象满意度指标, requirement: 必填}]
"""


@dataclass(frozen=True)
class Case:
    pack: str  # form.yaml
    filing: str
    before: list[str]  # the lines above the grid: attachment, title, year line, the above-grid line
    header: list[list[tuple[str, int, int]]]  # header table: (text, colspan, rowspan) of every cell, row by row
    caption: str
    columns: list[str]  # the indicator table's headings (without the label column)
    label: str | None  # the label column's text, None without one
    rows: list[list[str]]  # the indicator rows as printed: "" where a merged cell covers
    merges: dict[int, tuple[int, int]]  # indicator table column → (restarts, continues) of its vertical merges
    review: list[str] | None  # the review row's two cells
    after: list[str]  # note and footer lines
    landscape: bool = False


NINGXIA = Case(
    pack="""
id: nx-test
name: 自治区本级部门项目支出预算绩效目标表(测试)
title: "自治区本级部门{年度}年项目支出预算绩效目标表"
header:
  - {key: 项目名称}
  - {key: 主管部门, type: code}
  - {key: 实施单位, type: code}
  - {key: 项目属性, type: option, options: [上年延续性项目, 延续性项目]}
  - {key: 项目期, type: period}
funds:
  key: 项目资金
  label: 项目资金(万元)
  unit: 万元
  items:
    - {key: 年度资金总额}
    - {key: 财政拨款, label: "其中:财政拨款"}
    - {key: 其他资金}
  relations: [{rule: 年度资金总额 = 财政拨款 + 其他资金}]
  total: 年度资金总额
  blank_is_zero: true
goals: [{key: 绩效目标, type: long-text}]
layout: [[项目名称], [主管部门, 实施单位], [项目属性, 项目期], funds, [绩效目标]]
indicators:
  key: 绩效指标
  label: 绩效指标
  columns:
    - {label: 一级指标, show: level}
    - {label: 二级指标, show: group}
    - {label: 三级指标, show: name}
    - {label: 指标值, show: value}
  order: as-filed
  empty_groups: omit
""" + LEVELS_88,
    filing="""
表样: nx-test
年度: 2025
项目名称: 自治区示范项目经费
主管部门: "[101]自治区示范厅"
实施单位: "【101001】自治区示范中心"
项目属性: 延续性项目
项目期: 2025-2027
项目资金:
  年度资金总额: 80
  财政拨款: 80
  其他资金: ""
绩效目标: 建成示范点3个，培训基层人员300人次。
绩效指标:
  产出指标:
    成本指标:
      示范点建设成本: ≤80万元
    数量指标:
      示范点个数: 3个
      培训场次: ≥6场
  满意度指标:
    服务对象满意度指标:
      群众满意度: 88%以上
  效益指标:
    社会效益指标:
      带动就业人数: ≥50人
""",
    before=["自治区本级部门2025年项目支出预算绩效目标表"],
    header=[
        [("项目名称", 1, 1), ("自治区示范项目经费", 12, 1)],
        [("主管部门", 1, 1), ("[101]自治区示范厅", 5, 1), ("实施单位", 3, 1), ("【101001】自治区示范中心", 4, 1)],
        [("项目属性", 1, 1), ("延续性项目", 5, 1), ("项目期", 3, 1), ("2025-2027", 4, 1)],
        [("项目资金(万元)", 1, 3), ("年度资金总额", 5, 1), ("80", 7, 1)],
        [("其中:财政拨款", 5, 1), ("80", 7, 1)],
        [("其他资金", 5, 1), ("", 7, 1)],
        [("绩效目标", 1, 1), ("建成示范点3个，培训基层人员300人次。", 12, 1)],
    ],
    caption="",
    columns=["一级指标", "二级指标", "三级指标", "指标值"],
    label="绩效指标",
    # As filed: 产出 (成本 before 数量), then 满意度, then 效益; the groups without indicators left out.
    rows=[
        ["产出指标", "成本指标", "示范点建设成本", "≤80万元"],
        ["", "数量指标", "示范点个数", "3个"],
        ["", "", "培训场次", "≥6场"],
        ["满意度指标", "服务对象满意度指标", "群众满意度", "88%以上"],
        ["效益指标", "社会效益指标", "带动就业人数", "≥50人"],
    ],
    merges={0: (1, 4), 1: (1, 2), 2: (1, 1)},  # the label column over the 5 rows; 产出 over 3 rows; 数量 over 2
    review=None,
    after=[],
)

HUNAN = Case(
    pack="""
id: hn-test
name: 项目支出绩效目标申报表(测试)
title: "{年度}年项目支出绩效目标申报表"
above_grid: {left: "填报单位:{预算部门}(盖章)", right: "单位:万元"}
footer: ["填表人:", "联系电话:", "填报日期:", "单位负责人签字:"]
name_field: 项目支出名称
label_width: 26
header:
  - {key: 项目支出名称}
  - {key: 预算部门}
  - {key: 项目支出实施期, type: period}
funds:
  key: 项目资金
  label: 资金
  unit: 万元
  items:
    - {key: 年度本级预算金额, label: "年度本级\\n预算金额"}
    - {key: 该项目支出上级资金}
  rows: [[年度本级预算金额, 该项目支出上级资金]]
  total: 年度本级预算金额 + 该项目支出上级资金
goals:
  - {key: 实施期绩效目标, type: long-text}
  - {key: 本年度绩效目标, type: long-text, annual: true}
layout: [[项目支出名称, 预算部门], funds, [项目支出实施期], [实施期绩效目标], [本年度绩效目标]]
indicators:
  key: 绩效指标
  label: "本年度\\n绩效指标"
  columns:
    - {label: 一级指标, show: level}
    - {label: 二级指标, show: group}
    - {label: 三级指标, show: name}
    - {label: 指标值及单位, show: value}
    - {label: 绩效标准, show: 绩效标准}
  details:
    - {key: 绩效标准, options: [计划标准, 行业标准, 历史标准, 其他标准]}
  levels:
    - name: 产出指标
      groups: [{name: 数量指标, requirement: 必填}, {name: 质量指标, requirement: 必填},
               {name: 时效指标, requirement: 必填}, {name: 成本指标, requirement: 必填}]
    - name: 效益指标
      groups: [{name: 经济效益指标, requirement: 选填}, {name: 社会效益指标, requirement: 选填},
               {name: 生态效益指标, requirement: 选填}, {name: 可持续影响指标, requirement: 选填},
               {name: 社会公众或服务对象满意度指标, requirement: 必填, role: satisfaction}]
review: {kind: text, key: 财政部门审核意见}
""",
    filing="""
表样: hn-test
年度: 2023
项目支出名称: 城区道路养护经费
预算部门: 示范市城市管理局
项目支出实施期: 2023.03-2024.02
项目资金:
  年度本级预算金额: 36万
  该项目支出上级资金: 0
实施期绩效目标: 完成城区主干道养护。
本年度绩效目标: "完成城区主干道养护12公里。\\n路面完好率达到95%。"
绩效指标:
  产出指标:
    数量指标:
      养护道路长度: {指标值: 12KM, 绩效标准: 计划标准}
    成本指标:
      养护成本: {指标值: ≤36万, 绩效标准: 其他标准}
  效益指标:
    社会效益指标:
      道路通行状况: {指标值: 达标, 绩效标准: 行业标准}
    社会公众或服务对象满意度指标:
      市民满意度: {指标值: ≥88%, 绩效标准: 计划标准}
财政部门审核意见: 同意纳入项目库。
""",
    before=["2023年项目支出绩效目标申报表", "填报单位:示范市城市管理局(盖章)\t单位:万元"],
    header=[
        [("项目支出名称", 1, 1), ("城区道路养护经费", 5, 1), ("预算部门", 3, 1), ("示范市城市管理局", 4, 1)],
        [("资金", 1, 1), ("年度本级\n预算金额", 3, 1), ("36万", 3, 1), ("该项目支出上级资金", 3, 1), ("0", 3, 1)],
        [("项目支出实施期", 1, 1), ("2023.03-2024.02", 12, 1)],
        [("实施期绩效目标", 1, 1), ("完成城区主干道养护。", 12, 1)],
        [("本年度绩效目标", 1, 1), ("完成城区主干道养护12公里。\n路面完好率达到95%。", 12, 1)],
    ],
    caption="",
    columns=["一级指标", "二级指标", "三级指标", "指标值及单位", "绩效标准"],
    label="本年度\n绩效指标",
    # In the form's order, every group printed, the empty ones as blank rows.
    rows=[
        ["产出指标", "数量指标", "养护道路长度", "12KM", "计划标准"],
        ["", "质量指标", "", "", ""],
        ["", "时效指标", "", "", ""],
        ["", "成本指标", "养护成本", "≤36万", "其他标准"],
        ["效益指标", "经济效益指标", "", "", ""],
        ["", "社会效益指标", "道路通行状况", "达标", "行业标准"],
        ["", "生态效益指标", "", "", ""],
        ["", "可持续影响指标", "", "", ""],
        ["", "社会公众或服务对象满意度指标", "市民满意度", "≥88%", "计划标准"],
    ],
    merges={0: (1, 8), 1: (2, 7)},  # the label column over the 9 rows; 产出 over 4 rows, 效益 over 5
    review=["财政部门审核意见", "同意纳入项目库。"],
    after=["填表人:\t联系电话:\t填报日期:\t单位负责人签字:"],
)

INNER_MONGOLIA = Case(
    pack="""
id: im-test
name: 项目绩效目标表(赋分, 测试)
title: "{项目名称}项目绩效目标表"
year_line: "({年度}年)"
orientation: landscape
header:
  - {key: 项目名称}
  - {key: 项目类别, type: option}
  - {key: 归口科室}
  - {key: 主管部门, type: code}
  - {key: 实施单位, type: code}
funds:
  key: 项目资金
  label: "投入目标\\n(万元)"
  unit: 万元
  headings: [资金来源, 年初安排金额(万元)]
  items:
    - {key: 资金总额}
    - {key: 财政拨款数, label: "其中: 财政拨款数"}
    - {key: 其他资金}
  relations: [{rule: 资金总额 = 财政拨款数 + 其他资金}]
  total: 资金总额
goals: [{key: 年度目标, type: long-text}]
layout: [[项目名称], [项目类别], [归口科室], [主管部门], [实施单位], funds, [年度目标]]
indicators:
  key: 绩效指标
  label: "绩效指标(权重分值{合计}分,其中产出指标权重分值{产出指标}分,效益指标权重分值{效益指标}分,满意度指标权重分值{满意度指标}分)"
  columns:
    - {label: 一级指标, show: level}
    - {label: 二级指标, show: group}
    - {label: 三级指标, show: name}
    - {label: 指标性质, show: 指标性质}
    - {label: 指标方向, show: operator}
    - {label: 目标值, show: number}
    - {label: 计量单位, show: unit}
    - {label: 分值, show: 分值, width: 12}
    - {label: 备注, show: 备注, width: 36}
  merge: none
  empty_groups: omit
  qualitative_mark: 定性
  score: 分值
  details:
    - {key: 指标性质, enum: [正向, 反向]}
    - {key: 分值}
    - {key: 备注}
  levels:
    - name: 产出指标
      groups: [{name: 数量指标, requirement: 必填}, {name: 质量指标, requirement: 必填},
               {name: 时效指标, requirement: 必填}, {name: 成本指标, requirement: 必填, role: cost}]
    - name: 效益指标
      groups: [{name: 社会效益指标, requirement: 选填}]
    - name: 满意度指标
      groups: [{name: 服务对象满意度指标, requirement: 必填}]
""",
    filing="""
表样: im-test
年度: 2021
项目名称: 基层干部培训
项目类别: (31)部门预算项目
归口科室: (01)办公室
主管部门: (101)示范市委组织部(部门)
实施单位: (101001)示范市干部学校
项目资金:
  资金总额: 30
  财政拨款数: 30
  其他资金: 0
年度目标: 目标1:完成培训120人次。目标2:培训合格率达到95%。
绩效指标:
  产出指标:
    数量指标:
      培训人次: {指标性质: 正向, 指标方向: "=", 目标值: "120", 计量单位: 人次, 分值: "20"}
      培训班次: {指标性质: 正向, 指标方向: "=", 目标值: "4", 计量单位: 期, 分值: "10", 备注: 每季度一期}
    成本指标:
      人均培训成本: {指标性质: 反向, 指标方向: "=", 目标值: "0.25", 计量单位: 万元/人, 分值: "20"}
  效益指标:
    社会效益指标:
      干部能力提升: {指标值: ≥90%, 指标性质: 正向, 分值: "30"}
  满意度指标:
    服务对象满意度指标:
      学员满意度: {指标值: 满意, 指标性质: 正向, 分值: "10"}
""",
    before=["基层干部培训项目绩效目标表", "(2021年)"],
    header=[
        [("项目名称", 1, 1), ("基层干部培训", 12, 1)],
        [("项目类别", 1, 1), ("(31)部门预算项目", 12, 1)],
        [("归口科室", 1, 1), ("(01)办公室", 12, 1)],
        [("主管部门", 1, 1), ("(101)示范市委组织部(部门)", 12, 1)],
        [("实施单位", 1, 1), ("(101001)示范市干部学校", 12, 1)],
        [("投入目标\n(万元)", 1, 4), ("资金来源", 5, 1), ("年初安排金额(万元)", 7, 1)],
        [("资金总额", 5, 1), ("30", 7, 1)],
        [("其中: 财政拨款数", 5, 1), ("30", 7, 1)],
        [("其他资金", 5, 1), ("0", 7, 1)],
        [("年度目标", 1, 1), ("目标1:完成培训120人次。目标2:培训合格率达到95%。", 12, 1)],
    ],
    caption="",
    columns=["一级指标", "二级指标", "三级指标", "指标性质", "指标方向", "目标值", "计量单位", "分值", "备注"],
    label="绩效指标(权重分值90分,其中产出指标权重分值50分,效益指标权重分值30分,满意度指标权重分值10分)",
    # Flat: 一级 and 二级 on every row; a target filed whole is split, a text target marked 定性.
    rows=[
        ["产出指标", "数量指标", "培训人次", "正向", "=", "120", "人次", "20", ""],
        ["产出指标", "数量指标", "培训班次", "正向", "=", "4", "期", "10", "每季度一期"],
        ["产出指标", "成本指标", "人均培训成本", "反向", "=", "0.25", "万元/人", "20", ""],
        ["效益指标", "社会效益指标", "干部能力提升", "正向", "≥", "90", "%", "30", ""],
        ["满意度指标", "服务对象满意度指标", "学员满意度", "正向", "定性", "满意", "", "10", ""],
    ],
    merges={0: (1, 4)},  # only the label column, over the 5 rows
    review=None,
    after=[],
    landscape=True,
)

GANSU = Case(
    pack="""
id: gs-test
name: 省级部门预算项目支出绩效目标表(测试)
title: 省级部门预算项目支出绩效目标表
year_line: "({年度}年度)"
name_field: 二级项目名称
label_width: 30
header:
  - {key: 一级项目名称}
  - {key: 二级项目名称}
  - {key: 项目类型, type: option, options: [新增项目, 延续项目]}
  - {key: 主管部门}
  - {key: 项目开始日期, type: date}
  - {key: 项目完成日期, type: date}
  - key: 项目实施计划
    items: [{key: 组织实施单位}, {key: 监督管理单位}, {key: 项目实施单位}]
  - {key: 政策依据}
funds:
  key: 资金情况
  label: 资金情况
  unit: 万元
  items:
    - {key: 项目总投资}
    - {key: 中央补助安排}
    - {key: 省级财政安排}
    - {key: 其他资金}
    - {key: 预算申报数}
  rows: [[项目总投资], [中央补助安排, 省级财政安排, 其他资金], [预算申报数]]
  relations:
    - {rule: 预算申报数 = 中央补助安排 + 省级财政安排 + 其他资金, severity: warning}
    - {rule: 项目总投资 >= 预算申报数}
  total: 预算申报数
goals: [{key: 年度绩效目标, type: long-text}]
layout:
  - [一级项目名称]
  - [二级项目名称]
  - [项目类型, 主管部门]
  - [项目开始日期, 项目完成日期]
  - funds
  - {group: 项目实施计划}
  - [政策依据]
  - [年度绩效目标]
indicators:
  key: 绩效指标
  label: 绩效指标
  label_column: false
  columns:
    - {label: 一级指标, show: level}
    - {label: 二级指标, show: group}
    - {label: 三级指标, show: name}
    - {label: 指标目标值, show: value}
  levels:
    - name: 产出指标
      role: output
      groups: [{name: 数量指标, requirement: 必填}, {name: 质量指标, requirement: 必填}, {name: 时效指标, requirement: 必填}]
    - name: 成本指标
      role: cost
      groups: [{name: 经济成本指标, requirement: 必填, role: cost}, {name: 社会成本指标, requirement: 选填, role: other-cost},
               {name: 生态环境成本指标, requirement: 选填, role: other-cost}]
    - name: 效益指标
      groups: [{name: 经济效益指标, requirement: 选填}, {name: 社会效益指标, requirement: 选填}, {name: 生态效益指标, requirement: 选填}]
    - name: 满意度指标
      groups: [{name: 服务对象满意度, requirement: 必填, role: satisfaction}]
""",
    filing="""
表样: gs-test
年度: 2023
一级项目名称: 乡村振兴专项
二级项目名称: 农村人居环境整治
项目类型: 新增项目
主管部门: 甘肃省示范厅
项目开始日期: 2023-01-01
项目完成日期: 2023-12-31
项目实施计划:
  组织实施单位: 示范厅规划处
  监督管理单位: 示范厅财务处
  项目实施单位: 示范县人民政府
政策依据: 甘政办发〔2022〕1号
资金情况:
  项目总投资: 500万元
  中央补助安排: 200万元
  省级财政安排: 100万元
  其他资金: 0
  预算申报数: 300万元
年度绩效目标: 完成20个村的人居环境整治。
绩效指标:
  产出指标:
    数量指标:
      整治村庄数量: =20个
      改造户厕数量: =2000户
    质量指标:
      验收合格率: =97百分比
    时效指标:
      完成时间: 2023年12月31日前
  成本指标:
    经济成本指标:
      村均整治成本: ≤15万元
    社会成本指标:
      对群众生活的影响: 无明显影响
  效益指标:
    社会效益指标:
      村容村貌改善: 明显改善
  满意度指标:
    服务对象满意度:
      群众满意度: ≥90%
""",
    before=["省级部门预算项目支出绩效目标表", "(2023年度)"],
    header=[
        [("一级项目名称", 1, 1), ("乡村振兴专项", 12, 1)],
        [("二级项目名称", 1, 1), ("农村人居环境整治", 12, 1)],
        [("项目类型", 1, 1), ("新增项目", 5, 1), ("主管部门", 3, 1), ("甘肃省示范厅", 4, 1)],
        [("项目开始日期", 1, 1), ("2023-01-01", 5, 1), ("项目完成日期", 3, 1), ("2023-12-31", 4, 1)],
        [("资金情况", 1, 3), ("项目总投资", 5, 1), ("500万元", 7, 1)],
        [("中央补助安排", 2, 1), ("200万元", 2, 1), ("省级财政安排", 2, 1), ("100万元", 2, 1), ("其他资金", 2, 1), ("0", 2, 1)],
        [("预算申报数", 5, 1), ("300万元", 7, 1)],
        [("项目实施计划", 1, 3), ("组织实施单位", 4, 1), ("示范厅规划处", 8, 1)],
        [("监督管理单位", 4, 1), ("示范厅财务处", 8, 1)],
        [("项目实施单位", 4, 1), ("示范县人民政府", 8, 1)],
        [("政策依据", 1, 1), ("甘政办发〔2022〕1号", 12, 1)],
        [("年度绩效目标", 1, 1), ("完成20个村的人居环境整治。", 12, 1)],
    ],
    caption="",
    columns=["一级指标", "二级指标", "三级指标", "指标目标值"],
    label=None,
    rows=[
        ["产出指标", "数量指标", "整治村庄数量", "=20个"],
        ["", "", "改造户厕数量", "=2000户"],
        ["", "质量指标", "验收合格率", "=97百分比"],
        ["", "时效指标", "完成时间", "2023年12月31日前"],
        ["成本指标", "经济成本指标", "村均整治成本", "≤15万元"],
        ["", "社会成本指标", "对群众生活的影响", "无明显影响"],
        ["", "生态环境成本指标", "", ""],
        ["效益指标", "经济效益指标", "", ""],
        ["", "社会效益指标", "村容村貌改善", "明显改善"],
        ["", "生态效益指标", "", ""],
        ["满意度指标", "服务对象满意度", "群众满意度", "≥90%"],
    ],
    merges={0: (3, 7), 1: (1, 1)},  # 产出 over 4 rows, 成本 and 效益 over 3; 数量 over 2
    review=None,
    after=[],
)

WUHAN = Case(
    pack="""
id: wh-test
name: 项目支出绩效目标表(长期+年度, 测试)
title: 项目支出绩效目标表
year_line: "({年度}年度)"
header:
  - {key: 项目名称}
  - {key: 主管部门及编码, label: "主管部门\\n及编码", type: code}
  - {key: 实施单位}
  - {key: 项目属性, type: option}
  - {key: 项目起止时间, type: period}
funds:
  key: 项目资金
  label: 项目资金
  unit: 万元
  items:
    - {key: 资金总额}
    - {key: 财政拨款, label: "其中:财政拨款"}
    - {key: 其他资金}
    - {key: 当年资金总额, label: "当年资金总额:"}
    - {key: 当年财政拨款, label: "其中:当年财政拨款"}
    - {key: 当年其他资金}
  rows: [[资金总额, 当年资金总额], [财政拨款, 当年财政拨款], [其他资金, 当年其他资金]]
  relations:
    - {rule: 资金总额 = 财政拨款 + 其他资金}
    - {rule: 当年资金总额 = 当年财政拨款 + 当年其他资金}
    - {rule: 当年资金总额 <= 资金总额}
  total: 当年资金总额
  blank_is_zero: true
goals:
  - {key: 中期目标, type: long-text}
  - {key: 年度目标, type: long-text, annual: true}
layout:
  - [项目名称]
  - [主管部门及编码, 实施单位]
  - [项目属性, 项目起止时间]
  - funds
  - {side_by_side: [中期目标, 年度目标], label: 总体目标}
indicators:
  key: 绩效指标
  label: 绩效指标
  label_column: false
  caption: 绩效项目指标表
  long_term: {key: 长期绩效指标}
  columns:
    - {label: 一级指标, show: level}
    - {label: 二级指标(长期), show: group, half: 长期绩效指标}
    - {label: 三级指标(长期), show: name, half: 长期绩效指标}
    - {label: 指标值(长期), show: value, half: 长期绩效指标}
    - {label: 二级指标(年度), show: group}
    - {label: 三级指标(年度), show: name}
    - {label: 指标值(年度), show: value}
  merge: none
  order: as-filed
  empty_groups: omit
""" + LEVELS_88,
    filing="""
表样: wh-test
年度: 2020
项目名称: 校舍修缮工程
主管部门及编码: "[201001]示范区教育局"
实施单位: 示范区第一中学
项目属性: 基础建设、修缮类
项目起止时间: 202001-202212
项目资金:
  资金总额: 100万元
  财政拨款: 100万元
  其他资金: ""
  当年资金总额: 36万元
  当年财政拨款: 36万元
  当年其他资金: ""
中期目标: 三年内完成全部校舍修缮。
年度目标: 完成教学楼修缮1200平方米。
绩效指标:
  产出指标:
    数量指标:
      修缮校舍面积: 1200平方米
      更换课桌椅: 300套
    成本指标:
      修缮成本: ≤36万元
  效益指标:
    可持续影响指标:
      校舍使用年限: ≥20年
长期绩效指标:
  产出指标:
    数量指标:
      修缮校舍总面积: 3600平方米
  满意度指标:
    服务对象满意度指标:
      师生满意度: ≥90%
""",
    before=["项目支出绩效目标表", "(2020年度)"],
    header=[
        [("项目名称", 1, 1), ("校舍修缮工程", 12, 1)],
        [("主管部门\n及编码", 1, 1), ("[201001]示范区教育局", 5, 1), ("实施单位", 3, 1), ("示范区第一中学", 4, 1)],
        [("项目属性", 1, 1), ("基础建设、修缮类", 5, 1), ("项目起止时间", 3, 1), ("202001-202212", 4, 1)],
        [("项目资金", 1, 3), ("资金总额", 3, 1), ("100万元", 3, 1), ("当年资金总额:", 3, 1), ("36万元", 3, 1)],
        [("其中:财政拨款", 3, 1), ("100万元", 3, 1), ("其中:当年财政拨款", 3, 1), ("36万元", 3, 1)],
        [("其他资金", 3, 1), ("", 3, 1), ("当年其他资金", 3, 1), ("", 3, 1)],
        [("总体目标", 1, 2), ("中期目标", 6, 1), ("年度目标", 6, 1)],
        [("三年内完成全部校舍修缮。", 6, 1), ("完成教学楼修缮1200平方米。", 6, 1)],
    ],
    caption="绩效项目指标表",
    columns=["一级指标", "二级指标(长期)", "三级指标(长期)", "指标值(长期)", "二级指标(年度)", "三级指标(年度)", "指标值(年度)"],
    label=None,
    # Each 二级 takes as many rows as its longer half; the 二级 name printed in both halves.
    rows=[
        ["产出指标", "数量指标", "修缮校舍总面积", "3600平方米", "数量指标", "修缮校舍面积", "1200平方米"],
        ["产出指标", "数量指标", "", "", "数量指标", "更换课桌椅", "300套"],
        ["产出指标", "成本指标", "", "", "成本指标", "修缮成本", "≤36万元"],
        ["效益指标", "可持续影响指标", "", "", "可持续影响指标", "校舍使用年限", "≥20年"],
        ["满意度指标", "服务对象满意度指标", "师生满意度", "≥90%", "服务对象满意度指标", "", ""],
    ],
    merges={},
    review=None,
    after=[],
)

CASES = {"ningxia": NINGXIA, "hunan": HUNAN, "inner-mongolia": INNER_MONGOLIA, "gansu": GANSU, "wuhan": WUHAN}


# ----------------------------------------------------------------------------------------------
# Rendering the test packs


@dataclass
class Rendered:
    form: FormDefinition
    context: dict
    docx: bytes
    html: str


def _pack_id(case: Case) -> str:
    return re.search(r"^id: (\S+)$", case.pack, re.M)[1]


@pytest.fixture
def templates(tmp_path) -> Path:
    """A copy of templates/ with the test packs added (none has a template.docx or preview.html.j2)."""
    folder = tmp_path / "templates"
    shutil.copytree(REPO / "templates", folder)
    for case in CASES.values():
        (folder / _pack_id(case)).mkdir()
        (folder / _pack_id(case) / "form.yaml").write_text(case.pack, encoding="utf-8")
    return folder


def render(templates: Path, case: Case) -> Rendered:
    form = read_pack(templates / _pack_id(case) / "form.yaml")
    assert form.word_template is None and form.html_template is None
    document = load_document("x.yaml", case.filing.encode("utf-8"))
    assert schema_findings(document, build_schema({form.id: form})) == []
    filing = build_filing(document, form)
    context = form_context(filing, form)
    page = page_context(context, filing, form, [])
    return Rendered(form, context, render_docx(form, context, INFO), render_preview(form, page, "projects/x.yaml"))


# ----------------------------------------------------------------------------------------------
# Reading the outputs back: every table as rows of (text, colspan, rowspan), covered cells left out


def _docx_text(element) -> str:
    paragraphs = []
    for paragraph in element.iter(f"{{{W}}}p"):
        text = ""
        for node in paragraph.iter(f"{{{W}}}t", f"{{{W}}}br", f"{{{W}}}tab"):
            if node.getparent().tag != f"{{{W}}}r":
                continue  # a tab stop of the paragraph, not a tab in its text
            text += {f"{{{W}}}br": "\n", f"{{{W}}}tab": "\t"}.get(node.tag, node.text or "")
        paragraphs.append(text)
    return "\n".join(paragraphs)


def _open(tc, side: str) -> bool:
    border = tc.find(f"w:tcPr/w:tcBorders/w:{side}", NS)
    return border is not None and border.get(f"{{{W}}}val") in ("nil", "none")


def _docx_table(tbl) -> list[list[tuple[str, int, int]]]:
    """The table as printed: a cell open at the bottom and the cell below it, open at the top, print
    as one cell (the label column: an empty cell in the repeated header row above the merged cell)."""
    raw = []  # per row: [grid column, text, colspan, vMerge]
    for tr in tbl.findall("w:tr", NS):
        column, cells = 0, []
        for tc in tr.findall("w:tc", NS):
            span = tc.find("w:tcPr/w:gridSpan", NS)
            merge = tc.find("w:tcPr/w:vMerge", NS)
            colspan = int(span.get(f"{{{W}}}val")) if span is not None else 1
            state = None if merge is None else merge.get(f"{{{W}}}val", "continue")
            cells.append([column, _docx_text(tc), colspan, state, _open(tc, "top"), _open(tc, "bottom")])
            column += colspan
        raw.append(cells)
    for above, below in zip(raw, raw[1:]):
        for upper in above:
            lower = next((cell for cell in below if cell[0] == upper[0] and cell[2] == upper[2]), None)
            if upper[5] and lower is not None and lower[4]:
                upper[1] = "\n".join(text for text in (upper[1], lower[1]) if text)
                upper[3], lower[1], lower[3] = "restart", "", "continue"
    raw = [[tuple(cell[:4]) for cell in cells] for cells in raw]
    table = []
    for number, cells in enumerate(raw):
        row = []
        for column, text, colspan, state in cells:
            if state == "continue":
                continue
            rowspan = 1
            if state == "restart":
                for below in raw[number + 1:]:
                    if not any(c == column and s == "continue" for c, _, _, s in below):
                        break
                    rowspan += 1
            row.append((text, colspan, rowspan))
        table.append(row)
    return table


def _vmerge_counts(tbl) -> dict[int, tuple[int, int]]:
    """Grid column → (restarts, continues) of the vertical merges in a Word table."""
    counts: dict[int, list[int]] = {}
    for tr in tbl.findall("w:tr", NS):
        column = 0
        for tc in tr.findall("w:tc", NS):
            merge = tc.find("w:tcPr/w:vMerge", NS)
            if merge is not None:
                restart = merge.get(f"{{{W}}}val") == "restart"
                counts.setdefault(column, [0, 0])[0 if restart else 1] += 1
            span = tc.find("w:tcPr/w:gridSpan", NS)
            column += int(span.get(f"{{{W}}}val")) if span is not None else 1
    return {column: tuple(pair) for column, pair in counts.items()}


def _inner_text(element) -> str:
    text = element.text or ""
    for child in element:
        text += ("\n" if child.tag == "br" else _inner_text(child)) + (child.tail or "")
    return text


def _html_table(table) -> list[list[tuple[str, int, int]]]:
    return [
        [(_inner_text(cell), int(cell.get("colspan", 1)), int(cell.get("rowspan", 1))) for cell in tr if cell.tag in ("td", "th")]
        for tr in table.iter("tr")
    ]


def _html_indicators(table) -> list[list[tuple[str, int, int]]]:
    """The indicator table as drawn: the heading row is a thead of its own (repeated on every printed page),
    so the label cell left of it is an empty corner continued without a border by the cell that spans the
    indicator rows; read as the one cell of the Word table."""
    rows = _html_table(table)
    corner = table.find("thead/tr/th")
    if corner is not None and "corner" in (corner.get("class") or "").split():
        label, _, span = rows[1].pop(0)
        rows[0][0] = (label, 1, span + 1)
    return rows


def _expanded(table: list[list[tuple[str, int, int]]]) -> list[list[str]]:
    """The printed grid: each cell's text at its place, "" where a merged cell covers."""
    covered: set[tuple[int, int]] = set()
    grid = []
    for number, row in enumerate(table):
        texts, column = [], 0
        cells = iter(row)
        width = sum(colspan for _, colspan, _ in row) + sum(1 for r, _ in covered if r == number)
        while column < width:
            if (number, column) in covered:
                texts.append("")
                column += 1
                continue
            text, colspan, rowspan = next(cells)
            texts += [text] + [""] * (colspan - 1)
            covered.update((number + down, column + across) for down in range(rowspan) for across in range(colspan))
            column += colspan
        grid.append(texts)
    return grid


def _body(docx: bytes):
    with zipfile.ZipFile(io.BytesIO(docx)) as archive:
        return etree.fromstring(archive.read("word/document.xml")).find("w:body", NS)


# ----------------------------------------------------------------------------------------------
# The tests


@pytest.mark.parametrize("name", list(CASES))
def test_word_file_prints_the_form(templates, name):
    case = CASES[name]
    rendered = render(templates, case)
    body = _body(rendered.docx)
    tables = body.findall("w:tbl", NS)
    assert len(tables) == 2
    header, indicators = tables
    paragraphs = [child for child in body if child.tag == f"{{{W}}}p"]
    # Paragraphs that print nothing (hidden mark, no text): one keeps the tables two tables where no
    # caption stands between them (joined, the second one's header row would not repeat), one ends a
    # document that would otherwise end with a table.
    hidden = [p for p in paragraphs if p.find("w:pPr/w:rPr/w:vanish", NS) is not None]
    assert [_docx_text(p) for p in hidden] == [""] * len(hidden)
    assert [body.index(p) for p in hidden] == (
        ([] if case.caption else [body.index(header) + 1]) + ([] if case.after else [len(body) - 2])
    )
    paragraphs = [p for p in paragraphs if p not in hidden]
    before = [_docx_text(p) for p in paragraphs if body.index(p) < body.index(header)]
    between = [_docx_text(p) for p in paragraphs if body.index(header) < body.index(p) < body.index(indicators)]
    after = [_docx_text(p) for p in paragraphs if body.index(p) > body.index(indicators)]
    assert before == case.before
    assert between == ([case.caption] if case.caption else [])
    assert after == case.after

    assert _docx_table(header) == case.header
    grid = _docx_table(header)
    # every header row fills the label column and the 12 units
    assert [len(row) for row in _expanded(grid)] == [13] * len(grid)

    table = _docx_table(indicators)
    first = 1 if case.label is not None else 0
    widths = len(case.columns) + first
    assert len(indicators.findall("w:tblGrid/w:gridCol", NS)) == widths
    expanded = _expanded(table)
    assert expanded[0] == ([case.label] if case.label is not None else []) + case.columns
    rows = expanded[1:1 + len(case.rows)]
    assert [row[first:] for row in rows] == case.rows
    assert _vmerge_counts(indicators) == case.merges
    if case.review:
        assert table[-1] == [(case.review[0], 1, 1), (case.review[1], widths - 1, 1)]
        assert len(table) == len(case.rows) + 2
    else:
        assert len(table) == len(case.rows) + 1
    # the heading row repeats on every page; no row breaks across pages
    assert indicators.find("w:tr/w:trPr/w:tblHeader", NS) is not None
    assert all(tr.find("w:trPr/w:cantSplit", NS) is not None for tbl in tables for tr in tbl.findall("w:tr", NS))

    size = body.find("w:sectPr/w:pgSz", NS)
    width, height = (int(size.get(f"{{{W}}}{side}")) for side in ("w", "h"))
    assert (width > height) == case.landscape
    assert (size.get(f"{{{W}}}orient") == "landscape") == case.landscape


@pytest.mark.parametrize("name", list(CASES))
def test_html_page_prints_the_same_form(templates, name):
    case = CASES[name]
    rendered = render(templates, case)
    page = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(rendered.html)
    assert page.find(".//meta[@name='jixiao-source']").get("content") == "projects/x.yaml"
    assert _inner_text(page.find(".//h1")) == case.before[0]
    year = page.find(".//p[@class='year']")
    assert (_inner_text(year) if year is not None else None) == next((line for line in case.before if line.startswith("(")), None)
    above = page.find(".//p[@class='above-grid']")
    above_text = "\t".join(_inner_text(span) for span in above) if above is not None else None
    assert above_text == next((line for line in case.before if "\t" in line), None)
    caption = page.find(".//p[@class='caption']")
    assert (_inner_text(caption) if caption is not None else "") == case.caption
    footer = page.find(".//p[@class='footer']")
    assert (["\t".join(_inner_text(span) for span in footer)] if footer is not None else []) == case.after
    assert ("size: A4 landscape" in rendered.html) == case.landscape

    header = page.find(".//table[@class='header']")
    indicators = page.find(".//table[@class='indicators']")
    assert _html_table(header) == case.header
    table = _html_indicators(indicators)
    expanded = _expanded(table)
    first = 1 if case.label is not None else 0
    assert expanded[0] == ([case.label] if case.label is not None else []) + case.columns
    assert [row[first:] for row in expanded[1:1 + len(case.rows)]] == case.rows
    # the same cells, spans and merges as the Word table
    word_header, word_indicators = _body(rendered.docx).findall("w:tbl", NS)
    assert _html_table(header) == _docx_table(word_header)
    assert table == _docx_table(word_indicators)
    assert len(indicators.find("colgroup")) == len(case.columns) + first


def test_widths_of_the_indicator_columns(templates):
    rendered = render(templates, INNER_MONGOLIA)
    indicators = _body(rendered.docx).findall("w:tbl", NS)[1]
    widths = [int(col.get(f"{{{W}}}w")) / 1440 * 25.4 for col in indicators.findall("w:tblGrid/w:gridCol", NS)]
    # landscape text width 247 mm: label column 22, 分值 12, 备注 36, the seven others share the rest
    expected = [22, *[(247 - 22 - 12 - 36) / 7] * 7, 12, 36]
    assert [round(w, 1) for w in widths] == [round(w, 1) for w in expected]
    cols = html5lib.parse(rendered.html, namespaceHTMLElements=False).find(".//table[@class='indicators']/colgroup")
    assert [col.get("style") for col in cols] == ["width:22.0mm", *[None] * 7, "width:12.0mm", "width:36.0mm"]


def test_review_grade_row_with_boxes(templates):
    """A generated form with a grade block prints its options with boxes, the filed grade ticked."""
    pack = NINGXIA.pack.replace("id: nx-test", "id: grade-test") + (
        "review: {kind: grade, key: 综合评定等级, options: [通过, 退回修改], boxes: [□, ■]}\n"
    )
    (templates / "grade-test").mkdir()
    (templates / "grade-test" / "form.yaml").write_text(pack, encoding="utf-8")
    case = replace(NINGXIA, pack=pack, filing=NINGXIA.filing.replace("nx-test", "grade-test") + "综合评定等级: 通过\n")
    rendered = render(templates, case)
    last = _docx_table(_body(rendered.docx).findall("w:tbl", NS)[1])[-1]
    assert last == [("综合评定等级", 1, 1), ("通过 ■    退回修改 □", 4, 1)]
    page = html5lib.parse(rendered.html, namespaceHTMLElements=False)
    assert _html_table(page.find(".//table[@class='indicators']"))[-1] == [("综合评定等级", 1, 1), ("通过 ■\u2003退回修改 □", 4, 1)]


def test_generated_template_uses_only_names_of_the_context(templates):
    for case in CASES.values():
        rendered = render(templates, case)
        needed = DocxTemplate(io.BytesIO(generated_template(rendered.form))).get_undeclared_template_variables()
        assert needed <= set(rendered.context), needed - set(rendered.context)


def test_same_bytes_every_time(templates, tmp_path):
    for case in CASES.values():
        first = render(templates, case)
        assert build_template(first.form) == generated_template(first.form)
        again = render(templates, case)
        assert (again.docx, again.html) == (first.docx, first.html)
    # and in a fresh process, where nothing is cached
    script = (
        "import hashlib, sys; from pathlib import Path; from generator.forms.pack import read_pack; "
        "from generator.render.word_template import generated_template; "
        "print(hashlib.sha256(generated_template(read_pack(Path(sys.argv[1])))).hexdigest())"
    )
    form_file = templates / _pack_id(HUNAN) / "form.yaml"
    environment = {**os.environ, "JIXIAO_CACHE_DIR": str(tmp_path / "cache")}
    digests = {
        subprocess.run([sys.executable, "-c", script, str(form_file)], capture_output=True, text=True, check=True, cwd=REPO, env=environment).stdout
        for _ in range(2)
    }
    assert digests == {hashlib.sha256(build_template(read_pack(form_file))).hexdigest() + "\n"}


def test_pdf_of_a_generated_form(templates, tmp_path):
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed; the PDF of a generated form cannot be checked")
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    rendered = render(templates, INNER_MONGOLIA)
    docx = tmp_path / "form.docx"
    docx.write_bytes(rendered.docx)
    subprocess.run(
        [soffice, f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}", "--headless", "--norestore",
         "--convert-to", "pdf", "--outdir", str(tmp_path / "pdf"), str(docx)],
        capture_output=True, timeout=180, check=False,
        env={**os.environ, "FONTCONFIG_FILE": str(REPO / "templates" / "fonts.conf"), "HOME": str(tmp_path)},
    )
    pdf = tmp_path / "pdf" / "form.pdf"
    assert pdf.is_file() and pdf.read_bytes().startswith(b"%PDF")
    text = re.sub(r"\s+", "", subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout)
    for expected in ("基层干部培训项目绩效目标表", "(101001)示范市干部学校", "万元/人", "每季度一期"):
        assert expected in text
    if shutil.which("pdfinfo"):
        info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
        assert re.search(r"Page size:\s+841(\.\d+)? x 595(\.\d+)? pts", info)
