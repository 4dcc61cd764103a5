"""The cost rules at the boundary, in cents of a 万元: the example's cost rows add up to exactly its 年度资金总额
(30 + 42.5 + 8 = 80.5 万元); the 培训费 row moves the sum 0.01 万元 either way, with and without a further
cost row that cannot be converted (a rate per person and month, line 30).

cost.unverifiable (info) asks for a manual check only while the convertible sum does not exceed the funds:
above them cost.over-funds (error) already says the costs are wrong, whatever the other row holds."""

import pytest
from test_rules import E, I, W, check

TRAINING = "      坐席人员培训费: ≤8万元\n"
UNRESOLVED = "      坐席人员餐费补助: 3332元/人/月\n"
ASK = ("cost.unverifiable", I, 26, ("无法换算成万元的成本指标：坐席人员餐费补助（3332元/人/月）", "年度资金总额 80.5 万元"))
OVER = ("cost.over-funds", E, 26, ("30 + 42.5 + 8.01 = 80.51 万元", "超过年度资金总额 80.5 万元", "多 0.01 万元"))
UNDER = ("cost.under-funds", W, 26, ("30 + 42.5 + 7.99 = 80.49 万元", "低于年度资金总额 80.5 万元", "少 0.01 万元"))


@pytest.mark.parametrize(("training", "unresolved", "expected"), [
    pytest.param("8", True, [ASK], id="sum-equals-funds-with-unresolved"),
    pytest.param("8.01", True, [OVER], id="sum-above-funds-with-unresolved"),
    pytest.param("7.99", True, [ASK], id="sum-below-funds-with-unresolved"),
    pytest.param("8", False, [], id="sum-equals-funds"),
    pytest.param("8.01", False, [OVER], id="sum-above-funds"),
    pytest.param("7.99", False, [UNDER], id="sum-below-funds"),
])
def test_cost_rules_at_the_funds_boundary(tmp_path, training, unresolved, expected):
    rows = TRAINING.replace("≤8万元", f"≤{training}万元") + (UNRESOLVED if unresolved else "")
    findings = check(tmp_path, (TRAINING, rows))
    assert [(f.rule, f.severity, f.line) for f in findings] == [(rule, severity, line) for rule, severity, line, _ in expected]
    for finding, (_, _, _, fragments) in zip(findings, expected):
        for fragment in fragments:
            assert fragment in finding.message, (fragment, finding.message)
