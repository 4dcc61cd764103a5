"""`jixiao fmt` on filings with year-end results (the `自评` section): the key order of the 自评 pack in use,
unknown keys left in place and reported."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import REPO, invoke

from generator.common.yamlio import dump_text, load_document, make_yaml, plain_data
from generator.filing.modeline import MODELINE_PREFIX
from generator.forms.pack import load_forms
from generator.history.fmt import format_text

MODELINE = MODELINE_PREFIX + "../../schema.json"
FORMS = load_forms()
EXAMPLES = {  # the shipped filings with results, by the 自评 pack they are scored with
    "selfeval-2020": REPO / "templates" / "selfeval-2020" / "example-with-results.yaml",
    "selfeval-local-2022": REPO / "templates" / "selfeval-local-2022" / "example-with-results.yaml",
}


def fmt(text: str) -> str:
    return format_text("x.yaml", text, MODELINE, FORMS)


@pytest.fixture
def filings(tmp_path, monkeypatch) -> Path:
    """A filings folder with schema.json and both examples in their years' folders."""
    shutil.copy(REPO / "schema.json", tmp_path / "schema.json")
    for path in EXAMPLES.values():
        year = plain_data(load_document(path.name, path.read_bytes()).data)["年度"]
        (tmp_path / "projects" / year).mkdir(parents=True, exist_ok=True)
        shutil.copy(path, tmp_path / "projects" / year / f"{path.parent.name}.yaml")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_the_examples_with_results_are_canonical(filings, capsys):
    code, out, err = invoke(capsys, "fmt", "--check")
    assert (code, out) == (0, ""), err
    assert "fmt.unknown-key" not in err and "0 个文件需要格式化，0 个文件无法格式化" in err
    for path in EXAMPLES.values():
        text = path.read_text(encoding="utf-8")
        assert fmt(text) == text


def _reversed(node) -> None:
    """Every mapping under `node` (and `node`) in reverse order."""
    if isinstance(node, dict):
        for key in reversed(list(node)):
            node.move_to_end(key)
        for value in node.values():
            _reversed(value)


@pytest.mark.parametrize("pack", EXAMPLES)
def test_a_reversed_results_section_is_put_back_byte_for_byte(pack):
    text = EXAMPLES[pack].read_text(encoding="utf-8")
    yaml = make_yaml()
    data = load_document("x.yaml", text.encode("utf-8"), yaml).data
    _reversed(data["自评"])
    data.move_to_end("自评", last=False)  # the section above the form's keys
    messy = dump_text(data, yaml)
    assert messy != text and messy.index("自评:") < messy.index("表样:")
    assert fmt(messy) == text


TARGETS = """\
# yaml-language-server: $schema=../../schema.json
表样: hunan-2023
年度: 2023
填报单位: 长沙市数据资源管理局
项目支出名称: 平台运维
预算部门: 长沙市数据资源管理局
项目资金:
  年度本级预算金额: 36
  该项目支出上级资金: 0
项目支出实施期: 2023年
实施期绩效目标: 完成运维
本年度绩效目标: 完成运维
绩效指标:
  产出指标:
    数量指标:
      新接入部门数量:
        指标值: 12个
      接口数量:
        指标值: 30个
  效益指标:
    可持续影响指标:
      平台运维管理制度:
        指标值: 建立制度
财政部门审核意见: ""
"""

CANONICAL_RESULTS = """\
自评:
  表样: selfeval-local-2022
  项目类别: 信息化建设类
  填报日期: 2024年1月20日
  项目资金:
    年度本级预算金额: {年初预算数: 36, 全年预算数: 36, 全年执行数: 34.2}
    该项目支出上级资金:
      年初预算数: 0
      全年预算数: 0
      全年执行数: 0
  实际完成情况: 完成运维
  绩效指标:
    产出指标:
      数量指标:
        新接入部门数量: 13个
        # 接口数量写在这里
        接口数量:
          实际完成值: 28个
          分值: 10
          得分: 9.33   # 行尾注释
          偏差原因分析及改进措施: 两个接口延后
    效益指标:
      可持续影响指标:
        平台运维管理制度:
          实际完成值: 已印发
          评价档次: 部分达成年度指标并具有一定效果
          得分: 10
          偏差原因分析及改进措施: '操作规程尚在起草'
  总分: 92.5
"""

SHUFFLED_RESULTS = """\
自评:
  总分: 92.5
  绩效指标:
    效益指标:
      可持续影响指标:
        平台运维管理制度:
          偏差原因分析及改进措施: '操作规程尚在起草'
          得分: 10
          实际完成值: 已印发
          评价档次: 部分达成年度指标并具有一定效果
    产出指标:
      数量指标:
        # 接口数量写在这里
        接口数量:
          偏差原因分析及改进措施: 两个接口延后
          得分: 9.33   # 行尾注释
          分值: 10
          实际完成值: 28个
        新接入部门数量: 13个
  实际完成情况: 完成运维
  项目资金:
    该项目支出上级资金:
      全年执行数: 0
      年初预算数: 0
      全年预算数: 0
    年度本级预算金额: {全年执行数: 34.2, 年初预算数: 36, 全年预算数: 36}
  填报日期: 2024年1月20日
  项目类别: 信息化建设类
  表样: selfeval-local-2022
"""


def test_a_shuffled_section_is_put_in_the_packs_order():
    # 三级 in the targets' order; a result mapping by the pack's columns (实际完成值, 分值, 得分, 偏差原因), 评价档次
    # (no column) before 得分; money items in the form's order, amounts in the pack's; a bare value stays bare;
    # the quoted value keeps its quotes in the canonical style only where YAML needs them
    expected = TARGETS + CANONICAL_RESULTS.replace("'操作规程尚在起草'", "操作规程尚在起草")
    assert fmt(TARGETS + SHUFFLED_RESULTS) == expected
    assert fmt(expected) == expected


def test_the_section_between_the_forms_keys_goes_after_them():
    text = TARGETS.replace("财政部门审核意见: \"\"\n", "") + CANONICAL_RESULTS + "财政部门审核意见: \"\"\n"
    assert fmt(text) == fmt(TARGETS + CANONICAL_RESULTS)


def test_unknown_keys_in_the_section_and_in_a_result_stay_and_are_reported(filings, capsys):
    canonical = fmt(TARGETS + CANONICAL_RESULTS)
    with_unknown = (canonical.replace("  实际完成情况: 完成运维\n", "  实际完成情况: 完成运维\n  自评备注: '另附说明'\n")
                    .replace("          分值: 10\n", "          分值: 10\n          说明: 按季度统计\n")
                    .replace("        新接入部门数量: 13个\n", "        新接入部门数量: 13个\n        新接入部门数: 13个\n"))
    # the known keys around them shuffled: fmt sorts those and leaves each unknown key after the key it followed
    messy = (with_unknown.replace("  项目类别: 信息化建设类\n  填报日期: 2024年1月20日\n", "  填报日期: 2024年1月20日\n  项目类别: 信息化建设类\n")
             .replace("          得分: 9.33   # 行尾注释\n", "")
             .replace("          实际完成值: 28个\n", "          得分: 9.33   # 行尾注释\n          实际完成值: 28个\n"))
    assert messy != with_unknown
    assert fmt(messy) == with_unknown
    path = filings / "projects/2023/hunan.yaml"
    path.write_text(messy, encoding="utf-8")

    code, out, err = invoke(capsys, "fmt", "--check", "projects/2023/hunan.yaml")
    assert (code, out) == (1, "需要格式化：projects/2023/hunan.yaml\n")
    assert path.read_text(encoding="utf-8") == messy
    lines = messy.splitlines()
    assert (f"projects/2023/hunan.yaml:{lines.index('  自评备注: ' + chr(39) + '另附说明' + chr(39)) + 1}:3: 警告 "
            "[fmt.unknown-key] “自评”中的“自评备注”不是表样的键") in err
    assert f"hunan.yaml:{lines.index('          说明: 按季度统计') + 1}:11: 警告 [fmt.unknown-key] “接口数量”中的“说明”不是表样的键" in err
    assert (f"hunan.yaml:{lines.index('        新接入部门数: 13个') + 1}:9: 警告 [fmt.unknown-key] “数量指标”中的“新接入部门数”"
            "不是申报的三级指标") in err and "是不是“新接入部门数量”？" in err
    assert "3 个键不是表样中的键（没有移动）" in err

    code, out, err = invoke(capsys, "fmt", "projects/2023/hunan.yaml")
    assert (code, out) == (1, "已格式化：projects/2023/hunan.yaml\n")
    assert path.read_text(encoding="utf-8") == with_unknown  # the unknown keys where they were, typed as they were
    assert "'另附说明'" in with_unknown


def test_a_section_naming_an_unknown_pack_is_left_as_it_is():
    # without a usable 自评 pack nothing inside is known: nothing is sorted (check reports result.pack)
    text = TARGETS + SHUFFLED_RESULTS.replace("表样: selfeval-local-2022", "表样: 不存在")
    formatted = fmt(text)
    assert formatted[formatted.index("自评:"):] == SHUFFLED_RESULTS.replace("表样: selfeval-local-2022", "表样: 不存在").replace(
        "'操作规程尚在起草'", "操作规程尚在起草")


def test_as_filed_forms_keep_the_targets_order_in_the_results():
    # ningxia-2019 prints 一级 and 二级 as filed: the results follow the filing's targets
    form = FORMS["ningxia-2019"]
    assert form.indicators.order == "as-filed"
    output, benefit = form.levels[0], form.levels[1]
    quantity, quality = output.groups[0].name, output.groups[1].name
    social = benefit.groups[1].name
    targets = (f"表样: ningxia-2019\n年度: 2024\n绩效指标:\n  {benefit.name}:\n    {social}:\n      群众满意: ≥90%\n"
               f"  {output.name}:\n    {quality}:\n      合格率: 100%\n    {quantity}:\n      培训人次: 200人次\n      场次: 4场\n")
    results = (f"自评:\n  绩效指标:\n    {output.name}:\n      {quantity}:\n        场次: 4场\n        培训人次: 210人次\n"
               f"      {quality}:\n        合格率: 100%\n    {benefit.name}:\n      {social}:\n        群众满意: 95%\n")
    expected = (f"自评:\n  绩效指标:\n    {benefit.name}:\n      {social}:\n        群众满意: 95%\n    {output.name}:\n"
                f"      {quality}:\n        合格率: 100%\n      {quantity}:\n        培训人次: 210人次\n        场次: 4场\n")
    formatted = fmt(targets + results)
    assert formatted.endswith(expected), formatted
