"""Rules on 项目资金 (万元)."""

from __future__ import annotations

from decimal import Decimal

from ...common.findings import Severity
from . import Hit, rule
from .money import wan


def _amounts(filing, form):
    """(key, amount, position) of each money item that is filled in, in the form's order."""
    for item in form.funds.items:
        amount = filing.amounts.get(item.key)
        if amount is not None:
            yield item.key, amount, filing.value_at(form.funds.key, item.key)


def _relation_hits(filing, form, severity: str):
    amounts = filing.amounts
    for relation in form.funds.relations:
        if relation.severity != severity:
            continue
        left = amounts.get(relation.left) or Decimal(0)
        right = sum((amounts.get(key) or Decimal(0) for key in relation.right), Decimal(0))
        if relation.holds(left, right):
            continue
        terms = " + ".join(f"{key} {wan(amounts.get(key) or Decimal(0))} 万元" for key in relation.right)
        total = f"（= {wan(right)} 万元）" if len(relation.right) > 1 else ""
        broken = {"=": "≠", "≥": "<", "≤": ">"}[relation.operator]
        yield Hit(
            filing.value_at(form.funds.key, relation.left),
            f"{relation.left} {wan(left)} 万元 {broken} {terms}{total}；表上应有 {relation.text}",
        )


@rule(
    "funds.sum",
    Severity.ERROR,
    "项目资金的金额之间对不上",
    "表上的金额有固定的关系，例如“年度资金总额”是“其中:财政拨款”与“其他资金”之和、当年资金不超过项目总资金；"
    "关系写在表样定义（form.yaml 的 funds.relations）里。对不上通常是改了一个数忘了改另一个，财政部门会退回修改。",
)
def funds_sum(filing, form):
    yield from _relation_hits(filing, form, "error")


@rule(
    "funds.relation",
    Severity.WARNING,
    "项目资金的金额之间可能对不上",
    "有的表样上金额之间的关系只是通常如此（例如预算申报数 = 中央补助 + 省级财政 + 其他资金），表样定义把它标为警告；"
    "请核对金额，确有原因时可以忽略。",
)
def funds_relation(filing, form):
    yield from _relation_hits(filing, form, "warning")


@rule(
    "funds.negative",
    Severity.ERROR,
    "金额为负数",
    "项目资金的金额都不能是负数。",
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

