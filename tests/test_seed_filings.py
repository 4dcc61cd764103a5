"""The six 2024 filings of 银川市人民政府办公室, transcribed exactly (flaws included)."""

import csv
from decimal import Decimal

import pytest
from conftest import REPO, SEED_DIR, SEED_HEADERS

from generator.review.check import check_paths


@pytest.fixture(scope="module")
def seed():
    findings, filings = check_paths(sorted(SEED_DIR.glob("*.yaml")))
    return findings, {f.name: f for f in filings}


def _listing():
    with open(REPO / "tests" / "data" / "seed_rows.tsv", encoding="utf-8", newline="") as stream:
        return [tuple(row) for row in csv.reader(stream, delimiter="\t", quoting=csv.QUOTE_NONE)][1:]


def _rows(filing):
    rows = []
    for group in filing.groups:
        if not group.indicators:
            rows.append((filing.name, group.level, group.name, "", ""))
        rows.extend((filing.name, group.level, group.name, i.name, i.value) for i in group.indicators)
    return rows


def test_six_filings_load_without_schema_errors(seed):
    findings, filings = seed
    assert sorted(filings) == sorted(SEED_HEADERS)
    assert not [f for f in findings if f.rule.startswith(("yaml.", "schema.", "file.", "text."))]


def test_every_indicator_row_matches_the_independent_listing(seed):
    _, filings = seed
    expected = _listing()
    assert len(expected) == 120
    order = list(dict.fromkeys(row[0] for row in expected))
    actual = [row for name in order for row in _rows(filings[name])]
    assert actual == expected


@pytest.mark.parametrize("name", list(SEED_HEADERS))
def test_header_fields_as_filed(seed, name):
    filing = seed[1][name]
    total, fiscal, other, goal_start = SEED_HEADERS[name]
    assert filing.year == 2024 and filing.form_id == "yinchuan-2024"
    assert filing.fields["主管部门及代码"] == "" and filing.fields["项目属性"] == ""
    assert filing.fields["实施单位"] == "银川市人民政府办公室"
    assert filing.fields["项目期"] == "2024年"
    assert filing.amounts == {"年度资金总额": Decimal(total), "财政拨款": Decimal(fiscal), "其他资金": Decimal(other)}
    assert all(isinstance(amount, Decimal) for amount in filing.amounts.values())
    assert filing.total == Decimal(total)
    assert filing.fields["年度总体目标"].startswith(goal_start)
    assert filing.grade == ""


def test_flaws_are_kept_not_fixed(seed):
    filings = seed[1]
    centre = filings["政府办信息中心工作经费"]
    assert centre.group("产出指标", "质量指标").indicators[-1].value == ""
    assert [(i.name, i.value) for i in centre.group("效益指标", "可持续影响指标").indicators] == [("无", "0")]
    assert [(i.name, i.value) for i in centre.group("效益指标", "经济效益指标").indicators] == [("0", "0")]
    assert filings["信创设备购置经费"].group("效益指标", "经济效益指标").indicators == ()
    assert filings["政府信息公开工作经费"].fields["年度总体目标"].endswith("提升政务公开专业化水平”")
    assert filings["聘用人员工作经费"].total == Decimal("52.5")


def test_files_carry_the_schema_modeline(seed_files):
    for path in seed_files:
        assert path.read_text(encoding="utf-8").startswith("# yaml-language-server: $schema=../../schema.json\n")
