"""Rules on 项目资金 (万元)."""

from __future__ import annotations

from dataclasses import astuple

from ...common.findings import Severity
from . import Hit, rule


def _amounts(filing, form):
    """(key, amount, position) of each 项目资金 item; Funds holds them in the form's order."""
    for item, amount in zip(form.funds_items, astuple(filing.funds), strict=True):
        yield item.key, amount, filing.value_at(form.funds.key, item.key)


@rule(
    "funds.sum",
    Severity.ERROR,
    "年度资金总额不等于财政拨款加其他资金",
    "表上“年度资金总额”是“其中:财政拨款”与“其他资金”之和。两者不等通常是改了一个数忘了改另一个，财政部门会退回修改。",
)
def funds_sum(filing, form):
    funds = filing.funds
    if funds.total != funds.fiscal + funds.other:
        yield Hit(
            filing.value_at(form.funds.key, form.funds_items[0].key),
            f"年度资金总额 {funds.total} 万元 ≠ 财政拨款 {funds.fiscal} 万元 + 其他资金 {funds.other} 万元"
            f"（= {funds.fiscal + funds.other} 万元）",
        )


@rule(
    "funds.negative",
    Severity.ERROR,
    "金额为负数",
    "项目资金的三个金额都不能是负数。",
)
def funds_negative(filing, form):
    for key, amount, position in _amounts(filing, form):
        if amount < 0:
            yield Hit(position, f"{key}是 {amount} 万元，金额不能为负数")


@rule(
    "funds.precision",
    Severity.WARNING,
    "金额超过两位小数",
    "项目资金以万元为单位，通常保留到两位小数（百元）。更多小数位多半是把元当成了万元，或者是计算时的尾数。",
)
def funds_precision(filing, form):
    for key, amount, position in _amounts(filing, form):
        if -amount.as_tuple().exponent > 2:
            yield Hit(position, f"{key} {amount} 万元有 {-amount.as_tuple().exponent} 位小数，请核对单位和尾数")


PLAUSIBLE_LIMIT = 10_000_000  # 万元, that is 1000 亿元: more than any department's project


@rule(
    "funds.magnitude",
    Severity.WARNING,
    "金额大得不合理",
    f"项目资金的单位是万元。超过 {PLAUSIBLE_LIMIT:,} 万元（1000 亿元）的金额，多半是按元填写了，或者多打了几位数。",
)
def funds_magnitude(filing, form):
    for key, amount, position in _amounts(filing, form):
        if abs(amount) > PLAUSIBLE_LIMIT:
            yield Hit(position, f"{key} {amount} 万元大得不合理；单位是万元，请检查是否按元填写或多打了数字")

