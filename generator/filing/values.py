"""Parse a 指标值 into a structured value: a quantity, a date or period, or qualitative text.

    "≥95%"          → Quantity("≥", 95, "%")
    "≤9.8万元"      → Quantity("≤", 9.8, "万元")
    "3332元/人/月"  → Quantity("", 3332, "元/人/月")     (a unit price)
    "95%以上。"     → Quantity("≥", 95, "%")        (a trailing 。 is not part of the value)
    "250万"         → Quantity("", 250, "万")        (money in 万元, as 万元 amounts are often written)
    "三期", "百分之九十五" → Quantity("", 3, "期"), Quantity("", 95, "%")
    "2024年12月31日前" → Timing("date", year=2024, month=12, day=31, operator="前")
    "11月前", "20日内", "12个月", "十二个月", "全年", "每月" → Timing(...)
    "第四季度"      → Timing("month", month=12)     (a quarter ends in its last month)
    "合格", "长期"   → Text

Full-width digits and punctuation are accepted; the text itself is never changed.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

# Canonical operators, as printed on forms.
GE, GT, EQ, LE, LT = "≥", "＞", "＝", "≤", "＜"

_PREFIX_OPERATORS = {
    "≥": GE, ">=": GE, "≧": GE, "不低于": GE, "不少于": GE, "至少": GE, "大于等于": GE,
    "＞": GT, ">": GT, "大于": GT, "高于": GT, "超过": GT,
    "＝": EQ, "=": EQ, "==": EQ, "等于": EQ, "达到": EQ,
    "≤": LE, "<=": LE, "≦": LE, "不高于": LE, "不超过": LE, "不多于": LE, "不大于": LE, "控制在": LE, "小于等于": LE,
    "＜": LT, "<": LT, "小于": LT, "低于": LT,
}
_SUFFIX_OPERATORS = {"及以上": GE, "以上": GE, "及以下": LE, "以下": LE, "以内": LE, "之内": LE, "内": LE}

# Units a quantity may carry. Compound units join these with "/" (元/人/月, 次/年).
BASE_UNITS = frozenset(
    "次 台 人 人次 个 套 本 册 份 件 项 场 期 批 篇 条 辆 户 所 家 间 处 座 张 部 组 类 名 位 门 株 头 只 盏 天 日 月 年 "
    "周 小时 分钟 季度 元 万元 亿元 千元 % ‰ 平方米 ㎡ 立方米 米 公里 千米 亩 公顷 吨 千克 公斤 GB TB 兆 M 学时 课时 "
    "个月 人月 台次 架次 车次 户次 篇次 期次 场次 公里数 分 页 字".split()
)
# A bare 万 after a number is 万元: forms print amounts as "36万", "≤9.8万". (12万件 is a count: 万 is then a scale.)
MONEY_UNITS = {"元": Decimal("0.0001"), "千元": Decimal("0.1"), "万元": Decimal(1), "万": Decimal(1), "亿元": Decimal(10000)}
_SCALES = ("万", "千", "百", "亿")
# Applied before NFKC folding, which would turn ㎡ into "m2" and · into a plain dot.
_UNIT_ALIASES = {"百分比": "%", "％": "%", "平米": "平方米", "㎡": "平方米", "m²": "平方米", "㎥": "立方米", "m³": "立方米", "·": "/", "・": "/"}


@dataclass(frozen=True)
class Quantity:
    operator: str  # one of ≥ ＞ ＝ ≤ ＜, or "" when none was written
    number: Decimal
    unit: str  # "" for a bare number

    @property
    def base_unit(self) -> str:
        """The first part of the unit: 元 for 元/人/月."""
        return self.unit.split("/")[0]

    @property
    def per_unit(self) -> bool:
        """A rate such as 元/人/月 or 次/年."""
        return "/" in self.unit

    @property
    def is_money(self) -> bool:
        return self.base_unit in MONEY_UNITS

    @property
    def is_percent(self) -> bool:
        return self.unit == "%"

    def in_wan_yuan(self) -> Decimal:
        return self.number * MONEY_UNITS[self.base_unit]


@dataclass(frozen=True)
class Timing:
    """A deadline, a period or a duration."""

    kind: str  # "date" (a day), "month" (a month of the budget year), "duration", "period"
    operator: str = ""  # 前 / 内 / ≥ ...
    year: int | None = None
    month: int | None = None
    day: int | None = None
    amount: Decimal | None = None  # for durations
    unit: str = ""  # 个月 / 日 / 天 / 周 for durations; 全年 / 每月 ... for periods


@dataclass(frozen=True)
class Text:
    text: str


@dataclass(frozen=True)
class Empty:
    pass


Value = Quantity | Timing | Text | Empty


def normalize(text: str) -> str:
    """Full-width digits, letters and punctuation folded to ASCII, spaces removed (for parsing only)."""
    for alias, unit in _UNIT_ALIASES.items():
        text = text.replace(alias, unit)
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


_NUMBER = r"(?P<number>[+-]?\d+(?:,\d{3})*(?:\.\d+)?)"
_DATE = re.compile(
    r"^(?P<op>≤|<=|<)?(?:(?P<year>\d{4})(?:年|[-./]))?(?P<month>\d{1,2})(?:月|[-./])(?:(?P<day>\d{1,2})(?:日|号)?)?"
    r"(?P<part>份|底|末|上旬|中旬|下旬|中)?(?P<suffix>前|之前|以前|内|以内|止)?(?:完成|完工|结束)?$"
)
_DURATION = re.compile(r"^(?P<op>≥|>=|≤|<=|<|>)?(?P<amount>\d+(?:\.\d+)?)(?P<unit>个月|个工作日|工作日|日|天|周|小时)(?P<suffix>内|以内|之内)$|^(?P<op2>≥|>=|≤|<=|<|>)?(?P<amount2>\d+(?:\.\d+)?)(?P<unit2>个月)$")
_YEAR_END = re.compile(r"^(?P<year>\d{4})年(?:底|末)(?P<suffix>前|之前|以前)?(?:完成)?$")
_PERIODS = ("全年", "每月", "每季度", "每年", "每周", "每日", "每天", "按月", "按季度", "年内", "当年", "年底前", "年末前")
_QUARTER = re.compile(
    r"^(?:(?P<year>\d{4})年度?)?(?:第(?P<nth>[一二三四1-4])|(?P<cn>[一二三四]))季度(?:末|底)?"
    r"(?P<suffix>前|之前|以前|内|以内)?(?:完成)?$"
)
_OPERATOR_WORDS = "|".join(sorted(map(re.escape, _PREFIX_OPERATORS), key=len, reverse=True))
_PREFIX = re.compile("^(?P<op>" + _OPERATOR_WORDS + ")")
_SUFFIX = re.compile("(?P<op>" + "|".join(sorted(map(re.escape, _SUFFIX_OPERATORS), key=len, reverse=True)) + ")$")


def _known_unit(unit: str) -> bool:
    parts = unit.split("/")
    return all(
        part in BASE_UNITS or part in MONEY_UNITS or (part[:1] in _SCALES and part[1:] in BASE_UNITS)
        for part in parts
    ) and bool(parts[0])


def _timing(text: str) -> Timing | None:
    if text in _PERIODS:
        return Timing("period", unit=text)
    if match := _QUARTER.match(text):
        quarter = match["nth"] or match["cn"]
        return Timing(
            "month", operator=match["suffix"] or "", year=int(match["year"]) if match["year"] else None,
            month=3 * (int(quarter) if quarter.isdigit() else _CN_DIGITS[quarter]),
        )
    if match := _YEAR_END.match(text):
        return Timing("month", operator=match["suffix"] or "", year=int(match["year"]), month=12)
    if match := _DURATION.match(text):
        operator = match["op"] or match["op2"] or ""
        amount = match["amount"] or match["amount2"]
        unit = match["unit"] or match["unit2"]
        return Timing("duration", operator=_PREFIX_OPERATORS.get(operator, match["suffix"] or ""), amount=Decimal(amount), unit=unit)
    if (match := _DATE.match(text)) and ("月" in text or match["year"]):
        month = int(match["month"])
        day = int(match["day"]) if match["day"] else None
        year = int(match["year"]) if match["year"] else None
        if not 1 <= month <= 12:
            return None
        if day is not None and not 1 <= day <= calendar.monthrange(year or 2024, month)[1]:  # 2024: allow 2月29日
            return None
        operator = match["suffix"] or (_PREFIX_OPERATORS[match["op"]] if match["op"] else "")
        return Timing(
            "date" if day else "month", operator=operator,
            year=year, month=month, day=day,
        )
    return None


def _quantity(text: str) -> Quantity | None:
    operator, rest = "", text
    if match := _PREFIX.match(rest):
        operator, rest = _PREFIX_OPERATORS[match["op"]], rest[match.end():]
    if match := re.match(r"^(?P<unit>%)(?P<op>=|≥|≤)?" + _NUMBER + "$", rest):  # scrambled "%=99"
        return None
    if not (match := re.match(_NUMBER + r"(?P<unit>.*)$", rest)):
        return None
    unit = match["unit"]
    if suffix := _SUFFIX.search(unit):
        if operator and _SUFFIX_OPERATORS[suffix["op"]] != operator:
            return None  # "≥95%以下": operators that contradict each other, leave it to a human
        operator, unit = _SUFFIX_OPERATORS[suffix["op"]], unit[: suffix.start()]
    if unit and not _known_unit(unit):
        return None
    try:
        number = Decimal(match["number"].replace(",", ""))
    except InvalidOperation:
        return None
    return Quantity(operator, number, unit)


# Chinese numerals in a value (三期, 十二个月, 百分之九十五). 万 and 亿 stay where they are: they are a
# scale of the unit (三万人次 reads like 3万人次) or money (250万).
_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_POWERS = {"十": 10, "百": 100, "千": 1000}
_CN_RUN = "[零〇一二两三四五六七八九十百千]+"
_CN_LEADING = re.compile(
    "^(?P<op>" + _OPERATOR_WORDS + r")?(?P<percent>百分之)?(?P<number>" + _CN_RUN + r"|\d+(?:\.\d+)?)(?P<rest>\D.*)?$"
)


def _cn_number(text: str) -> int | None:
    """一百零五 → 105, 十二 → 12; None for what is not a well-formed number below 10000 (二〇, 一百五)."""
    total, digit, last_power, zero = 0, None, 10000, False
    for char in text:
        if char in "零〇":
            if digit is not None or last_power == 10000:
                return None
            zero = True
        elif char in _CN_DIGITS:
            if digit is not None:
                return None
            digit = _CN_DIGITS[char]
        else:
            power = _CN_POWERS[char]
            if power >= last_power or (digit is None and total):
                return None  # 十 and 百 alone count one ten, one hundred; 一百十 is not written
            total, digit, last_power, zero = total + (1 if digit is None else digit) * power, None, power, False
    if digit is not None:
        if last_power > 10 and last_power != 10000 and not zero:
            return None  # 一百五 means 150 in speech: not guessed
        total += digit
    return total


def _arabic(text: str) -> str:
    """The value with a leading Chinese numeral (after an operator) in digits, for parsing only."""
    match = _CN_LEADING.match(text)
    if match is None:
        return text
    number = match["number"]
    if not number[0].isdigit():
        if number[0] in "百千" and not match["percent"]:
            return text  # 千元 is a unit, not 1000元
        number = _cn_number(number)
        if number is None:
            return text
    elif not match["percent"]:
        return text
    return f"{match['op'] or ''}{number}{'%' if match['percent'] else ''}{match['rest'] or ''}"


def parse_value(raw: str) -> Value:
    text = normalize(raw)
    text = text.rstrip("。") or text  # values written as sentences end in a full stop
    if not text:
        return Empty()
    if timing := _timing(text):
        return timing
    text = _arabic(text)
    return _timing(text) or _quantity(text) or Text(raw)


_TYPED_TARGET = re.compile(
    r"^(?P<operator>\s*(?:" + _OPERATOR_WORDS + r")?\s*)"
    r"(?P<number>[+-]?[0-9０-９]+(?:[,，][0-9０-９]{3})*(?:[.．][0-9０-９]+)?)(?P<unit>.*)$",
    re.S,
)


def split_target(raw: str) -> tuple[str, str, str] | None:
    """A quantified target cut into (operator, number, unit) for forms that print them in separate
    columns: pieces of the text exactly as typed ("≥ 200人次" → "≥ ", "200", "人次"). None for
    anything else (dates, text, "95%以上"), which such a form prints whole in its value column."""
    match = _TYPED_TARGET.match(raw)
    if match is None or not isinstance(parse_value(raw), Quantity):
        return None
    unit = match["unit"]
    if _SUFFIX.search(normalize(unit)):
        return None  # the operator is a word after the unit: not a separate piece of the text
    return match["operator"].strip(), match["number"], unit.strip()


# Periods and dates of header fields (项目期 2024-2026年, 项目支出实施期 2023.07-2024.01, 项目起止时间
# 202001-202012, 项目开始日期 2025-01-01). Months are (year, month); a bare year spans its twelve months.
_YEAR_MONTH = r"(?P<{0}y>(?:19|20)\d{{2}})(?:\s*(?:年|[.\-/])?\s*(?P<{0}m>0?[1-9]|1[0-2])(?:\s*月)?)?\s*(?:年|年度)?"
_PERIOD_SPAN = re.compile(
    "^" + _YEAR_MONTH.format("a") + r"\s*(?:[-—－~～至到]+\s*" + _YEAR_MONTH.format("b") + ")?$"
)
_COMPACT_SPAN = re.compile(r"^(?P<ay>(?:19|20)\d{2})(?P<am>0[1-9]|1[0-2])\s*[-—－~～至到]+\s*(?P<by>(?:19|20)\d{2})(?P<bm>0[1-9]|1[0-2])$")
_PERIOD_LENGTH = re.compile(r"^(?P<years>\d{1,2}|[一二三四五六七八九十])\s*年(?:期)?$")
_DAY = re.compile(r"^(?P<y>(?:19|20)\d{2})\s*(?:年|[.\-/])\s*(?P<m>\d{1,2})\s*(?:月|[.\-/])\s*(?P<d>\d{1,2})\s*日?$")
_EXCEL_SERIAL = re.compile(r"^\d{2},?\d{3}(?:\.0+)?$")


@dataclass(frozen=True)
class Period:
    start: tuple[int, int]  # (year, month)
    end: tuple[int, int]

    def covers(self, year: int) -> bool:
        return self.start[0] <= year <= self.end[0]


def parse_period(raw: str) -> Period | None:
    """A period as (year, month) bounds; None if it is not one (a length like "3年" is not a range)."""
    text = unicodedata.normalize("NFKC", raw).strip()
    match = _COMPACT_SPAN.match(text) or _PERIOD_SPAN.match(text)
    if match is None:
        return None
    start = (int(match["ay"]), int(match["am"]) if match["am"] else 1)
    if match["by"]:
        end = (int(match["by"]), int(match["bm"]) if match["bm"] else 12)
    else:
        end = (start[0], start[1] if match["am"] else 12)  # "2024年" is the whole year, "2024年7月" one month
    return Period(start, end)


def is_period_length(raw: str) -> bool:
    return bool(_PERIOD_LENGTH.match(unicodedata.normalize("NFKC", raw).strip()))


def parse_day(raw: str):
    """A calendar day as datetime.date, or None."""
    import datetime

    match = _DAY.match(unicodedata.normalize("NFKC", raw).strip())
    if match is None:
        return None
    try:
        return datetime.date(int(match["y"]), int(match["m"]), int(match["d"]))
    except ValueError:
        return None


def looks_like_excel_serial(raw: str) -> bool:
    """A 5-digit number such as 44561 or 45,657 where a date belongs: Excel's day count, not a date."""
    text = raw.strip()
    return bool(_EXCEL_SERIAL.match(text)) and 20000 <= int(float(text.replace(",", ""))) <= 80000


def excel_serial_date(raw: str):
    """The date an Excel serial stands for (1900 date system)."""
    import datetime

    return datetime.date(1899, 12, 30) + datetime.timedelta(days=int(float(raw.strip().replace(",", ""))))
