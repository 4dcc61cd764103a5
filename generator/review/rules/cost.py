"""Cost against funds (适当性): the 成本指标 amounts, converted to 万元, checked against 年度资金总额."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from ...common.findings import Severity
from ...filing.values import MONEY_UNITS, Quantity
from . import Hit, rule
from .indicators import Placed, of_role, real
from .money import wan

_TOTAL_COST = re.compile(r"总成本|总费用|项目成本|预算总额|总投入|成本总额")
_UNIT_PRICE_NAME = re.compile(r"单价|单位成本|标准|人均|每人|每台|每套")
_PRICE_SUFFIX = re.compile(r"(单价|单位成本|标准|费用|价格|成本)$")
_COUNT_SUFFIX = re.compile(r"(数量|台数|套数|个数|人数|数)$")


@dataclass(frozen=True)
class CostPicture:
    """What the cost rows add up to, and the rows that could not be added."""

    terms: list[str]  # how each amount was obtained, for the message
    total: Decimal  # 万元
    unresolved: list[str]  # rows that are not amounts (text, or a unit price without a quantity)
    total_cost_row: Placed | None  # an explicit 总成本 row, compared on its own


def _subject(name: str, suffix: re.Pattern) -> str:
    return suffix.sub("", name.strip())


def _matching_quantity(price: Placed, quantities: list[Placed]) -> Quantity | None:
    subject = _subject(price.indicator.name, _PRICE_SUFFIX)
    for candidate in quantities:
        value = candidate.value
        if isinstance(value, Quantity) and not value.is_money and _subject(candidate.indicator.name, _COUNT_SUFFIX) == subject:
            return value
    return None


def cost_picture(filing, form) -> CostPicture | None:
    rows = real(of_role(filing, form, "cost"))
    if not rows:
        return None
    quantities = real(of_role(filing, form, "quantity"))
    terms, amounts, unresolved, total_row = [], [], [], None
    for row in rows:
        value = row.value
        if not isinstance(value, Quantity) or not value.is_money:
            unresolved.append(f"{row.indicator.name}（{row.indicator.value}）")
            continue
        if _TOTAL_COST.search(row.indicator.name) and not value.per_unit:
            total_row = row
            continue
        if value.per_unit or _UNIT_PRICE_NAME.search(row.indicator.name):
            quantity = _matching_quantity(row, quantities)
            if quantity is None or (value.per_unit and len(value.unit.split("/")) > 2):
                unresolved.append(f"{row.indicator.name}（{row.indicator.value}）")
                continue
            amounts.append(quantity.number * value.in_wan_yuan())
            terms.append(f"{wan(quantity.number)}{quantity.unit} × {wan(value.number)}{value.unit}")
        else:
            amounts.append(value.in_wan_yuan())
            terms.append(wan(value.number) if MONEY_UNITS[value.base_unit] == 1 else f"{wan(value.number)}{value.unit}")
    return CostPicture(terms, sum(amounts, Decimal(0)), unresolved, total_row)


def _where(filing, form):
    """The first filed cost group."""
    level, spec = next(((level, spec) for level, spec in form.groups_with_role("cost") if filing.group(level, spec.name)), (None, None))
    return filing.at(form.indicators.key, level, spec.name) if spec else filing.at(form.indicators.key)


def _total_name(form) -> str:
    """The form's own name for the project's money of the year (年度资金总额, 预算申报数, 本级 + 上级)."""
    return form.funds.total_label


def _sum_text(picture: CostPicture) -> str:
    return f"{' + '.join(picture.terms)} = {wan(picture.total)} 万元"


@rule(
    "cost.over-funds",
    Severity.ERROR,
    "成本超过年度资金总额",
    "成本指标的金额（换算成万元）加起来不能超过项目的年度资金总额：钱不够，目标就无法完成。"
    "有“总成本”指标时只比较它；单价（元/人/月、元/台）乘以对应的数量指标后再加总。",
)
def over_funds(filing, form):
    picture = cost_picture(filing, form)
    if picture is None:
        return
    funds = filing.total
    if picture.total_cost_row is not None:
        value = picture.total_cost_row.value
        if value.in_wan_yuan() > funds:
            yield Hit(
                picture.total_cost_row.indicator.value_position,
                f"总成本 {wan(value.in_wan_yuan())} 万元超过{_total_name(form)} {wan(funds)} 万元",
            )
    elif picture.terms and picture.total > funds:
        yield Hit(_where(filing, form), f"成本指标合计 {_sum_text(picture)}，超过{_total_name(form)} {wan(funds)} 万元（多 {wan(picture.total - funds)} 万元）")


@rule(
    "cost.under-funds",
    Severity.WARNING,
    "成本合计低于年度资金总额",
    "成本指标是资金的用途分解，合计一般应等于年度资金总额。合计偏低说明有一部分资金没有对应的产出，审核时会询问。",
)
def under_funds(filing, form):
    picture = cost_picture(filing, form)
    if picture is None or picture.total_cost_row is not None or picture.unresolved or not picture.terms:
        return
    funds = filing.total
    if picture.total < funds:
        yield Hit(_where(filing, form), f"成本指标合计 {_sum_text(picture)}，低于{_total_name(form)} {wan(funds)} 万元（少 {wan(funds - picture.total)} 万元）")


@rule(
    "cost.unverifiable",
    Severity.INFO,
    "成本无法与年度资金总额核对",
    "成本指标中有文字、或找不到对应数量指标的单价（例如“3332元/人/月”），无法换算成万元与年度资金总额核对；"
    "请审核人员人工核对，或补充总成本指标。",
)
def unverifiable(filing, form):
    picture = cost_picture(filing, form)
    if picture is None or picture.total_cost_row is not None or not picture.unresolved:
        return
    if picture.total > filing.total:
        return  # already reported as over the funds
    yield Hit(_where(filing, form), f"无法换算成万元的成本指标：{'、'.join(picture.unresolved)}；请人工核对是否与{_total_name(form)} {wan(filing.total)} 万元相符")
