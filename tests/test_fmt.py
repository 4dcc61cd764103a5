"""`jixiao fmt`, `jixiao new` and `jixiao rollover`: the canonical style, never a changed value."""

from __future__ import annotations

import io
import json
import random
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import REPO, SEED_DIR, invoke
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap
from ruamel.yaml.scalarstring import (
    DoubleQuotedScalarString,
    FoldedScalarString,
    LiteralScalarString,
    SingleQuotedScalarString,
)

from generator.common.yamlio import load_document, plain_data
from generator.filing.draft import MARKER_LINE
from generator.filing.modeline import MODELINE_PREFIX
from generator.forms.definition import GroupSpec
from generator.forms.pack import load_forms, self_evaluation_for
from generator.history.fmt import format_text, unknown_key_findings
from generator.history.scaffold import next_period

CLEAN = REPO / "templates" / "yinchuan-2024" / "example.yaml"
SEEDS = sorted(SEED_DIR.glob("*.yaml"))
MODELINE = MODELINE_PREFIX + "../../schema.json"
FORMS = load_forms()
FORM = FORMS["yinchuan-2024"]
PACK = self_evaluation_for(FORM)[0]


def load(text: str, name: str = "x.yaml"):
    return plain_data(load_document(name, text.encode("utf-8")).data)


def fmt(text: str, name: str = "x.yaml") -> str:
    return format_text(name, text, MODELINE, FORMS)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def filings(tmp_path, monkeypatch) -> Path:
    """A filings folder: schema.json at the top and the seed in projects/2024."""
    shutil.copy(REPO / "schema.json", tmp_path / "schema.json")
    shutil.copytree(SEED_DIR, tmp_path / "projects" / "2024")
    monkeypatch.chdir(tmp_path)
    return tmp_path


# --- the seed is already canonical -------------------------------------------------------------------

def test_fmt_check_leaves_the_seed_and_the_clean_filing_unchanged(capsys, monkeypatch):
    monkeypatch.chdir(REPO)
    before = {p: p.read_bytes() for p in [*SEEDS, CLEAN]}
    code, out, err = invoke(capsys, "fmt", "--check", "projects/2024", "templates/yinchuan-2024/example.yaml")
    assert code == 0, out + err
    assert out == ""
    assert "0 个文件需要格式化，0 个文件无法格式化" in err
    assert {p: p.read_bytes() for p in before} == before


@pytest.mark.parametrize("path", [*SEEDS, CLEAN], ids=lambda p: p.name)
def test_seed_filings_are_fixed_points(path):
    text = path.read_text(encoding="utf-8")
    assert format_text(path.name, text, "# unused", FORMS) == text


def test_fmt_writes_nothing_when_nothing_changes(filings, capsys):
    before = snapshot(filings)
    code, out, _ = invoke(capsys, "fmt")
    assert code == 0 and out == ""
    assert snapshot(filings) == before


# --- a messy filing ------------------------------------------------------------------------------------

MESSY = """\
# 头部注释：这个文件是手写的
项目名称: '热线运行经费'   # 名称与部门预算一致
年度: '2024'
表样: yinchuan-2024
绩效指标:
  满意度指标:
    服务对象满意度指标:
      来电群众满意度: '≥90%'
  效益指标:
    可持续影响指标:
      热线运行管理制度修订: "2024年6月30日前"
    经济效益指标: {}
    社会效益指标:
      群众诉求解决率: ≥90%
  产出指标:
    成本指标:
      坐席系统运维费: ≤30万元
    数量指标:
      # 三级指标保持原来的顺序
      话务坐席数量: 40个
      受理来电数量: ≥12万件
    时效指标:
      年度运维完成时间: 2024-12-31
      来电转办时限: '1日内'   # 行尾注释
    质量指标:
      来电按时办结率: ≥98%
      '#号开头的指标': '含: 冒号'
      系统运维验收合格率: '  前后有空格 '
项目资金:
  其他资金: '0'
  财政拨款: 30
  年度资金总额: 30
年度总体目标: >-
  全年受理群众来电不少于12万件，
  按时办结率不低于98%。
实施单位: 银川市政务服务热线中心
主管部门及代码:
项目期: "2024年"
项目属性: 延续项目
综合评定等级: ''
"""

MESSY_FORMATTED = """\
# yaml-language-server: $schema=../../schema.json
# 头部注释：这个文件是手写的
表样: yinchuan-2024
年度: 2024
项目名称: 热线运行经费 # 名称与部门预算一致
主管部门及代码: ""
实施单位: 银川市政务服务热线中心
项目属性: 延续项目
项目期: 2024年
项目资金:
  年度资金总额: 30
  财政拨款: 30
  其他资金: 0
年度总体目标: 全年受理群众来电不少于12万件， 按时办结率不低于98%。
绩效指标:
  产出指标:
    数量指标:
      # 三级指标保持原来的顺序
      话务坐席数量: 40个
      受理来电数量: ≥12万件
    质量指标:
      来电按时办结率: ≥98%
      "#号开头的指标": "含: 冒号"
      系统运维验收合格率: "  前后有空格 "
    时效指标:
      年度运维完成时间: 2024-12-31
      来电转办时限: 1日内 # 行尾注释
    成本指标:
      坐席系统运维费: ≤30万元
  效益指标:
    经济效益指标: {}
    社会效益指标:
      群众诉求解决率: ≥90%
    可持续影响指标:
      热线运行管理制度修订: 2024年6月30日前
  满意度指标:
    服务对象满意度指标:
      来电群众满意度: ≥90%
综合评定等级: ""
"""


def _comment_spacing(text: str) -> str:
    """End-of-line comments keep their column; compare them with one space before the #."""
    return re.sub(r"(?<=\S) {2,}#", " #", text)


def test_messy_filing_is_rewritten_in_the_canonical_style(filings, capsys):
    path = filings / "projects" / "2024" / "热线.yaml"
    path.write_text(MESSY, encoding="utf-8")
    code, out, _ = invoke(capsys, "fmt", "--check")
    assert (code, out) == (1, "需要格式化：projects/2024/热线.yaml\n")
    assert path.read_text(encoding="utf-8") == MESSY

    code, out, _ = invoke(capsys, "fmt")
    assert (code, out) == (0, "已格式化：projects/2024/热线.yaml\n")
    formatted = path.read_text(encoding="utf-8")
    assert _comment_spacing(formatted) == MESSY_FORMATTED
    assert load(formatted) == load(MESSY)
    assert invoke(capsys, "fmt", "--check")[0] == 0


def test_messy_filing_key_order_follows_the_form(filings):
    data = load_document("x", fmt(MESSY).encode("utf-8")).data
    assert list(data) == [
        "表样", "年度", "项目名称", "主管部门及代码", "实施单位", "项目属性", "项目期", "项目资金", "年度总体目标",
        "绩效指标", "综合评定等级",
    ]
    assert list(data) == [k for k in FORM.top_level_keys if k in data]
    assert list(data["项目资金"]) == [item.key for item in FORM.funds.items]
    indicators = data["绩效指标"]
    assert list(indicators) == [level.name for level in FORM.levels]
    for level in FORM.levels:
        assert list(indicators[level.name]) == [g.name for g in level.groups if g.name in indicators[level.name]]
    assert list(indicators["产出指标"]["数量指标"]) == ["话务坐席数量", "受理来电数量"]  # 三级 as filed


# --- a key the form does not know is never moved --------------------------------------------------------

def test_unknown_keys_stay_after_the_key_before_them(filings):
    text = MESSY.replace("表样: yinchuan-2024\n", "表样: yinchuan-2024\n备忘: 内部使用\n")
    text = text.replace("    成本指标:\n", "    其他指标:\n      自定义: 1\n    成本指标:\n")  # first in its mapping
    text = text.replace("实施单位: 银川市政务服务热线中心\n", "实施单位: 银川市政务服务热线中心\n联系人: 张三\n")
    out = fmt(text)
    data = load_document("x", out.encode("utf-8")).data
    keys = list(data)
    assert keys[keys.index("年度") - 1] == "备忘"  # 年度 sorted before it, 备忘 still follows 表样
    assert keys[keys.index("实施单位") + 1] == "联系人"
    assert [k for k in keys if k not in ("备忘", "联系人")] == [k for k in FORM.top_level_keys if k in data]
    assert list(data["绩效指标"]["产出指标"]) == ["其他指标", "数量指标", "质量指标", "时效指标", "成本指标"]
    assert load(out) == load(text)
    assert fmt(out) == out


def _insert_after(text: str, line: str, block: str) -> str:
    assert text.count(line) == 1, line
    return text.replace(line, line + block)


UNKNOWN_BLOCK = """\
# 内部备注：不打印在表上
备忘录: '仅供内部参考'   # 拼写随意
附加信息:
  联系人: "张三"
  说明: |
    第一行
    第二行
"""


def test_an_unknown_block_between_known_keys_is_kept_byte_for_byte(filings):
    clean = CLEAN.read_text(encoding="utf-8")
    expected = _insert_after(clean, "项目属性: 延续项目\n", UNKNOWN_BLOCK)
    # the known keys around it out of order, and styled differently
    messy = expected.replace("实施单位: 银川市政务服务热线中心\n", "").replace("项目期: 2024年\n", "项目期: '2024年'\n实施单位: 银川市政务服务热线中心\n")
    assert messy != expected
    assert fmt(messy) == expected
    assert fmt(expected) == expected


def test_a_misspelt_group_inside_the_indicators_stays_in_place(filings, capsys):
    clean = CLEAN.read_text(encoding="utf-8")
    quality = clean[clean.index("    质量指标:\n"):clean.index("    时效指标:\n")]
    timeliness = clean[clean.index("    时效指标:\n"):clean.index("    成本指标:\n")]
    misspelt = quality.replace("质量指标", "质量指表")
    expected = clean.replace(quality, misspelt)
    # 时效指标 moved above 数量指标: fmt puts it back; 质量指表 stays after 数量指标, the key it followed
    messy = expected.replace(timeliness, "").replace("  产出指标:\n", "  产出指标:\n" + timeliness)
    assert fmt(messy) == expected
    path = filings / "projects/2024/热线.yaml"
    path.write_text(messy, encoding="utf-8")
    warning = "projects/2024/热线.yaml:{}:5: 警告 [fmt.unknown-key] “产出指标”中的“质量指表”不是表样的键"
    code, out, err = invoke(capsys, "fmt", "--check", "projects/2024/热线.yaml")
    assert code == 1 and path.read_text(encoding="utf-8") == messy
    assert warning.format(messy.splitlines().index("    质量指表:") + 1) in err  # where it is in the file as it is
    code, out, err = invoke(capsys, "fmt", "projects/2024/热线.yaml")
    assert (code, out) == (1, "已格式化：projects/2024/热线.yaml\n")
    assert path.read_text(encoding="utf-8") == expected
    assert warning.format(expected.splitlines().index("    质量指表:") + 1) in err  # where it is in the rewritten file
    assert "是不是“质量指标”？" in err
    assert "0 个文件无法格式化，1 个键不是表样中的键（没有移动）" in err


def test_a_misspelt_required_key_is_formatted_reported_and_stops_the_hook(filings, capsys):
    # 项目起至 for 项目期: check reports an unknown key and a missing 项目期; neither changes what the rest means
    path = filings / "projects/2024/督查室工作经费.yaml"
    seed = path.read_text(encoding="utf-8")
    expected = seed.replace("项目期: 2024年\n", "项目起至: '2024年'\n")
    messy = expected.replace("  年度资金总额: 12\n  财政拨款: 12\n", "  财政拨款: 12\n  年度资金总额: 12\n")
    assert messy != expected
    path.write_text(messy, encoding="utf-8")
    line = messy.splitlines().index("项目起至: '2024年'") + 1
    warning = f"projects/2024/督查室工作经费.yaml:{line}:1: 警告 [fmt.unknown-key] 申报表中的“项目起至”不是表样的键"

    code, out, err = invoke(capsys, "fmt", "--check")
    assert (code, out) == (1, "需要格式化：projects/2024/督查室工作经费.yaml\n")
    assert warning in err and "是不是“项目期”？" in err
    assert path.read_text(encoding="utf-8") == messy

    code, out, err = invoke(capsys, "fmt")
    assert (code, out) == (1, "已格式化：projects/2024/督查室工作经费.yaml\n")
    assert path.read_text(encoding="utf-8") == expected
    assert warning in err  # the line is the same in both (only the money items were swapped)

    code, out, err = invoke(capsys, "fmt")  # nothing left to rewrite: the key still stops a commit
    assert (code, out) == (1, "")
    assert warning in err and "0 个文件已格式化，0 个文件无法格式化，1 个键不是表样中的键（没有移动）" in err


def test_an_unknown_key_that_is_another_forms_name_gets_a_hint(filings, capsys):
    path = filings / "projects/2024/督查室工作经费.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("主管部门及代码:", "主管部门:"), encoding="utf-8")
    code, _, err = invoke(capsys, "fmt")
    assert code == 1
    assert "[fmt.unknown-key] 申报表中的“主管部门”不是表样的键" in err and "“主管部门”在本表样中叫“主管部门及代码”" in err


def test_unknown_keys_found_by_the_form_not_by_the_order_it_prints():
    # the 一级 and 二级 of an as-filed form are not sorted; a misspelt one is still reported
    form = FORMS["ningxia-2019"]
    assert form.indicators.order == "as-filed"
    level = form.levels[0]
    text = f"表样: {form.id}\n{form.indicators.key}:\n  {level.name}:\n    {level.groups[0].name}x: {{}}\n  一级x: {{}}\n"
    data = load_document("x.yaml", text.encode("utf-8")).data
    found = [(f.line, f.col, f.rule) for f in unknown_key_findings("x.yaml", data, form)]
    assert found == [(4, 5, "fmt.unknown-key"), (5, 3, "fmt.unknown-key")]


def test_canonical_quoting(filings):
    cases = {
        "'单引号'": "单引号",
        '"双引号"': "双引号",
        "'0'": "0",
        "'no'": "no",
        "'2024-01-01'": "2024-01-01",
        "'≥95%'": "≥95%",
        "''": '""',
        '""': '""',
        "": '""',
        "'a: b'": '"a: b"',
        "'#开头'": '"#开头"',
        "'x #y'": '"x #y"',
        "' 前导空格'": '" 前导空格"',
        "'它''s'": "它's",
        "'{{ name }}'": '"{{ name }}"',
        "'[1, 2]'": '"[1, 2]"',
        "'- 开头是减号空格'": '"- 开头是减号空格"',
        '"第一行\\n第二行"': '"第一行\\n第二行"',
        "|-\n  第一行\n  第二行": '"第一行\\n第二行"',
    }
    for typed, expected in cases.items():
        text = MESSY.replace("项目属性: 延续项目", f"项目属性: {typed}")
        out = fmt(text)
        line = next(line for line in out.splitlines() if line.startswith("项目属性:"))
        assert line == f"项目属性: {expected}", typed
        assert load(out) == load(text), typed
        assert "'" not in line or expected == "它's"


def test_a_modeline_is_kept_and_not_added_twice(filings):
    seed = SEEDS[0].read_text(encoding="utf-8")
    assert fmt(seed).count(MODELINE_PREFIX) == 1
    other = seed.replace(MODELINE, MODELINE_PREFIX + "https://example.org/schema.json")
    assert fmt(other) == other


def test_a_modeline_below_a_comment_is_moved_first_not_duplicated(filings):
    # fmt's style: "the schema modeline first". A file whose modeline sits below a comment must get it
    # moved to the first line — not a second modeline added above the comment.
    seed = SEEDS[0].read_text(encoding="utf-8")
    text = "# 注：2024 年初稿\n" + seed
    out = fmt(text)
    assert out.splitlines()[0] == MODELINE
    assert out.count(MODELINE_PREFIX) == 1
    assert "# 注：2024 年初稿" in out
    assert fmt(out) == out


def test_own_line_comment_stays_with_the_key_below_it_when_keys_are_reordered(filings):
    # A comment on its own line describes the key below it; reordering keys must not leave it
    # above a different key.
    text = MESSY.replace("项目资金:\n", "# 资金来源：市本级财政\n项目资金:\n")
    lines = fmt(text).splitlines()
    assert lines[lines.index("# 资金来源：市本级财政") + 1] == "项目资金:"


def test_comments_are_kept(filings):
    out = fmt(MESSY)
    for comment in ("# 头部注释：这个文件是手写的", "# 名称与部门预算一致", "# 三级指标保持原来的顺序", "# 行尾注释"):
        assert out.count(comment) == 1, comment
    lines = out.splitlines()
    assert lines[lines.index("      # 三级指标保持原来的顺序") + 1] == "      话务坐席数量: 40个"
    assert re.search(r"^项目名称: 热线运行经费 +# 名称与部门预算一致$", out, re.M)
    assert re.search(r"^      来电转办时限: 1日内 +# 行尾注释$", out, re.M)


# --- never a changed value: seeds and random filings ---------------------------------------------------

@pytest.mark.parametrize("path", [*SEEDS, CLEAN], ids=lambda p: p.name)
def test_seed_values_survive_a_messy_round_trip(path):
    text = path.read_text(encoding="utf-8")
    yaml = YAML()  # an ordinary round-trip dump: other quoting and indentation, same values
    yaml.indent(mapping=4, sequence=4, offset=2)
    data = load_document(path.name, text.encode("utf-8")).data
    stream = io.StringIO()
    yaml.dump(data, stream)
    messy = stream.getvalue()
    assert load(fmt(messy)) == load(text)
    assert fmt(messy) == text


POOL = [
    "银川市人民政府办公室", "≥95%", "≤9.8万元", "100%", "2024年", "2024年12月31日前", "10台",
    "a: b", "含: 冒号", "# 不是注释", "值 #后面", "#", ":", "a:b", "key:  value", "中文：全角冒号",
    " 前导空格", "末尾空格 ", "  两端  ", "'单引号'", '"双引号"', "it's", '他说"好"', "a  #b",
    "{{ name }}", "{a: 1}", "[1, 2]", "&anchor", "*alias", "!tag", "%pct", "@at", "`tick", "|pipe", ">95%",
    "- item", "?", "=", "<<", "0", "00", "no", "yes", "off", "null", "~", "true", "1e3", "0x10", "0o7",
    "+1", "-1", ".5", "1_000", "1,000", "2024-01-01", "2024-01-01T00:00:00",
    "第一行\n第二行", "第一行\n\n第三行\n", "末尾换行\n", " 前导\n下一行", "制表\t符", "末尾制表\t",
    "😀 表情", "２０２４年", "１００％", "\u3000全角空格开头", "", " ",
]
KEYS = [k for k in POOL if k and k.strip() == k and "\n" not in k and "\t" not in k]
HEADER_KEYS = ["项目名称", "主管部门及代码", "实施单位", "项目属性", "项目期"]


def _value(r: random.Random) -> str:
    value = r.choice(POOL)
    return value + r.choice(POOL) if r.random() < 0.3 else value


def _styled(r: random.Random, value: str):
    roll = r.random()
    if roll < 0.25:
        return SingleQuotedScalarString(value)
    if roll < 0.5:
        return DoubleQuotedScalarString(value)
    lines = value.split("\n")
    if roll < 0.6 and len(lines) > 1 and not value.startswith(" ") and not any(l.startswith("\u3000") for l in lines):
        return LiteralScalarString(value)
    if roll < 0.65 and value and "\n" not in value and value.strip() == value and "  " not in value:
        return FoldedScalarString(value)
    return value


def _shuffled(r: random.Random, items) -> list:
    items = list(items)
    r.shuffle(items)
    return items


def random_filing(r: random.Random) -> str:
    fields = {"表样": FORM.id, "年度": r.choice(["2024", "2025"])}
    fields.update({key: _value(r) for key in HEADER_KEYS})
    fields["项目资金"] = CommentedMap(
        (key, _styled(r, r.choice(["10", "0", "3.5", "52.5", "abc", ""])))
        for key in _shuffled(r, [i.key for i in FORM.funds.items] + (["自筹资金"] if r.random() < 0.2 else []))
    )
    fields["年度总体目标"] = _value(r)
    indicators = CommentedMap()
    for level in _shuffled(r, FORM.levels):
        groups = CommentedMap()
        for group in _shuffled(r, [*level.groups, *([GroupSpec("其他指标", "选填", "", ())] if r.random() < 0.2 else [])]):
            if r.random() < 0.2:
                continue
            rows = CommentedMap()
            for n in range(r.randint(0, 3)):
                name = r.choice(KEYS) + str(n)
                if r.random() < 0.15:
                    rows[name] = CommentedMap([("指标值", _styled(r, _value(r))), ("备注", _styled(r, _value(r)))])
                else:
                    rows[name] = _styled(r, _value(r))
            groups[group.name] = rows
        indicators[level.name] = groups
    fields["绩效指标"] = indicators
    if r.random() < 0.4:
        fields["自评"] = random_results(r, indicators)
    if r.random() < 0.5:
        fields["综合评定等级"] = _value(r)
    if r.random() < 0.3:
        fields["自定义键"] = _value(r)
    data = CommentedMap()
    for key in _shuffled(r, fields):
        data[key] = _styled(r, fields[key]) if isinstance(fields[key], str) else fields[key]
    yaml = YAML()
    yaml.width = r.choice([80, 4096])
    yaml.indent(mapping=r.choice([2, 4]), sequence=4, offset=2)
    stream = io.StringIO()
    yaml.dump(data, stream)
    lines = []
    for line in stream.getvalue().split("\n"):
        if line and not line.startswith(" ") and r.random() < 0.1:
            lines.append(f"# 注释 {r.randint(0, 999)}")
        lines.append(line)
    if r.random() < 0.5:
        lines.insert(0, MODELINE)
    return "\n".join(lines)


def random_results(r: random.Random, targets: CommentedMap) -> CommentedMap:
    """A 自评 section (selfeval-2020, the pairing of FORM) in random order: results for some of the targets, in
    any order, bare or as mappings; now and then a key the pack does not know or a 三级 that is not a target."""
    keys = PACK.indicators.result_keys
    tree = CommentedMap()
    for level in _shuffled(r, targets):
        groups = CommentedMap()
        for group in _shuffled(r, targets[level]):
            rows = CommentedMap()
            names = [*targets[level][group], *(["未申报指标"] if r.random() < 0.1 else [])]
            for name in _shuffled(r, names):
                if r.random() < 0.5:
                    rows[name] = _styled(r, _value(r))
                else:
                    chosen = [key for key in keys.values() if r.random() < 0.6] + (["结果备注"] if r.random() < 0.1 else [])
                    rows[name] = CommentedMap((key, _styled(r, _value(r))) for key in _shuffled(r, chosen))
            groups[group] = rows
        tree[level] = groups
    money = CommentedMap()
    for item in _shuffled(r, [i.key for i in FORM.funds.items]):
        amounts = [c.key for c in PACK.funds.columns if c.show == "amount"]
        money[item] = CommentedMap((key, r.choice(["10", "9.5", ""])) for key in _shuffled(r, amounts))
        if r.random() < 0.5:
            money[item].fa.set_flow_style()
    section = {"表样": r.choice([PACK.id, ""]), "项目资金": money, "实际完成情况": _value(r), "绩效指标": tree, "总分": "90"}
    if r.random() < 0.2:
        section["自评备注"] = _value(r)
    return CommentedMap((key, section[key]) for key in _shuffled(r, section) if r.random() < 0.9)


UNKNOWN_KEYS = ("自定义键", "自筹资金", "其他指标", "自评备注", "结果备注", "未申报指标")


def _before_unknown(tree, path=()) -> dict[tuple, str | None]:
    """For each unknown key of the random filings, the key just above it in its mapping."""
    found = {}
    if isinstance(tree, dict):
        keys = list(tree)
        for index, key in enumerate(keys):
            if key in UNKNOWN_KEYS:
                found[(*path, key)] = keys[index - 1] if index else None
            found.update(_before_unknown(tree[key], (*path, key)))
    return found


def test_random_filings_keep_their_values_and_formatting_is_idempotent():
    r = random.Random(20240101)
    unknown = results = 0
    for case in range(200):
        text = random_filing(r)
        before = load(text)
        once = fmt(text)
        assert load(once) == before, f"case {case}:\n{text}\n--- formatted ---\n{once}"
        assert _before_unknown(load(once)) == _before_unknown(before), f"case {case}:\n{text}\n--- formatted ---\n{once}"
        unknown += len(_before_unknown(before))
        assert fmt(once) == once, f"case {case}:\n{text}\n--- formatted ---\n{once}"
        assert once.startswith(MODELINE + "\n")
        if "自评" in before:
            results += 1
            section = load(once)["自评"]
            assert [k for k in section if k in PACK.section_keys] == [k for k in PACK.section_keys if k in section]
            assert list(load(once))[-1] == "自评" or "自定义键" in before
    assert unknown > 100  # the cases hold unknown keys in every kind of mapping
    assert results > 50


# --- fmt on files ----------------------------------------------------------------------------------------

def test_fmt_check_lists_files_and_changes_nothing_then_fmt_writes_them(filings, capsys):
    ducha = filings / "projects/2024/督查室工作经费.yaml"
    xinxi = filings / "projects/2024/政府办信息中心工作经费.yaml"
    ducha.write_text(ducha.read_text(encoding="utf-8").replace("项目期: 2024年", "项目期: '2024年'"), encoding="utf-8")
    xinxi.write_text(
        xinxi.read_text(encoding="utf-8").replace("  年度资金总额: 30\n  财政拨款: 30\n", "  财政拨款: 30\n  年度资金总额: 30\n"),
        encoding="utf-8",
    )
    before = snapshot(filings)

    code, out, err = invoke(capsys, "fmt", "--check")
    assert code == 1
    assert out.splitlines() == [
        "需要格式化：projects/2024/政府办信息中心工作经费.yaml",
        "需要格式化：projects/2024/督查室工作经费.yaml",
    ]
    assert "2 个文件需要格式化，0 个文件无法格式化" in err
    assert snapshot(filings) == before

    code, out, err = invoke(capsys, "fmt")
    assert code == 0
    assert out.splitlines() == [
        "已格式化：projects/2024/政府办信息中心工作经费.yaml",
        "已格式化：projects/2024/督查室工作经费.yaml",
    ]
    for path in (ducha, xinxi):
        assert path.read_bytes() == (SEED_DIR / path.name).read_bytes()

    code, out, _ = invoke(capsys, "fmt", "--check")
    assert (code, out) == (0, "")


def test_fmt_of_named_files_only(filings, capsys):
    ducha = filings / "projects/2024/督查室工作经费.yaml"
    xinxi = filings / "projects/2024/政府办信息中心工作经费.yaml"
    for path in (ducha, xinxi):
        path.write_text(path.read_text(encoding="utf-8").replace("项目期: 2024年", "项目期: '2024年'"), encoding="utf-8")
    code, out, _ = invoke(capsys, "fmt", "projects/2024/督查室工作经费.yaml")
    assert (code, out) == (0, "已格式化：projects/2024/督查室工作经费.yaml\n")
    assert "'2024年'" in xinxi.read_text(encoding="utf-8")


@pytest.mark.parametrize("broken, rule", [
    ("项目期: 2024年\n项目期: 2025年\n", "yaml.duplicate-key"),
    ("项目期: [2024年\n", "yaml.syntax"),
    ("项目期:\n\t2024年\n", "yaml.tab"),
    ("项目期: &a 2024年\n", "yaml.alias"),
])
def test_a_file_with_a_yaml_error_is_reported_and_not_touched(filings, capsys, broken, rule):
    bad = filings / "projects/2024/督查室工作经费.yaml"
    bad.write_text(bad.read_text(encoding="utf-8").replace("项目期: 2024年\n", broken), encoding="utf-8")
    messy = filings / "projects/2024/聘用人员工作经费.yaml"
    messy.write_text(messy.read_text(encoding="utf-8").replace("项目期: 2024年", "项目期: '2024年'"), encoding="utf-8")
    broken_bytes = bad.read_bytes()

    code, out, err = invoke(capsys, "fmt", "--check")
    assert code == 1
    assert f"[{rule}]" in err and "projects/2024/督查室工作经费.yaml:" in err
    assert "1 个文件需要格式化，1 个文件无法格式化" in err

    code, out, err = invoke(capsys, "fmt")
    assert code == 1  # the broken file still needs attention
    assert f"[{rule}]" in err
    assert out == "已格式化：projects/2024/聘用人员工作经费.yaml\n"  # the others are still formatted
    assert bad.read_bytes() == broken_bytes
    assert messy.read_bytes() == (SEED_DIR / messy.name).read_bytes()


def test_fmt_of_a_missing_path_is_a_usage_error(filings, capsys):
    code, _, err = invoke(capsys, "fmt", "projects/2030")
    assert code == 2 and "路径不存在" in err


# --- new ----------------------------------------------------------------------------------------------------

def test_new_writes_a_filing_from_the_form(filings, capsys):
    code, out, _ = invoke(capsys, "new", "政务热线运行经费", "--year", "2025")
    target = filings / "projects/2025/政务热线运行经费.yaml"
    assert code == 0
    assert out == "已创建 projects/2025/政务热线运行经费.yaml\n"
    text = target.read_text(encoding="utf-8")
    assert text.splitlines()[:2] == [MODELINE, MARKER_LINE]
    data = load(text)
    assert data["表样"] == FORM.id and data["年度"] == "2025" and data["项目名称"] == "政务热线运行经费"
    assert list(data) == list(FORM.top_level_keys)
    assert list(data["项目资金"]) == [item.key for item in FORM.funds.items]
    assert {level: list(groups) for level, groups in data["绩效指标"].items()} == {
        level.name: [g.name for g in level.groups] for level in FORM.levels
    }

    # it is valid against the schema; the only findings are the blanks still to be filled in, warnings in a draft
    code, out, _ = invoke(capsys, "check", "--format", "json", "projects/2025")
    findings = json.loads(out)
    rules = {f["rule"] for f in findings}
    assert code == 0 and {f["severity"] for f in findings} == {"warning"}
    assert not any(rule.startswith(("yaml.", "schema.", "file.", "text.")) for rule in rules), rules
    assert rules <= {"filing.draft", "header.missing", "header.missing-recommended", "group.required-empty"}, rules
    assert "group.required-empty" in rules and "header.missing" in rules

    # already in fmt's canonical style
    assert format_text("x.yaml", text, MODELINE, FORMS) == text
    assert invoke(capsys, "fmt", "--check", "projects/2025")[0] == 0


def test_new_marks_what_must_be_filled_in(filings, capsys):
    invoke(capsys, "new", "政务热线运行经费", "--year", "2025")
    lines = (filings / "projects/2025/政务热线运行经费.yaml").read_text(encoding="utf-8").splitlines()

    def comment_above(key_line: str) -> str:
        above = lines[lines.index(key_line) - 1].strip()
        assert above.startswith("#"), key_line
        return above

    for level in FORM.levels:
        for group in level.groups:
            comment = comment_above(f"    {group.name}: {{}}")
            assert f"【{group.requirement}】" in comment
    assert "【必填量化】" in comment_above("    数量指标: {}")
    assert "【必填】" in comment_above("    社会效益指标: {}")
    assert "【选填】" in comment_above("    经济效益指标: {}")
    for field in FORM.header:
        if field.key != "项目名称":
            assert comment_above(f'{field.key}: ""').startswith("# 必填" if field.required else "# 应填")
    assert comment_above('年度总体目标: ""').startswith("# 必填")


def test_new_refuses_to_overwrite(filings, capsys):
    target = filings / "projects/2025/政务热线运行经费.yaml"
    target.parent.mkdir(parents=True)
    target.write_text("# 已经写了一半\n", encoding="utf-8")
    code, out, err = invoke(capsys, "new", "政务热线运行经费", "--year", "2025")
    assert code == 1
    assert "已经存在" in err and "没有覆盖" in err
    assert target.read_text(encoding="utf-8") == "# 已经写了一半\n"


def test_new_with_an_unsafe_name(filings, capsys):
    code, out, _ = invoke(capsys, "new", "A/B 项目", "--year", "2025")
    assert code == 0
    target = filings / "projects/2025/A_B 项目.yaml"
    assert target.is_file()
    assert load(target.read_text(encoding="utf-8"))["项目名称"] == "A/B 项目"


def test_new_with_an_empty_name(filings, capsys):
    code, _, err = invoke(capsys, "new", " ", "--year", "2025")
    assert code == 2 and "项目名称不能为空" in err
    assert not (filings / "projects/2025").exists()


# --- rollover ---------------------------------------------------------------------------------------------

@pytest.fixture
def rollover_repo(filings) -> Path:
    subprocess.run(["git", "init", "-q"], cwd=filings, check=True)
    ducha = filings / "projects/2024/督查室工作经费.yaml"
    ducha.write_text(
        ducha.read_text(encoding="utf-8")
        .replace("项目期: 2024年\n", "项目期: 2024年  # 单年项目\n")
        .replace("绩效指标:\n", "# 指标与去年一致\n绩效指标:\n"),
        encoding="utf-8",
    )
    pinyong = filings / "projects/2024/聘用人员工作经费.yaml"
    pinyong.write_text(pinyong.read_text(encoding="utf-8") + "综合评定等级: 通过\n", encoding="utf-8")
    return filings


def test_rollover_copies_a_year(rollover_repo, capsys):
    source = rollover_repo / "projects/2024"
    before = snapshot(source)
    code, out, err = invoke(capsys, "rollover", "2024", "2025")
    assert code == 0, err
    names = sorted(p.name for p in source.glob("*.yaml"))
    assert out.splitlines() == [f"已创建 projects/2025/{name}" for name in names]
    assert "从 projects/2024 复制了 6 个申报表到 projects/2025，0 个无法读取" in err
    assert snapshot(source) == before
    assert sorted(p.name for p in (rollover_repo / "projects/2025").iterdir()) == names

    for name in names:
        old_text = (source / name).read_text(encoding="utf-8")
        new_text = (rollover_repo / "projects/2025" / name).read_text(encoding="utf-8")
        old, new = load(old_text), load(new_text)
        assert new["年度"] == "2025" and new["项目期"] == "2025年"
        assert new.get("综合评定等级", "") == ""
        for key in set(old) | set(new):
            if key not in ("年度", "项目期", "综合评定等级"):
                assert new[key] == old[key], (name, key)
        assert new_text.splitlines()[0] == MODELINE
        assert format_text(name, new_text, MODELINE, FORMS) == new_text  # still canonical

    ducha = (rollover_repo / "projects/2025/督查室工作经费.yaml").read_text(encoding="utf-8")
    assert re.search(r"^项目期: 2025年 +# 单年项目$", ducha, re.M)
    assert "# 指标与去年一致\n绩效指标:\n" in ducha
    pinyong = (rollover_repo / "projects/2025/聘用人员工作经费.yaml").read_text(encoding="utf-8")
    assert pinyong.endswith('综合评定等级: ""\n')
    assert "通过" not in pinyong

    # the new year's filings check as the old ones did, with no schema errors
    code, out, _ = invoke(capsys, "check", "--format", "json", "projects/2025")
    assert not any(f["rule"].startswith(("yaml.", "schema.")) for f in json.loads(out))


def test_rollover_again_refuses_and_changes_nothing(rollover_repo, capsys):
    assert invoke(capsys, "rollover", "2024", "2025")[0] == 0
    edited = rollover_repo / "projects/2025/督查室工作经费.yaml"
    edited.write_text(edited.read_text(encoding="utf-8").replace("≥50次", "≥60次"), encoding="utf-8")
    before = snapshot(rollover_repo / "projects")
    code, out, err = invoke(capsys, "rollover", "2024", "2025")
    assert code == 1
    assert out == ""
    assert "已经存在" in err and "没有复制任何文件" in err
    assert "projects/2025/督查室工作经费.yaml" in err
    assert snapshot(rollover_repo / "projects") == before


def test_rollover_refuses_when_only_one_target_exists(rollover_repo, capsys):
    target = rollover_repo / "projects/2025/督查室工作经费.yaml"
    target.parent.mkdir(parents=True)
    target.write_text("# 已有\n", encoding="utf-8")
    code, out, err = invoke(capsys, "rollover", "2024", "2025")
    assert code == 1 and out == ""
    assert sorted(p.name for p in target.parent.iterdir()) == ["督查室工作经费.yaml"]
    assert target.read_text(encoding="utf-8") == "# 已有\n"


@pytest.mark.parametrize("args, message", [
    (["2024", "2024"], "原年度和新年度相同"),
    (["2019", "2020"], "文件夹不存在"),
])
def test_rollover_usage_errors(filings, capsys, args, message):
    code, _, err = invoke(capsys, "rollover", *args)
    assert code == 2 and message in err


@pytest.mark.parametrize("period, old, new, expected", [
    ("2024年", 2024, 2025, "2025年"),
    ("2024", 2024, 2025, "2025"),
    ("2024年度", 2024, 2025, "2025年度"),
    ("2024-2026年", 2024, 2025, "2024-2026年"),
    ("2023-2024年", 2024, 2025, "2024-2025年"),
    ("2023—2024年", 2024, 2025, "2024—2025年"),
    ("2023年-2024年", 2024, 2025, "2024年-2025年"),
    ("3年", 2024, 2025, "3年"),
    ("2023年", 2024, 2025, "2023年"),  # not the year being rolled over: left for a person to decide
    ("长期", 2024, 2025, "长期"),
    ("", 2024, 2025, ""),
    ("2024年", 2024, 2026, "2026年"),
])
def test_next_period(period, old, new, expected):
    assert next_period(period, old, new) == expected


# --- fmt writes only what check reads, and never a changed value as check reads it ---------------------------

def test_fmt_refuses_a_tagged_value_it_would_change(filings, capsys):
    path = filings / "projects/2024/督查室工作经费.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace('项目属性: ""', "项目属性: !!binary aGVsbG8="), encoding="utf-8")
    before = path.read_bytes()
    # check reads the value as the text typed; a round trip would re-encode it as "aGVsbG8=\n"
    assert load(before.decode("utf-8"))["项目属性"] == "aGVsbG8="
    code, out, err = invoke(capsys, "fmt")
    assert code == 1 and out == ""
    assert "格式化会改变“项目属性”的值" in err and "!!binary" in err
    assert path.read_bytes() == before


@pytest.mark.parametrize("old, new, rule", [
    ("  年度资金总额: 12\n", "  年度资金总额: 十二\n", "schema.pattern"),
    ("年度: 2024\n", "年度: 1999\n", "schema.pattern"),
    ("绩效指标:\n", "绩效指标: 无\n绩效:\n", "schema.type"),
])
def test_fmt_does_not_rewrite_a_file_check_rejects(filings, capsys, old, new, rule):
    path = filings / "projects/2024/督查室工作经费.yaml"
    text = path.read_text(encoding="utf-8").replace("项目期: 2024年", "项目期: '2024年'")  # needs formatting
    assert text.count(old) == 1
    path.write_text(text.replace(old, new), encoding="utf-8")
    before = path.read_bytes()
    for args in (["fmt"], ["fmt", "--check"]):
        code, out, err = invoke(capsys, *args)
        assert code == 1 and out == ""
        assert f"[{rule}]" in err and "jixiao check 不接受这个文件" in err and "没有格式化" in err
        assert "0 个文件" in err and "1 个文件无法格式化" in err
        assert path.read_bytes() == before


@pytest.mark.parametrize("year", ["0", "-5", "99999", "1999", "2101", "二〇二五"])
def test_new_refuses_a_year_outside_the_schema(filings, capsys, year):
    code, out, err = invoke(capsys, "new", "政务热线运行经费", f"--year={year}")
    assert code == 2 and out == ""
    assert f"年度应为 2000 到 2100 之间的整数（收到“{year}”）" in err
    assert sorted(p.name for p in (filings / "projects").iterdir()) == ["2024"]


@pytest.mark.parametrize("years", [("2024", "99999"), ("0", "2025"), ("2024", "-1")])
def test_rollover_refuses_a_year_outside_the_schema(filings, capsys, years):
    code, out, err = invoke(capsys, "rollover", "--", *years)
    assert code == 2 and out == ""
    assert "年度应为 2000 到 2100 之间的整数" in err
    assert sorted(p.name for p in (filings / "projects").iterdir()) == ["2024"]
