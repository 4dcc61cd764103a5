"""Relevance (相关性): vague wording and indicators in the wrong place."""

from __future__ import annotations

import re

from ...common.findings import Severity
from ...filing.values import Text
from . import Hit, rule
from .indicators import placed

VAGUE_TERMS = (
    "长期", "长远", "持续", "逐步", "不断", "进一步", "明显", "显著", "有效", "较好", "良好", "提高", "提升",
    "促进", "加强", "基本", "稳步", "全面", "确保", "力争", "有所", "巩固",
)
_VAGUE = re.compile("|".join(VAGUE_TERMS))
INPUT_MEASURES = ("资金到位率", "到位率", "预算执行率", "执行率", "支付率", "支出进度", "资金使用合规", "专项核算")
_INPUT = re.compile("|".join(INPUT_MEASURES))
_SATISFACTION_NAME = re.compile(r"满意度|满意率|满意程度")


@rule(
    "vague.value",
    Severity.WARNING,
    "指标值用语模糊",
    "“长期”“持续”“明显提升”“有效”“有提升”“进一步”等说法在年底无法判断是否达成。定性指标也要写成可以检验的状态，"
    "例如“通过验收”“达到《XX标准》二级”。（必填量化分组中的文字指标值由 quantified.text 报告为错误。）",
)
def vague_value(filing, form):
    for item in placed(filing, form):
        if item.spec.quantified or item.is_placeholder or not isinstance(item.value, Text):
            continue
        if match := _VAGUE.search(item.indicator.value):
            yield Hit(
                item.indicator.value_position,
                f"“{item.indicator.name}”的指标值“{item.indicator.value}”含模糊用语“{match.group()}”，年底无法评价是否完成",
            )


@rule(
    "misplaced.input-measure",
    Severity.ERROR,
    "把投入或过程指标当作产出、效益",
    "资金到位率、预算执行率、支付率、支出进度等衡量的是钱有没有花出去，属于投入和过程管理，"
    "不能作为产出或效益指标（预算执行率在绩效评价中单独计分）。",
)
def input_measure(filing, form):
    for item in placed(filing, form):
        if item.level_role in ("output", "benefit") and (match := _INPUT.search(item.indicator.name)):
            yield Hit(
                item.indicator.position,
                f"“{item.indicator.name}”（{item.group.name}）是投入或过程指标（{match.group()}），不能作为{item.group.level}",
            )


@rule(
    "misplaced.satisfaction-in-effects",
    Severity.WARNING,
    "满意度指标放在了效益指标下",
    "满意度应放在“满意度指标 → 服务对象满意度指标”下。用满意度代替效益指标是常见问题：效益指标要写项目带来的效果。",
)
def satisfaction_in_effects(filing, form):
    for item in placed(filing, form):
        if item.level_role == "benefit" and item.role != "satisfaction" and _SATISFACTION_NAME.search(item.indicator.name):
            yield Hit(item.indicator.position, f"“{item.indicator.name}”是满意度指标，却放在“{item.group.name}”下")


@rule(
    "name.category",
    Severity.ERROR,
    "三级指标名称是分类名",
    "三级指标要写具体的指标（如“培训人次”），不能照抄一级或二级指标的名称（如“社会效益指标”“社会成本指标”）。",
)
def category_name(filing, form):
    categories = {level.name for level in form.levels} | {g.name for level in form.levels for g in level.groups}
    categories |= {name.removesuffix("指标") for name in categories if name.endswith("指标")}
    for item in placed(filing, form):
        # A satisfaction indicator is named after what it measures: 服务对象满意度 is a fine 三级 name.
        if item.indicator.name.strip() in categories and item.role != "satisfaction":
            yield Hit(item.indicator.position, f"三级指标名称“{item.indicator.name}”是分类名，请写具体的指标")
