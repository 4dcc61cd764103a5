"""The shipped 自评 packs (form.yaml with kind: self-evaluation): they load, pair with every target pack, their
example filings are clean and score as worked out by hand (`jixiao score`), broken packs are reported at
their line, and a filing without results is checked exactly as before."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml
from conftest import REPO, SEED_DIR

from generator.cli import run
from generator.forms.pack import FormError, FormShelf, form_problems, load_forms, load_self_evaluations, read_pack
from generator.forms.selfeval_pack import uncovered

TEMPLATES = REPO / "templates"
EVALUATIONS = sorted(p.parent.name for p in TEMPLATES.glob("*/form.yaml")
                     if yaml.safe_load(p.read_text(encoding="utf-8")).get("kind") == "self-evaluation")


def test_two_self_evaluation_packs_are_shipped_and_load():
    assert EVALUATIONS == ["selfeval-2020", "selfeval-local-2022"]
    packs = load_self_evaluations()
    assert sorted(packs) == EVALUATIONS and form_problems() == ()
    national = packs["selfeval-2020"]
    assert [(w.label, str(w.points)) for w in national.weights] == [("产出指标", "50"), ("效益指标", "30"), ("满意度指标", "10")]
    assert (national.execution_points, national.total_points) == (10, 100)
    assert [(b.label, b.low, b.high) for b in national.bands] == [
        ("达成年度指标", 80, 100), ("部分达成年度指标并具有一定效果", 60, 80), ("未达成年度指标且效果较差", 0, 60),
    ]
    local = packs["selfeval-local-2022"]
    assert (local.execution_points, [b.low for b in local.bands]) == (20, [80, 50, 0])
    assert local.boxes["项目类别"] == ("□", "☑") and "填报日期:{填报日期}" in local.footer and local.signature


def test_self_evaluation_packs_are_not_target_forms():
    assert not set(EVALUATIONS) & set(load_forms())
    assert FormShelf().get("selfeval-2020") is None
    schema = json.loads((REPO / "schema.json").read_text(encoding="utf-8"))
    assert not set(EVALUATIONS) & set(schema["properties"]["表样"]["enum"])


@pytest.mark.parametrize("form_id", sorted(load_forms()))
def test_every_target_pack_pairs_with_a_self_evaluation_pack(form_id):
    form = load_forms()[form_id]
    pack = load_self_evaluations().get(form.self_evaluation)
    assert pack is not None and uncovered(form, pack) == ""


@pytest.mark.parametrize("pack_id", EVALUATIONS)
def test_example_with_results_is_clean(pack_id, capsys):
    code = run(["check", "--no-cache", "--format", "json", str(TEMPLATES / pack_id / "example-with-results.yaml")])
    assert json.loads(capsys.readouterr().out) == [] and code == 0


def test_score_text_of_the_national_example(capsys, monkeypatch):
    monkeypatch.chdir(REPO)
    assert run(["score", "templates/selfeval-2020/example-with-results.yaml"]) == 0
    out, err = capsys.readouterr()
    lines = out.splitlines()
    assert err == ""
    assert lines[0] == "templates/selfeval-2020/example-with-results.yaml  政务服务热线运行经费（项目支出绩效自评表(财预〔2020〕10号)）"
    assert lines[1] == "  预算执行率：全年预算数 80.5 万元，全年执行数 78.2 万元，执行率 97.14%，分值 10.00，得分 9.71"
    assert "  产出指标 / 成本指标 / 话务外包服务费：≤42.5万元 → 45万元，反向，分值 5.00，得分 4.72" in lines
    assert "  效益指标 / 可持续影响指标 / 热线运行管理制度修订：2024年6月30日前 → 2024年7月15日，时效，分值 15.00，得分 0.00" in lines
    assert lines[-1] == "  总分：83.93（填写的总分 83.93）"


def test_score_json_of_the_local_example(capsys, monkeypatch):
    monkeypatch.chdir(REPO)
    assert run(["score", "--format", "json", "templates/selfeval-local-2022/example-with-results.yaml"]) == 0
    [record] = json.loads(capsys.readouterr().out)
    # 预算执行 20: 34.2 / 36 = 95% → 19; 产出 40 over 4; 效益 30 over 社会效益 and 可持续影响 (13.5 = 27/30 × 15, and a
    # band score of 10 stated inside 50%–80% of 15); 满意度 10 (filed under 效益, weighted by its 二级's role)
    assert record["pack"] == "selfeval-local-2022" and record["form"] == "hunan-2023"
    assert record["execution"] == {"budget": "36", "spent": "34.2", "rate": "95.00", "points": "20.00", "score": "19.00", "reason": ""}
    assert record["total"] == "92.50" and record["stated_total"] == "92.5" and record["complete"] is True
    by_name = {i["name"]: i for i in record["indicators"]}
    assert [i["points"] for i in record["indicators"]] == ["10.00"] * 4 + ["15.00", "15.00", "10.00"]
    assert by_name["部门间数据共享事项办理时间缩短比例"] | {} == {
        "level": "效益指标", "group": "社会效益指标", "name": "部门间数据共享事项办理时间缩短比例", "target": "≥30%",
        "actual": "27%", "points": "15.00", "points_from": "分配", "method": "正向", "computed": "13.50", "stated": None,
        "score": "13.50", "band": "", "reason": "",
    }
    assert by_name["平台运维管理制度"]["method"] == "定性" and by_name["平台运维管理制度"]["score"] == "10.00"
    assert by_name["使用部门满意度"]["points"] == "10.00"


def test_score_of_a_filing_without_results(capsys, monkeypatch):
    monkeypatch.chdir(REPO)
    assert run(["score", "--format", "json", "projects/2024/督查室工作经费.yaml"]) == 1
    [record] = json.loads(capsys.readouterr().out)
    assert record["pack"] is None and record["problem"] == "没有年终自评结果（申报表里没有“自评”部分）"


def test_score_bad_input(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("坏.yaml").write_text("表样: yinchuan-2024\n年度: 2024\n项目名称：督查\n", encoding="utf-8")
    assert run(["score", "坏.yaml"]) == 1
    out, err = capsys.readouterr()
    assert err.startswith("坏.yaml:3:") and "错误 [" in err and "Traceback" not in err
    assert out.startswith("坏.yaml：文件无法读取或不符合表样")
    assert run(["score"]) == 2
    assert "请写出要计分的申报表文件" in capsys.readouterr().err
    assert run(["score", "没有.yaml"]) == 2
    assert run(["score", "--format", "xml", "坏.yaml"]) == 2


def test_score_with_errors_in_the_results(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    text = (TEMPLATES / "selfeval-2020" / "example-with-results.yaml").read_text(encoding="utf-8")
    Path("a.yaml").write_text(text.replace("  总分: 83.93\n", "  总分: 90\n"), encoding="utf-8")
    assert run(["score", "a.yaml"]) == 1
    out, err = capsys.readouterr()
    assert err.startswith("a.yaml:") and "错误 [result.total-differs] 总分 90 与计算的 83.93 不同" in err
    assert out.splitlines()[-1] == "  总分：83.93（填写的总分 90）"


def test_seed_filings_are_checked_exactly_as_before(capsys, monkeypatch):
    monkeypatch.chdir(REPO)
    assert run(["check", "--no-cache", "--format", "json", str(SEED_DIR)]) == 1
    findings = json.loads(capsys.readouterr().out)
    counts = {level: sum(f["severity"] == level for f in findings) for level in ("error", "warning", "info")}
    assert counts == {"error": 6, "warning": 37, "info": 1}
    assert not [f for f in findings if f["rule"].startswith("result.")]


def test_a_self_evaluation_pack_is_not_a_form_of_a_filing(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("a.yaml").write_text("表样: selfeval-2020\n年度: 2024\n", encoding="utf-8")
    assert run(["check", "--no-cache", "--format", "json", "a.yaml"]) == 1
    [finding] = json.loads(capsys.readouterr().out)
    assert finding["rule"] == "schema.enum" and "selfeval-2020" in finding["message"]


# -- broken packs -----------------------------------------------------------------------------------------


def broken(tmp_path: Path, pack_id: str, *changes: tuple[str, str]) -> Path:
    folder = tmp_path / "templates" / pack_id
    shutil.copytree(TEMPLATES / pack_id, folder)
    path = folder / "form.yaml"
    text = path.read_text(encoding="utf-8")
    for old, new in changes:
        assert old in text, old
        text = text.replace(old, new, 1)
    path.write_text(text, encoding="utf-8")
    return path


def problems(path: Path) -> list[tuple[int, str]]:
    with pytest.raises(FormError) as error:
        read_pack(path)
    assert {f.rule for f in error.value.findings} == {"form.invalid"}
    return [(f.line, f.message) for f in error.value.findings]


def line_of(path: Path, text: str) -> int:
    return next(n for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if text in line)


def test_weights_that_do_not_add_up_to_the_total(tmp_path):
    path = broken(tmp_path, "selfeval-2020", ("{label: 效益指标, roles: [benefit], points: 30}", "{label: 效益指标, roles: [benefit], points: 25}"))
    assert problems(path) == [(line_of(path, "total:"), "各一级指标的分值 85 加预算执行率 10 分，共 95 分，不等于总分 100 分")]


def test_bands_with_a_gap(tmp_path):
    path = broken(tmp_path, "selfeval-2020", ("{label: 未达成年度指标且效果较差, from: 0, to: 60}", "{label: 未达成年度指标且效果较差, from: 0, to: 55}"))
    assert problems(path) == [(
        line_of(path, "未达成年度指标且效果较差, from"),
        "评价档次要从 100% 往下连续排列：“未达成年度指标且效果较差”应从 60% 开始，现在是 55%（档次之间不能有空缺或重叠）",
    )]


def test_bands_not_reaching_zero_and_a_default_outside(tmp_path):
    path = broken(
        tmp_path, "selfeval-2020",
        ("{label: 未达成年度指标且效果较差, from: 0, to: 60}", "{label: 未达成年度指标且效果较差, from: 10, to: 60}"),
        ("{label: 达成年度指标, from: 80, to: 100, default: 100}", "{label: 达成年度指标, from: 80, to: 100, default: 70}"),
    )
    assert problems(path) == [
        (line_of(path, "default: 70"), "评价档次“达成年度指标”的 default 70% 不在它的范围 80–100% 之内"),
        (line_of(path, "未达成年度指标且效果较差, from"), "最后一个评价档次应到 0% 为止，现在到 10%"),
    ]


def test_money_grid_without_the_executed_amount(tmp_path):
    path = broken(tmp_path, "selfeval-2020", ("    - {key: 全年执行数, label: 全年执行数(B), show: amount, role: spent}\n", ""))
    assert problems(path) == [(line_of(path, "{key: 年初预算数"), "项目资金要有且只有一个 role: spent 的金额栏目（全年执行数（B）），现在有 0 个")]


def test_role_in_two_weights_and_an_unknown_layout_field(tmp_path):
    path = broken(
        tmp_path, "selfeval-2020",
        ("{label: 效益指标, roles: [benefit], points: 30}", "{label: 效益指标, roles: [benefit, cost], points: 30}"),
        ("  - [主管部门, 实施单位]\n", "  - [主管部门, 实施单位, 填报人]\n"),
    )
    assert problems(path) == [
        (line_of(path, "roles: [benefit, cost]"), "role“cost”已经算在“产出指标”里，不能再算在“效益指标”里"),
        (line_of(path, "[主管部门, 实施单位, 填报人]"), "表头布局中的“填报人”不是本自评表样的栏目（fields）"),
    ]


def test_unknown_key_in_a_self_evaluation_pack(tmp_path):
    path = broken(tmp_path, "selfeval-2020", ("total: {label: 总分, points: 100}\n", "total: {label: 总分, points: 100}\nweight: 1\n"))
    [(line, message)] = problems(path)
    assert line == line_of(path, "weight: 1") and "顶层 下没有“weight”这一项" in message


def test_a_broken_pairing_is_reported_at_the_target_pack(tmp_path):
    target = broken(tmp_path, "yinchuan-2024", ("self_evaluation: selfeval-2020", "self_evaluation: selfeval-1999"))
    broken(tmp_path, "selfeval-2020", ("{label: 满意度指标, roles: [satisfaction], points: 10}", "{label: 满意度指标, roles: [other], points: 10}"))
    shutil.copytree(TEMPLATES / "ningxia-2019", tmp_path / "templates" / "ningxia-2019")
    found = {(Path(f.file).parent.name, f.line): f.message for f in form_problems(tmp_path / "templates")}
    assert found == {
        ("yinchuan-2024", line_of(target, "self_evaluation:")): "self_evaluation“selfeval-1999”不是自评表样（可选：selfeval-2020）",
        ("ningxia-2019", line_of(TEMPLATES / "ningxia-2019" / "form.yaml", "self_evaluation:")):
            "自评表样“selfeval-2020”的分值（weights）没有覆盖这些指标：满意度指标/服务对象满意度指标"
            "（按二级或一级指标的 role 归入）",
    }
    assert sorted(load_forms(tmp_path / "templates")) == ["ningxia-2019", "yinchuan-2024"]  # still usable


def test_readme_worked_example_is_current(capsys, monkeypatch):
    monkeypatch.chdir(REPO)
    assert run(["score", "templates/selfeval-2020/example-with-results.yaml"]) == 0
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "```text\n" + capsys.readouterr().out + "```" in readme
    example = (TEMPLATES / "selfeval-2020" / "example-with-results.yaml").read_text(encoding="utf-8")
    section = readme[readme.index("## 年终自评"):]
    for line in ("    年度资金总额: {年初预算数: 80.5, 全年预算数: 80.5, 全年执行数: 78.2}",
                 "          偏差原因分析及改进措施: 话务量高于预期，外包服务按合同增加结算；下年度按实际话务量测算。"):
        assert line in example and line in section


def test_header_values_come_from_the_section_or_the_filing():
    from generator.common import resources
    from generator.filing.results import header_values
    from generator.forms.schema import load_schema
    from generator.review.check import check_source

    text = (TEMPLATES / "selfeval-local-2022" / "example-with-results.yaml").read_text(encoding="utf-8")
    hunan = load_forms()["hunan-2023"]
    checked = check_source("a.yaml", text.encode("utf-8"), load_forms(), load_schema(resources.schema_path()))
    assert header_values(checked.filing, hunan) == {
        "填报单位": "长沙市数据资源管理局", "项目名称": "政务数据共享平台运维经费", "主管部门": "长沙市数据资源管理局", "实施单位": "",
        "项目类别": "信息化建设类", "项目属性": "延续项目", "项目类型": "经常性项目",
        "填表人": "李明", "联系电话": "0731-88880000", "填报日期": "2024年1月20日",
    }
    without = check_source("b.yaml", text.replace("  项目属性: 延续项目\n", "").encode("utf-8"), load_forms(),
                           load_schema(resources.schema_path()))
    assert header_values(without.filing, hunan)["项目属性"] == ""  # hunan-2023 has no 项目属性 of its own


def test_schema_offers_the_section_to_the_editor():
    schema = json.loads((REPO / "schema.json").read_text(encoding="utf-8"))
    [branch] = [b["then"] for b in schema["allOf"] if b["if"]["properties"]["表样"]["const"] == "yinchuan-2024"]
    assert "自评" in branch["propertyNames"]["enum"] and "自评" not in load_forms()["yinchuan-2024"].top_level_keys
    section = branch["properties"]["自评"]
    assert list(section["properties"]) == ["表样", "项目资金", "实际完成情况", "绩效指标", "总分"]
    assert section["properties"]["表样"]["enum"] == ["", *EVALUATIONS]
    money = section["properties"]["项目资金"]["properties"]
    assert list(money) == ["年度资金总额", "财政拨款", "其他资金"]
    assert list(money["财政拨款"]["properties"]) == ["年初预算数", "全年预算数", "全年执行数"]
    levels = section["properties"]["绩效指标"]
    assert levels["propertyNames"]["enum"] == ["产出指标", "效益指标", "满意度指标"]
    reference = levels["properties"]["产出指标"]["properties"]["数量指标"]["additionalProperties"]["$ref"]
    assert reference == "#/definitions/self-evaluation-result-selfeval-2020"  # both packs' results look alike: one definition
    result = schema["definitions"][reference.rsplit("/", 1)[1]]
    assert list(result["properties"]) == ["实际完成值", "偏差原因分析及改进措施", "分值", "得分", "评价档次"]
    assert result["properties"]["评价档次"]["enum"] == ["", "达成年度指标", "部分达成年度指标并具有一定效果", "未达成年度指标且效果较差"]
    # the local pack's own fields, for a section that names it
    [local] = [b["then"] for b in section["allOf"] if b["if"].get("properties", {}).get("表样", {}).get("const") == "selfeval-local-2022"]
    assert local["properties"]["项目类别"]["enum"] == ["", "专项业务类", "工程建设类", "信息化建设类", "其他类"]


@pytest.mark.parametrize("pack_id", EVALUATIONS)
def test_examples_are_valid_for_an_editor_that_reads_yaml_types(pack_id):
    """An editor loads `80.5` as a number: the section's schema accepts that too."""
    from jsonschema import Draft7Validator
    from ruamel.yaml import YAML

    schema = json.loads((REPO / "schema.json").read_text(encoding="utf-8"))
    text = (TEMPLATES / pack_id / "example-with-results.yaml").read_text(encoding="utf-8")
    data = json.loads(json.dumps(YAML(typ="safe", pure=True).load(text), default=str))
    assert isinstance(data["自评"]["项目资金"][next(iter(data["自评"]["项目资金"]))]["全年预算数"], (int, float))
    assert list(Draft7Validator(schema).iter_errors(data)) == []


def test_a_level_label_placeholder_nothing_fills_in_is_named_at_its_line(tmp_path):
    path = broken(tmp_path, "selfeval-2020", ('level_label: "{name}({points}分)"', 'level_label: "{name}({分值}分)"'))
    line = next(n for n, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if "level_label:" in text)
    assert (line, "level_label 中的 {分值} 无法填写（可用：{name}、{points}）") in problems(path)
