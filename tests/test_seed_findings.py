"""What `jixiao check projects/2024` says about the six real filings: their real flaws, nothing else."""

from pathlib import Path

from conftest import REPO, SEED_DIR

from generator.cli import run
from generator.review.check import check_paths
from generator.review.explain import rules_markdown

E, W, I = "error", "warning", "info"

# (file stem, line, rule, severity): every finding, in output order.
EXPECTED = [
    ("信创设备购置经费", 5, "header.missing-recommended", W),
    ("信创设备购置经费", 7, "header.missing-recommended", W),
    ("信创设备购置经费", 23, "quantified.text", E),  # 优/良好 in 质量指标
    ("信创设备购置经费", 26, "cost.under-funds", W),  # unit prices × quantities = 8.16 < 13.2
    ("信创设备购置经费", 35, "vague.value", W),  # 有提升
    ("信创设备购置经费", 37, "indicator.placeholder-optional", W),  # 0: 0
    ("信创设备购置经费", 39, "vague.value", W),  # 持续发展
    ("市政府办公室工作经费", 5, "header.missing-recommended", W),
    ("市政府办公室工作经费", 7, "header.missing-recommended", W),
    ("市政府办公室工作经费", 46, "vague.value", W),  # 长期 ×4
    ("市政府办公室工作经费", 48, "vague.value", W),
    ("市政府办公室工作经费", 50, "vague.value", W),
    ("市政府办公室工作经费", 52, "vague.value", W),
    ("政府信息公开工作经费", 5, "header.missing-recommended", W),
    ("政府信息公开工作经费", 7, "header.missing-recommended", W),
    ("政府信息公开工作经费", 38, "vague.value", W),  # 长期有效
    ("政府信息公开工作经费", 40, "vague.value", W),
    ("政府信息公开工作经费", 42, "vague.value", W),
    ("政府信息公开工作经费", 44, "misplaced.satisfaction-in-effects", W),  # 查阅文件单位满意度 under 可持续影响
    ("政府信息公开工作经费", 44, "vague.value", W),
    ("政府办信息中心工作经费", 5, "header.missing-recommended", W),
    ("政府办信息中心工作经费", 7, "header.missing-recommended", W),
    ("政府办信息中心工作经费", 23, "indicator.empty-value", E),  # 政务小助手APP in 质量指标
    ("政府办信息中心工作经费", 27, "indicator.empty-value", E),  # 政务小助手APP in 时效指标
    ("政府办信息中心工作经费", 28, "cost.over-funds", E),  # 15 + 15 + 5 = 35 > 30
    ("政府办信息中心工作经费", 34, "indicator.placeholder-optional", W),  # 0: 0
    ("政府办信息中心工作经费", 36, "vague.value", W),  # 明显提升 ×2
    ("政府办信息中心工作经费", 37, "vague.value", W),
    ("政府办信息中心工作经费", 39, "indicator.placeholder-optional", W),  # 0: 0
    ("政府办信息中心工作经费", 41, "indicator.placeholder", E),  # 无: 0 in the required 可持续影响指标
    ("督查室工作经费", 5, "header.missing-recommended", W),
    ("督查室工作经费", 7, "header.missing-recommended", W),
    ("督查室工作经费", 33, "vague.value", W),
    ("督查室工作经费", 35, "vague.value", W),
    ("督查室工作经费", 37, "vague.value", W),
    ("督查室工作经费", 39, "vague.value", W),
    ("聘用人员工作经费", 5, "header.missing-recommended", W),
    ("聘用人员工作经费", 7, "header.missing-recommended", W),
    ("聘用人员工作经费", 21, "quantified.text", E),  # 合格 in 质量指标
    ("聘用人员工作经费", 27, "cost.unverifiable", I),  # only 元/人/月 and 元/人/年 rates
    ("聘用人员工作经费", 34, "indicator.placeholder-optional", W),  # 无: 0
    ("聘用人员工作经费", 36, "vague.value", W),  # 有效
    ("聘用人员工作经费", 38, "indicator.placeholder-optional", W),  # 0: 0
    ("聘用人员工作经费", 40, "vague.value", W),  # 长期
]


def _seed_findings():
    findings, _ = check_paths(sorted(SEED_DIR.glob("*.yaml")))
    return findings


def test_exact_findings_on_the_seed():
    actual = [(Path(f.file).stem, f.line, f.rule, f.severity.value) for f in _seed_findings()]
    assert actual == EXPECTED


def test_cost_messages_name_the_numbers():
    messages = {(Path(f.file).stem, f.rule): f.message for f in _seed_findings()}
    assert messages[("政府办信息中心工作经费", "cost.over-funds")] == (
        "成本指标合计 15 + 15 + 5 = 35 万元，超过年度资金总额 30 万元（多 5 万元）"
    )
    assert messages[("信创设备购置经费", "cost.under-funds")] == (
        "成本指标合计 10台 × 6200元 + 10套 × 580元 + 10套 × 480元 + 10套 × 580元 + 10套 × 320元 = 8.16 万元，"
        "低于年度资金总额 13.2 万元（少 5.04 万元）"
    )
    assert "3332元/人/月" in messages[("聘用人员工作经费", "cost.unverifiable")]


def test_check_exits_1_on_the_seed(capsys):
    assert run(["check", str(SEED_DIR)]) == 1
    assert "6 个错误，37 个警告，1 个提示" in capsys.readouterr().err


def test_docs_rules_md_is_current():
    assert (REPO / "docs" / "rules.md").read_text(encoding="utf-8") == rules_markdown()
