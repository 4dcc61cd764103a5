"""The review rules, their configuration ([tool.jixiao]), inline suppression and their documentation.

Every rule test starts from templates/yinchuan-2024/example.yaml (a filing without any finding), or the
example filing of another pack for what only that pack has (dates, warning relations, scores, detail
options), changes only what it is about with `mutate(...)` (each replaced text must occur exactly once),
writes it to tmp_path/projects/<年度>/x.yaml and checks it in-process with `check_paths`. A trigger asserts the
rule id, its severity, the exact line and the numbers and names of the Chinese message, and that no
other rule fires; a near miss asserts that the filing stays clean.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

from generator.cli import run
from generator.common.findings import Severity
from generator.common.yamlio import load_document
from generator.filing.model import build_filing
from generator.forms.pack import load_forms
from generator.review.check import check_paths
from generator.review.rules import REGISTRY, STAGES, _register

E, W, I = Severity.ERROR, Severity.WARNING, Severity.INFO
TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
CLEAN = (TEMPLATES / "yinchuan-2024" / "example.yaml").read_text(encoding="utf-8")
GOAL = "年度总体目标: 2024年全年受理群众来电不少于12万件，按时办结率不低于98%，完成坐席系统年度运维，来电群众满意度达到90%以上。"
TOTAL_COST_90 = ("      坐席人员培训费: ≤8万元\n", "      坐席人员培训费: ≤8万元\n      项目总成本: ≤90万元\n")  # new line 30
TOTAL_COST_FULL = ("      坐席人员培训费: ≤8万元\n", "      坐席人员培训费: ≤8万元\n      项目总成本: ≤80.5万元\n")
CJK = re.compile(r"[\u4e00-\u9fff]")


def mutate(*replacements: tuple[str, str], text: str = CLEAN) -> str:
    for old, new in replacements:
        assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times"
        text = text.replace(old, new)
    return text


def write(tmp_path: Path, text: str, *, year: str = "2024", name: str = "x.yaml") -> Path:
    path = tmp_path / "projects" / year / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def example(form: str) -> str:
    """A pack's example filing: clean, no finding at all."""
    return (TEMPLATES / form / "example.yaml").read_text(encoding="utf-8")


def folder_year(form: str, year: str | None) -> str:
    """The year folder a test filing goes in: the example's own 年度 unless a test says otherwise."""
    return year or re.search(r"^年度: (\d{4})$", example(form), re.M)[1]


def check(tmp_path: Path, *replacements: tuple[str, str], year: str | None = None, form: str = "yinchuan-2024"):
    text = mutate(*replacements, text=example(form))
    findings, filings = check_paths([write(tmp_path, text, year=folder_year(form, year))])
    return findings


def test_clean_filing_has_no_finding_at_all(tmp_path):
    findings, filings = check_paths([write(tmp_path, CLEAN)])
    assert findings == []
    assert [f.name for f in filings] == ["政务服务热线运行经费"]


# ---------------------------------------------------------------------------------------------
# One mutation per rule (or more): rule, severity, exact lines and message fragments.


@dataclass(frozen=True)
class Case:
    rule: str
    severity: Severity
    replacements: tuple[tuple[str, str], ...]
    hits: tuple[tuple[int, tuple[str, ...]], ...]  # (line, fragments of the message), in line order
    also: frozenset[str] = frozenset()  # other rules the mutation necessarily triggers
    year: str | None = None  # the folder's year; None: the example's 年度
    form: str = "yinchuan-2024"  # whose example filing is mutated


def case(rule, severity, *replacements, hits, also=(), year=None, form="yinchuan-2024", id):
    return pytest.param(
        Case(rule, severity, tuple(replacements), tuple(hits), frozenset(also), year, form),
        id=f"{rule}:{id}" if form == "yinchuan-2024" else f"{rule}:{form}:{id}",
    )


CASES = [
    # 项目资金
    case("funds.sum", E, ("其他资金: 10", "其他资金: 5"),
         hits=[(10, ("年度资金总额 80.5 万元", "财政拨款 70.5 万元", "其他资金 5 万元", "（= 75.5 万元）"))], id="other-changed"),
    case("funds.sum", E, ("年度资金总额: 80.5", "年度资金总额: 0"),
         hits=[(10, ("年度资金总额 0 万元", "财政拨款 70.5 万元", "其他资金 10 万元", "（= 80.5 万元）"))],
         also=["cost.over-funds"], id="total-zero"),
    case("funds.relation", W, ("  中央补助安排: 0\n", "  中央补助安排: 10\n"), form="gansu-2023",
         hits=[(18, ("预算申报数 200 万元 ≠ 中央补助安排 10 万元 + 省级财政安排 200 万元 + 其他资金 0 万元", "（= 210 万元）",
                     "预算申报数 = 中央补助安排 + 省级财政安排 + 其他资金"))], id="sources-changed"),
    case("funds.relation", W, ("项目总投资: 200万元", "项目总投资: 150万元"), form="gansu-2023",
         hits=[(14, ("项目总投资 150 万元 < 预算申报数 200 万元", "项目总投资 >= 预算申报数"))], id="investment-below-request"),
    case("funds.negative", E, ("财政拨款: 70.5", "财政拨款: 90.5"), ("其他资金: 10", "其他资金: -10"),
         hits=[(12, ("其他资金", "-10 万元", "不能为负数"))], id="other"),
    case("funds.precision", W, ("财政拨款: 70.5", "财政拨款: 70.4578"), ("其他资金: 10", "其他资金: 10.0422"),
         hits=[(11, ("财政拨款 70.4578 万元", "4 位小数")), (12, ("其他资金 10.0422 万元", "4 位小数"))], id="four-decimals"),
    case("funds.magnitude", W, ("年度资金总额: 80.5", "年度资金总额: 12345678901234567890"),
         ("其他资金: 10", "其他资金: 12345678901234567819.5"),
         hits=[(10, ("年度资金总额 12345678901234567890 万元", "大得不合理")), (12, ("其他资金", "大得不合理"))],
         also=["cost.under-funds"], id="twenty-digits"),
    # 成本 ↔ 资金
    case("cost.over-funds", E, ("坐席人员培训费: ≤8万元", "坐席人员培训费: ≤18万元"),
         hits=[(26, ("30 + 42.5 + 18 = 90.5 万元", "年度资金总额 80.5 万元", "多 10 万元"))], id="breakdown"),
    case("cost.over-funds", E, ("坐席人员培训费: ≤8万元", "坐席人员培训费: ≤180000元"),
         hits=[(26, ("30 + 42.5 + 180000元 = 90.5 万元", "年度资金总额 80.5 万元", "多 10 万元"))], id="breakdown-in-yuan"),
    case("cost.over-funds", E, ("坐席人员培训费: ≤8万元", "坐席人员培训费: ≤18万"),
         hits=[(26, ("30 + 42.5 + 18 = 90.5 万元", "多 10 万元"))], id="breakdown-in-wan"),
    case("cost.over-funds", E, TOTAL_COST_90,
         hits=[(30, ("总成本 90 万元", "年度资金总额 80.5 万元"))], id="total-cost-row"),
    case("cost.under-funds", W, ("坐席人员培训人次: ≥200人次", "坐席电脑台数: 10台"), ("坐席人员培训费: ≤8万元", "坐席电脑单价: 6200元"),
         hits=[(26, ("30 + 42.5 + 10台 × 6200元 = 78.7 万元", "年度资金总额 80.5 万元", "少 1.8 万元"))], id="unit-price-times-count"),
    case("cost.under-funds", W, ("坐席人员培训人次: ≥200人次", "坐席电脑台数: 10台"), ("坐席人员培训费: ≤8万元", "坐席电脑单价: 6200元/台"),
         hits=[(26, ("10台 × 6200元/台 = 78.7 万元", "少 1.8 万元"))], id="per-unit-price"),
    case("cost.under-funds", W, ("坐席人员培训费: ≤8万元", "坐席人员培训费: ≤5万元"),
         hits=[(26, ("30 + 42.5 + 5 = 77.5 万元", "年度资金总额 80.5 万元", "少 3 万元"))], id="breakdown"),
    case("cost.unverifiable", I, ("坐席人员培训费: ≤8万元", "坐席人员培训费: 3332元/人/月"),
         hits=[(26, ("坐席人员培训费（3332元/人/月）", "年度资金总额 80.5 万元"))], id="rate-per-person-per-month"),
    case("cost.unverifiable", I, ("坐席人员培训费: ≤8万元", "坐席人员培训单价: 400元"),
         hits=[(26, ("坐席人员培训单价（400元）", "80.5 万元"))], id="unit-price-without-count"),
    # 完整性
    case("group.required-empty", E, ("    时效指标:\n      年度运维完成时间: 2024年12月31日前\n      来电转办时限: 1日内\n", ""),
         hits=[(15, ("缺少【必填量化】的二级指标“时效指标”",))], id="group-missing"),
    case("group.required-empty", E, ("  满意度指标:\n    服务对象满意度指标:\n      来电群众满意度: ≥90%\n", ""),
         hits=[(14, ("缺少【必填量化】的二级指标“服务对象满意度指标”",))], id="level-missing"),
    case("group.required-empty", E, ("    可持续影响指标:\n      热线运行管理制度修订: 2024年6月30日前", "    可持续影响指标: {}"),
         hits=[(35, ("【必填】的二级指标“可持续影响指标”没有填写任何指标值",))], id="group-empty"),
    case("indicator.empty-value", E, ("来电转办时限: 1日内", '来电转办时限: ""'),
         hits=[(25, ("三级指标“来电转办时限”（时效指标）没有指标值",))], id="one-of-two"),
    case("indicator.empty-value", E, ("热线运行管理制度修订: 2024年6月30日前", '热线运行管理制度修订: ""'),
         hits=[(36, ("“热线运行管理制度修订”（可持续影响指标）",))], also=["group.required-empty"], id="only-row"),
    case("indicator.empty-name", E, ("来电转办时限: 1日内", '"": 1日内'),
         hits=[(25, ("“时效指标”", "“1日内”", "没有三级指标名称"))], id="quoted-empty-key"),
    case("indicator.placeholder", E, ("来电转办时限: 1日内", "来电转办时限: 无"),
         hits=[(25, ("“时效指标”", "“来电转办时限: 无”", "【必填量化】"))], id="quantified-group"),
    case("indicator.placeholder", E, ("群众诉求解决率: ≥90%", "群众诉求解决率: /"),
         hits=[(33, ("“社会效益指标”", "“群众诉求解决率: /”", "【必填】"))], id="required-group"),
    case("indicator.placeholder-optional", W, ("经济效益指标: {}", "经济效益指标: {无: 0}"),
         hits=[(31, ("“经济效益指标”", "“无: 0”", "写 {}"))], id="optional-group"),
    # 细化量化
    case("quantified.text", E, ("来电按时办结率: ≥98%", "来电按时办结率: 合格"),
         hits=[(21, ("“质量指标”", "“来电按时办结率”", "“合格”"))], id="text"),
    case("quantified.text", E, ("来电按时办结率: ≥98%", "来电按时办结率: 明显提升"),
         hits=[(21, ("“来电按时办结率”", "“明显提升”"))], id="vague-text-in-quantified-group"),
    case("quantified.bare-number", E, ("话务坐席数量: 40个", "话务坐席数量: 40"),
         hits=[(19, ("“话务坐席数量”", "“40”", "没有单位"))], id="plain"),
    case("quantified.bare-number", E, ("      话务坐席数量: 40个\n", "      话务坐席数量:\n        指标值: 40\n        指标解释: 开通的坐席数\n"),
         hits=[(20, ("“话务坐席数量”", "“40”"))], id="mapping-points-at-指标值"),
    case("direction.cost", E, ("坐席人员培训费: ≤8万元", "坐席人员培训费: ≥8万元"),
         hits=[(29, ("成本指标“坐席人员培训费”", "“≥8万元”", "“≤8万元”"))], id="ge"),
    case("direction.cost", E, ("坐席人员培训费: ≤8万元", "坐席人员培训费: 不低于8万元"),
         hits=[(29, ("“不低于8万元”", "“≤8万元”"))], id="words"),
    case("direction.satisfaction", E, ("来电群众满意度: ≥90%", "来电群众满意度: ≤90%"),
         hits=[(39, ("满意度指标“来电群众满意度”", "“≤90%”", "“≥90%”"))], id="le"),
    case("range.percent", E, ("系统运维验收合格率: 100%", "系统运维验收合格率: 120%"),
         hits=[(22, ("“系统运维验收合格率”", "120%", "0% 到 100%"))], id="over-100"),
    case("range.satisfaction", E, ("来电群众满意度: ≥90%", "来电群众满意度: ≥75%"),
         hits=[(39, ("“来电群众满意度”", "75%", "低于 80%"))], id="below-80"),
    case("range.satisfaction", E, ("来电群众满意度: ≥90%", "来电群众满意度: ≥90分"),
         hits=[(39, ("“来电群众满意度”", "单位应为 %", "“分”"))], id="not-percent"),
    case("range.satisfaction-full", W, ("来电群众满意度: ≥90%", "来电群众满意度: 100%"),
         hits=[(39, ("“来电群众满意度”", "100%", "无法核实"))], id="100"),
    case("timeliness.outside-year", E, ("年度运维完成时间: 2024年12月31日前", "年度运维完成时间: 2025年3月31日前"),
         hits=[(24, ("“年度运维完成时间”", "“2025年3月31日前”", "2024 年度"))], id="date-next-year"),
    case("timeliness.outside-year", E, ("年度运维完成时间: 2024年12月31日前", "年度运维完成时间: 2021年12月底完成"),
         hits=[(24, ("“2021年12月底完成”", "2024 年度"))], id="month-earlier-year"),
    case("timeliness.outside-year", E, ("年度运维完成时间: 2024年12月31日前", "年度运维完成时间: 2025年第一季度"),
         hits=[(24, ("“年度运维完成时间”", "“2025年第一季度”", "2024 年度"))], id="quarter-next-year"),
    case("timeliness.outside-year", E, ("来电转办时限: 1日内", "来电转办时限: 十八个月"),
         hits=[(25, ("“来电转办时限”", "18 个月", "超过一个预算年度"))], id="months-in-chinese-numerals"),
    case("timeliness.outside-year", E, ("来电转办时限: 1日内", "来电转办时限: 24个月"),
         hits=[(25, ("“来电转办时限”", "24 个月", "超过一个预算年度"))], id="24-months"),
    case("timeliness.outside-year", E, ("年度运维完成时间: 2024年12月31日前", "年度运维完成时间: 2023.07-2024.01"),
         hits=[(24, ("“2023.07-2024.01”", "涉及 2023 年", "2024 年度"))], also=["quantified.text"], id="text-span"),
    case("timeliness.outside-year", E, ("热线运行管理制度修订: 2024年6月30日前", "热线运行管理制度修订: 2025年6月30日前"),
         hits=[(36, ("“热线运行管理制度修订”", "“2025年6月30日前”"))], id="date-outside-时效"),
    case("timeliness.excel-serial", E, ("年度运维完成时间: 2024年12月31日前", "年度运维完成时间: 45657"),
         hits=[(24, ("“年度运维完成时间”", "“45657”", "Excel 的日期序号", "2024-12-31", "请写成日期"))], id="serial"),
    case("timeliness.excel-serial", E, ("年度运维完成时间: 2024年12月31日前", '年度运维完成时间: "45,657"'),
         hits=[(24, ("“45,657”", "2024-12-31"))], id="thousands-separator"),
    case("timeliness.excel-serial", E, ("来电转办时限: 1日内", "来电转办时限: ≤44561"),
         hits=[(25, ("“来电转办时限”", "“44561”", "2021-12-31"))], id="after-an-operator"),
    case("timeliness.excel-serial", E,
         ("{指标性质: 反向, 指标方向: ≤, 目标值: 48, 计量单位: 小时, 分值: 10}", '{指标性质: 正向, 指标方向: "=", 目标值: "45,657", 计量单位: "45,657", 分值: 10}'),
         form="inner-mongolia-2021", hits=[(22, ("“故障路灯修复时限”", "“45,657”", "2024-12-31"))], id="split-columns-as-exported"),
    # 赋分、栏目选项
    case("score.weights", E, ("目标值: 3000, 计量单位: 盏, 分值: 15}", "目标值: 3000, 计量单位: 盏, 分值: 20}"), form="inner-mongolia-2021",
         hits=[(16, ("“产出指标”下三级指标的分值合计 55 分", "产出指标的权重 50 分", "多 5 分"))], id="one-level-over"),
    case("score.weights", E, ("目标值: 95, 计量单位: \"%\", 分值: 15}", "目标值: 95, 计量单位: \"%\", 分值: 20}"),
         ("目标值: 90, 计量单位: \"%\", 分值: 10,", "目标值: 90, 计量单位: \"%\", 分值: 5,"), form="inner-mongolia-2021",
         hits=[(25, ("“效益指标”", "合计 35 分", "效益指标的权重 30 分", "多 5 分")),
               (30, ("“满意度指标”", "合计 5 分", "满意度指标的权重 10 分", "少 5 分"))], id="points-moved-between-levels"),
    case("score.weights", E, ("目标值: 3000, 计量单位: 盏, 分值: 15}", "目标值: 3000, 计量单位: 盏, 分值: 十五}"), form="inner-mongolia-2021",
         hits=[(18, ("“路灯维护数量”（数量指标）的分值“十五”不是数字",))], id="not-a-number"),
    case("indicator.option", W, ("        绩效标准: 行业标准\n", "        绩效标准: 国家标准\n"), form="hunan-2023",
         hits=[(23, ("“接口调用成功率”的绩效标准“国家标准”不是表样的选项", "计划标准、行业标准、历史标准、预算支出标准、其他标准"))],
         id="绩效标准"),
    # 相关性
    case("vague.value", W, ("群众诉求解决率: ≥90%", "群众诉求解决率: 明显提升"),
         hits=[(33, ("“群众诉求解决率”", "“明显提升”", "“明显”"))], id="required-group"),
    case("vague.value", W, ("经济效益指标: {}", "经济效益指标: {带动就业: 持续增加}"),
         hits=[(31, ("“带动就业”", "“持续增加”", "“持续”"))], id="optional-group"),
    case("misplaced.input-measure", E, ("来电按时办结率: ≥98%", "预算执行率: ≥98%"),
         hits=[(21, ("“预算执行率”", "（质量指标）", "（预算执行率）", "产出指标"))], id="under-产出"),
    case("misplaced.input-measure", E, ("群众诉求解决率: ≥90%", "资金到位率: 100%"),
         hits=[(33, ("“资金到位率”", "（社会效益指标）", "效益指标"))], id="under-效益"),
    case("misplaced.satisfaction-in-effects", W, ("群众诉求解决率: ≥90%", "群众满意度: ≥90%"),
         hits=[(33, ("“群众满意度”", "“社会效益指标”"))], id="under-社会效益"),
    case("name.category", E, ("话务坐席数量: 40个", "数量指标: 40个"),
         hits=[(19, ("“数量指标”", "分类名"))], id="group-name"),
    case("name.category", E, ("群众诉求解决率: ≥90%", "社会效益: ≥90%"),
         hits=[(33, ("“社会效益”",))], id="group-name-without-指标"),
    # 表头
    case("header.missing", E, ("实施单位: 银川市政务服务热线中心", '实施单位: ""'),
         hits=[(6, ("“实施单位”没有填写",))], id="实施单位"),
    case("header.missing", E, (GOAL, '年度总体目标: ""'),
         hits=[(13, ("“年度总体目标”没有填写",))], id="年度总体目标"),
    case("header.missing-recommended", W, ("项目属性: 延续项目", '项目属性: ""'),
         hits=[(7, ("“项目属性”没有填写",))], id="项目属性"),
    case("header.missing-recommended", W, ('主管部门及代码: "[812]银川市人民政府办公室"', '主管部门及代码: ""'),
         hits=[(5, ("“主管部门及代码”没有填写",))], id="主管部门及代码"),
    case("header.option", W, ("项目属性: 延续项目", "项目属性: 上年延续性项目"),
         hits=[(7, ("“上年延续性项目”", "新增项目、延续项目"))], id="variant"),
    case("header.department-code", W, ('主管部门及代码: "[812]银川市人民政府办公室"', "主管部门及代码: 银川市人民政府办公室"),
         hits=[(5, ("“银川市人民政府办公室”", "“[812]银川市人民政府办公室”"))], id="no-code"),
    case("header.date", E, ("项目开始日期: 2023-01-01", "项目开始日期: 44927"), form="gansu-2023",
         hits=[(11, ("项目开始日期“44927”", "Excel 的日期序号", "2023-01-01"))], id="excel-serial"),
    case("header.date", E, ("项目完成日期: 2023-12-31", "项目完成日期: 2023年13月1日"), form="gansu-2023",
         hits=[(12, ("项目完成日期“2023年13月1日”不是日期", "“2023-01-01”"))], id="no-such-month"),
    case("header.date", E, ("项目完成日期: 2023-12-31", "项目完成日期: 2022-12-31"), form="gansu-2023",
         hits=[(12, ("项目开始日期 2023-01-01 晚于项目完成日期 2022-12-31",))], id="end-before-start"),
    case("header.date", E, ("项目开始日期: 2023-01-01", "项目开始日期: 2021-01-01"), ("项目完成日期: 2023-12-31", "项目完成日期: 2022-12-31"),
         form="gansu-2023", hits=[(12, ("2021-01-01 至 2022-12-31", "不包含预算年度 2023 年"))], id="before-the-year"),
    case("header.period", E, ("项目期: 2024年", "项目期: 2022-2023年"),
         hits=[(8, ("“2022-2023年”", "预算年度 2024 年"))], id="range-before"),
    case("header.period", E, ("项目期: 2024年", "项目期: 2025年"),
         hits=[(8, ("“2025年”", "2024 年"))], id="other-year"),
    case("header.period", E, ("项目期: 2024年", "项目期: 长期"),
         hits=[(8, ("“长期”无法识别", "“2024年”", "“2024-2026年”"))], id="unrecognised"),
    case("goal.other-years", W, ("2024年全年受理", "2024年至2025年全年受理"),
         hits=[(13, ("2025 年", "只写 2024 年"))], id="next-year"),
    case("goal.other-years", W, ("2024年全年受理", "2023年至2025年全年受理"),
         hits=[(13, ("2023、2025 年",))], id="two-years"),
    case("goal.too-short", W, (GOAL, "年度总体目标: 保障热线运行。"),
         hits=[(13, ("只有 7 个字",))], id="7"),
    case("goal.too-short", W, (GOAL, "年度总体目标: 全年受理群众来电不少于12万件，按时办结率全不低于98%。"),
         hits=[(13, ("只有 29 个字",))], id="29"),
    case("header.year-folder", E, year="2023",
         hits=[(3, ("年度是 2024", "2023 年的文件夹", "projects/2024/"))], id="copied-to-2023"),
    # a draft of a filled filing: only the marker is reported (tests/test_draft.py: the blanks of a new one)
    case("filing.draft", W, ("表样: yinchuan-2024\n", "# jixiao: 草稿\n表样: yinchuan-2024\n"),
         hits=[(2, ("这是草稿", "填写完成后删除这一行"))], id="marker"),
]


@pytest.mark.parametrize("case", CASES)
def test_rule_triggers(tmp_path, case: Case):
    findings = check(tmp_path, *case.replacements, year=case.year, form=case.form)
    assert {f.rule for f in findings} == {case.rule} | case.also, findings
    own = [f for f in findings if f.rule == case.rule]
    assert [f.line for f in own] == [line for line, _ in case.hits], own
    for finding, (_, fragments) in zip(own, case.hits):
        assert finding.severity is case.severity
        assert finding.file.endswith(f"projects/{folder_year(case.form, case.year)}/x.yaml")
        for fragment in fragments:
            assert fragment in finding.message, (fragment, finding.message)


def near(rule, *replacements, year=None, form="yinchuan-2024", id):
    return pytest.param(tuple(replacements), year, form, id=f"{rule}:{id}" if form == "yinchuan-2024" else f"{rule}:{form}:{id}")


NEAR_MISSES = [
    near("filing.draft", ("年度: 2024\n", "年度: 2024\n# jixiao: 草稿\n"), id="below-the-first-key"),
    near("funds.sum", ("财政拨款: 70.5", "财政拨款: 70.25"), ("其他资金: 10", "其他资金: 10.25"), id="other-split"),
    near("funds.sum", ("年度资金总额: 80.5", "年度资金总额: 80.50"), id="trailing-zero"),
    near("funds.relation", ("中央补助安排: 0", "中央补助安排: 50万元"), ("省级财政安排: 200万元", "省级财政安排: 150"), form="gansu-2023",
         id="sources-redistributed"),
    near("funds.relation", ("项目总投资: 200万元", "项目总投资: 600万元"), form="gansu-2023", id="investment-above-request"),
    near("funds.negative", ("财政拨款: 70.5", "财政拨款: 80.5"), ("其他资金: 10", "其他资金: 0"), id="zero"),
    near("funds.precision", ("财政拨款: 70.5", "财政拨款: 70.45"), ("其他资金: 10", "其他资金: 10.05"), id="two-decimals"),
    near("cost.over-funds", ("坐席人员培训费: ≤8万元", "坐席人员培训费: ≤80千元"), id="thousands-of-yuan-equal"),
    near("cost.over-funds", ("坐席人员培训费: ≤8万元", "坐席人员培训费: ≤80000元"), id="yuan-equal"),
    near("cost.over-funds", ("坐席人员培训费: ≤8万元", "坐席人员培训费: ≤8万"), id="wan-is-wan-yuan"),
    near("cost.over-funds", TOTAL_COST_FULL, id="total-cost-equal"),
    near("cost.under-funds", ("坐席人员培训人次: ≥200人次", "坐席电脑台数: 10台"), ("坐席人员培训费: ≤8万元", "坐席电脑单价: 8000元"),
         id="unit-price-times-count-equal"),
    near("cost.under-funds", ("坐席人员培训人次: ≥200人次", "坐席人员培训人数: 200人"), ("坐席人员培训费: ≤8万元", "坐席人员培训标准: 400元"),
         id="standard-times-headcount-equal"),
    near("cost.unverifiable", ("      坐席人员培训费: ≤8万元\n", "      坐席人员培训费: 3332元/人/月\n      项目总成本: ≤80.5万元\n"),
         id="total-cost-row-given"),
    near("quantified.text", ("群众诉求解决率: ≥90%", "群众诉求解决率: 通过验收"), id="text-in-必填-group"),
    near("direction.cost", ("坐席人员培训费: ≤8万元", "坐席人员培训费: ＝8万元"), id="fixed-amount"),
    near("direction.cost", ("坐席人员培训费: ≤8万元", "坐席人员培训费: 不超过8万元"), id="words"),
    near("direction.satisfaction", ("来电群众满意度: ≥90%", "来电群众满意度: 90%以上"), id="以上"),
    near("range.percent", ("来电按时办结率: ≥98%", "来电按时办结率: ≥99.5%"), id="decimal"),
    near("range.satisfaction", ("来电群众满意度: ≥90%", "来电群众满意度: ≥80%"), id="80"),
    near("range.satisfaction-full", ("来电群众满意度: ≥90%", "来电群众满意度: ≥99%"), id="99"),
    near("timeliness.outside-year", ("来电转办时限: 1日内", "来电转办时限: 12个月"), id="12-months"),
    near("timeliness.outside-year", ("年度运维完成时间: 2024年12月31日前", "年度运维完成时间: ≤2024-06-30"), id="iso-date"),
    near("timeliness.outside-year", ("年度运维完成时间: 2024年12月31日前", "年度运维完成时间: 11月前"), id="month-only"),
    near("timeliness.excel-serial", ("年度运维完成时间: 2024年12月31日前", "年度运维完成时间: 2024-12-31"), id="iso-date"),
    near("timeliness.excel-serial", ("受理来电数量: ≥12万件", "受理来电数量: ≥45,657件"), id="count-with-separator"),
    near("timeliness.excel-serial", ("年度运维完成时间: 2024年12月31日前", "年度运维完成时间: 第四季度"), id="quarter"),
    near("score.weights", ("目标值: 3000, 计量单位: 盏, 分值: 15}", "目标值: 3000, 计量单位: 盏, 分值: 20}"),
         ("目标值: 98, 计量单位: \"%\", 分值: 15}", "目标值: 98, 计量单位: \"%\", 分值: 10}"), form="inner-mongolia-2021",
         id="points-moved-within-a-level"),
    near("indicator.option", ("        绩效标准: 行业标准\n", "        绩效标准: 其他标准\n"), form="hunan-2023", id="其他标准"),
    near("vague.value", ("群众诉求解决率: ≥90%", "群众诉求解决率: 通过验收"), id="checkable-state"),
    near("name.category", ("来电群众满意度: ≥90%", "服务对象满意度: ≥90%"), id="satisfaction-named-after-its-group"),
    near("name.category", ("来电群众满意度: ≥90%", "满意度: ≥90%"), id="satisfaction"),
    near("quantified.text", ("来电转办时限: 1日内", "来电转办时限: 十二个月"), id="chinese-numerals"),
    near("quantified.text", ("系统运维验收合格率: 100%", "系统运维验收合格率: 百分之九十五以上。"), id="chinese-percent-sentence"),
    near("header.option", ("项目属性: 延续项目", "项目属性: 新增项目"), id="新增项目"),
    near("header.department-code", ('主管部门及代码: "[812]银川市人民政府办公室"', "主管部门及代码: 【812033】银川市人民政府办公室"), id="【】"),
    near("header.department-code", ('主管部门及代码: "[812]银川市人民政府办公室"', "主管部门及代码: (433)银川市人民政府办公室"), id="()"),
    near("header.department-code", ('主管部门及代码: "[812]银川市人民政府办公室"', "主管部门及代码: 219-银川市人民政府办公室"), id="dash"),
    near("header.date", ("项目完成日期: 2023-12-31", "项目完成日期: 2025年6月30日"), form="gansu-2023", id="chinese-date-years-later"),
    near("header.date", ("项目开始日期: 2023-01-01", "项目开始日期: 2022-07-01"), form="gansu-2023", id="started-last-year"),
    near("header.period", ("项目期: 2024年", "项目期: 2023-2025年"), id="range"),
    near("header.period", ("项目期: 2024年", "项目期: 2024年度"), id="年度"),
    near("header.period", ("项目期: 2024年", "项目期: 3年"), id="length"),
    near("goal.too-short", (GOAL, "年度总体目标: 全年受理群众来电不少于12万件，按时办结率全部不低于98%。"), id="30"),
    near("header.year-folder", year="drafts", id="not-a-year-folder"),
]


@pytest.mark.parametrize(("replacements", "year", "form"), NEAR_MISSES)
def test_near_miss_stays_clean(tmp_path, replacements, year, form):
    assert check(tmp_path, *replacements, year=year, form=form) == []


def test_scores_are_not_checked_when_the_filing_has_none(tmp_path):
    # A scored form filled in without any 分值: the weights are the reviewer's to give, nothing to add up.
    text = re.sub(r", 分值: \d+", "", example("inner-mongolia-2021"))
    assert "分值" not in text
    findings, _ = check_paths([write(tmp_path, text, year="2021")])
    assert findings == []


def test_vague_wording_is_quantified_text_inside_quantified_groups_only(tmp_path):
    inside = check(tmp_path / "a", ("来电按时办结率: ≥98%", "来电按时办结率: 有效"))
    outside = check(tmp_path / "b", ("群众诉求解决率: ≥90%", "群众诉求解决率: 有效"))
    assert [(f.rule, f.line, f.severity) for f in inside] == [("quantified.text", 21, E)]
    assert [(f.rule, f.line, f.severity) for f in outside] == [("vague.value", 33, W)]


def test_missing_recommended_asks_only_for_what_the_pack_recommends():
    # The same blank 主管部门及代码 is a warning where the pack recommends the field, nothing where the
    # pack makes it optional or does not have it.
    form = load_forms()["yinchuan-2024"]
    document = load_document("x.yaml", mutate(('主管部门及代码: "[812]银川市人民政府办公室"', '主管部门及代码: ""')).encode("utf-8"))
    check_rule = REGISTRY["header.missing-recommended"].check
    assert [hit.message.split("：")[0] for hit in check_rule(build_filing(document, form), form)] == ["“主管部门及代码”没有填写"]
    optional = replace(form, fields=tuple(replace(f, need="optional") if f.key == "主管部门及代码" else f for f in form.fields), _by_key={})
    without = replace(form, fields=tuple(f for f in form.fields if f.key != "主管部门及代码"), _by_key={})
    for variant in (optional, without):
        assert list(check_rule(build_filing(document, variant), variant)) == []


def test_duplicate_project_name_in_two_files(tmp_path):
    a = write(tmp_path, CLEAN, name="a.yaml")
    b = write(tmp_path, CLEAN, name="b.yaml")
    findings, _ = check_paths([a, b])
    assert [(f.file, f.line, f.severity, f.rule) for f in findings] == [
        (a.as_posix(), 4, E, "project.duplicate-name"),
        (b.as_posix(), 4, E, "project.duplicate-name"),
    ]
    assert "“政务服务热线运行经费”" in findings[0].message and b.as_posix() in findings[0].message
    assert "“政务服务热线运行经费”" in findings[1].message and a.as_posix() in findings[1].message


def test_different_names_or_years_are_no_duplicates(tmp_path):
    a = write(tmp_path, CLEAN, name="a.yaml")
    b = write(tmp_path, mutate(("项目名称: 政务服务热线运行经费", "项目名称: 政务服务热线系统升级")), name="b.yaml")
    next_year = mutate(("年度: 2024", "年度: 2025"), ("项目期: 2024年", "项目期: 2024-2025年"), ("2024年全年受理", "全年受理"),
                       ("2024年12月31日前", "2025年12月31日前"), ("2024年6月30日前", "2025年6月30日前"))
    c = write(tmp_path, next_year, year="2025", name="a.yaml")
    findings, filings = check_paths([a, b, c])
    assert findings == []
    assert len(filings) == 3


def test_every_review_rule_has_a_trigger_case():
    from test_results_rules import TRIGGERS  # the rules on year-end results start from a filing with results

    covered = {p.values[0].rule for p in CASES} | {"project.duplicate-name"} | set(TRIGGERS)
    review = {rule.id for rule in REGISTRY.values() if rule.stage == "review"}
    assert review - covered == set()
    assert covered - review == set()


# ---------------------------------------------------------------------------------------------
# The registry


def test_every_rule_is_documented_in_chinese():
    assert len(REGISTRY) == len({rule.id for rule in REGISTRY.values()})
    for rule_id, rule in REGISTRY.items():
        assert rule.id == rule_id
        assert re.fullmatch(r"[a-z]+\.[A-Za-z]+(-[a-z]+)*", rule.id), rule.id  # schema.* keep JSON Schema's camelCase
        assert rule.title.strip() and CJK.search(rule.title), rule.id
        assert rule.explanation.strip() and CJK.search(rule.explanation), rule.id
        assert isinstance(rule.severity, Severity)
        assert rule.stage in STAGES
        if rule.stage == "review":
            assert (rule.check is None) != (rule.check_all is None), rule.id
        else:
            assert rule.check is None and rule.check_all is None, rule.id
        assert rule.configurable == (rule.stage in ("review", "suppression"))


def test_there_are_at_least_15_review_rules():
    assert sum(rule.stage == "review" for rule in REGISTRY.values()) >= 15


def test_a_rule_id_cannot_be_registered_twice():
    before = dict(REGISTRY)
    with pytest.raises(ValueError):
        _register(REGISTRY["vague.value"])
    assert REGISTRY == before


# ---------------------------------------------------------------------------------------------
# Configuration: [tool.jixiao] in pyproject.toml, through the command line in-process

BARE_NUMBER = ("话务坐席数量: 40个", "话务坐席数量: 40")  # quantified.bare-number (error) on line 19


def project(tmp_path, monkeypatch, *replacements, toml: str | None = None) -> str:
    write(tmp_path, mutate(*replacements))
    if toml is not None:
        (tmp_path / "pyproject.toml").write_text(toml, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return "projects/2024/x.yaml"


def test_without_configuration_an_error_exits_1(tmp_path, monkeypatch, capsys):
    path = project(tmp_path, monkeypatch, BARE_NUMBER, toml='[project]\nname = "filings"\n')
    assert run(["check", path]) == 1
    out, err = capsys.readouterr()
    assert out.startswith("projects/2024/x.yaml:19:15: 错误 [quantified.bare-number] “话务坐席数量”的指标值“40”")
    assert "1 个错误，0 个警告，0 个提示" in err


def test_disable_drops_the_rule(tmp_path, monkeypatch, capsys):
    path = project(tmp_path, monkeypatch, BARE_NUMBER, toml='[tool.jixiao]\ndisable = ["quantified.bare-number"]\n')
    assert run(["check", path]) == 0
    out, err = capsys.readouterr()
    assert out == ""
    assert "0 个错误，0 个警告，0 个提示" in err


@pytest.mark.parametrize(("word", "label", "code"), [
    ("warning", "警告", 0), ("警告", "警告", 0), ("info", "提示", 0), ("提示", "提示", 0), ("error", "错误", 1), ("错误", "错误", 1),
])
def test_severity_regrades_the_rule(tmp_path, monkeypatch, capsys, word, label, code):
    toml = f'[tool.jixiao.severity]\n"quantified.bare-number" = "{word}"\n'
    path = project(tmp_path, monkeypatch, BARE_NUMBER, toml=toml)
    assert run(["check", path]) == code
    assert capsys.readouterr().out.startswith(f"projects/2024/x.yaml:19:15: {label} [quantified.bare-number]")


def test_severity_can_raise_a_warning_to_an_error(tmp_path, monkeypatch, capsys):
    toml = '[tool.jixiao.severity]\n"header.missing-recommended" = "错误"\n'
    path = project(tmp_path, monkeypatch, ("项目属性: 延续项目", '项目属性: ""'), toml=toml)
    assert run(["check", path]) == 1
    assert capsys.readouterr().out.startswith("projects/2024/x.yaml:7:7: 错误 [header.missing-recommended]")


def test_configuration_is_found_in_a_parent_folder(tmp_path, monkeypatch, capsys):
    project(tmp_path, monkeypatch, BARE_NUMBER, toml='[tool.jixiao]\ndisable = ["quantified.bare-number"]\n')
    monkeypatch.chdir(tmp_path / "projects")
    assert run(["check", "2024/x.yaml"]) == 0


def test_configuration_shows_in_rules_and_explain(tmp_path, monkeypatch, capsys):
    toml = '[tool.jixiao]\ndisable = ["goal.too-short"]\n\n[tool.jixiao.severity]\n"quantified.bare-number" = "warning"\n'
    project(tmp_path, monkeypatch, toml=toml)
    assert run(["rules"]) == 0
    lines = {line.split()[0]: line.split()[1] for line in capsys.readouterr().out.splitlines() if line and not line.startswith(("#", "规则"))}
    assert (lines["goal.too-short"], lines["quantified.bare-number"], lines["vague.value"]) == ("关闭", "警告", "警告")
    assert run(["check", "--explain", "quantified.bare-number"]) == 0
    assert "级别：警告（默认 错误）" in capsys.readouterr().out


CONFIG_ERRORS = [
    pytest.param('[tool.jixiao]\ndisable = ["no.such-rule"]\n', "没有“no.such-rule”这条规则", id="unknown-rule-in-disable"),
    pytest.param('[tool.jixiao.severity]\n"no.such-rule" = "error"\n', "没有“no.such-rule”这条规则", id="unknown-rule-in-severity"),
    pytest.param('[tool.jixiao]\ndisable = ["yaml.syntax"]\n', "“yaml.syntax”是读取与格式检查，不能关闭或改变级别", id="load-rule-disabled"),
    pytest.param('[tool.jixiao.severity]\n"schema.enum" = "warning"\n', "“schema.enum”是读取与格式检查，不能关闭或改变级别", id="load-rule-regraded"),
    pytest.param('[tool.jixiao.severity]\n"goal.too-short" = "fatal"\n', "“goal.too-short”的级别“fatal”无效", id="bad-severity-word"),
    pytest.param('[tool.jixiao.severity]\n"goal.too-short" = "严重"\n', "“goal.too-short”的级别“严重”无效", id="bad-chinese-severity-word"),
    pytest.param('[tool.jixiao.severity]\n"goal.too-short" = ["error"]\n', "goal.too-short", id="severity-not-a-word"),
    pytest.param('[tool.jixiao]\ndisable = "goal.too-short"\n', "disable 应为规则 id 的列表", id="disable-not-a-list"),
    pytest.param('[tool.jixiao]\nignore = ["goal.too-short"]\n', "未知的设置 ignore", id="unknown-setting"),
    pytest.param('[tool.jixiao\ndisable = [\n', "无法读取", id="broken-toml"),
    pytest.param('[tool.jixiao]\ndisable = ["goal.too-short"\n', "无法读取", id="unclosed-list"),
    pytest.param('tool = 1\n', "pyproject.toml", id="tool-not-a-table"),
]


@pytest.mark.parametrize(("toml", "message"), CONFIG_ERRORS)
def test_bad_configuration_is_a_usage_error(tmp_path, monkeypatch, capsys, toml, message):
    path = project(tmp_path, monkeypatch, toml=toml)
    assert run(["check", path]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith("错误：") and message in err, err
    assert "Traceback" not in err


def test_bad_configuration_stops_rules_too(tmp_path, monkeypatch, capsys):
    project(tmp_path, monkeypatch, toml='[tool.jixiao]\ndisable = ["no.such-rule"]\n')
    assert run(["rules"]) == 2
    assert "没有“no.such-rule”这条规则" in capsys.readouterr().err


# ---------------------------------------------------------------------------------------------
# Inline suppression: `# jixiao: ignore[rule-id]` at the end of the finding's line


def findings_of(tmp_path, *replacements):
    return [(f.line, f.severity, f.rule, f.message) for f in check(tmp_path, *replacements)]


def test_suppression_removes_the_finding_on_its_line(tmp_path):
    assert findings_of(tmp_path, ("话务坐席数量: 40个", "话务坐席数量: 40  # jixiao: ignore[quantified.bare-number]")) == []


def test_suppression_with_two_ids(tmp_path):
    line = "来电群众满意度: ≤75%  # jixiao: ignore[direction.satisfaction, range.satisfaction]"
    assert findings_of(tmp_path, ("来电群众满意度: ≥90%", line)) == []


def test_suppression_removes_only_the_named_rule(tmp_path):
    line = "来电群众满意度: ≤75%  # jixiao: ignore[direction.satisfaction]"
    assert [(f[0], f[2]) for f in findings_of(tmp_path, ("来电群众满意度: ≥90%", line))] == [(39, "range.satisfaction")]


def test_suppression_of_a_collection_finding(tmp_path):
    a = write(tmp_path, CLEAN, name="a.yaml")
    b = write(tmp_path, mutate(("项目名称: 政务服务热线运行经费", "项目名称: 政务服务热线运行经费  # jixiao: ignore[project.duplicate-name]")), name="b.yaml")
    findings, _ = check_paths([a, b])
    assert [(f.file, f.line, f.rule) for f in findings] == [(a.as_posix(), 4, "project.duplicate-name")]


def test_bare_suppression_is_an_error_and_suppresses_nothing(tmp_path):
    found = findings_of(tmp_path, ("话务坐席数量: 40个", "话务坐席数量: 40  # jixiao: ignore"))
    assert [(line, severity, rule) for line, severity, rule, _ in found] == [
        (19, E, "quantified.bare-number"), (19, E, "suppression.bare"),
    ]
    assert "# jixiao: ignore[vague.value]" in found[1][3]


def test_bare_suppression_on_a_clean_line(tmp_path):
    found = findings_of(tmp_path, ("话务坐席数量: 40个", "话务坐席数量: 40个  # jixiao: ignore"))
    assert [(line, severity, rule) for line, severity, rule, _ in found] == [(19, E, "suppression.bare")]


@pytest.mark.parametrize(("rule_id", "reason"), [("no.such-rule", "不存在"), ("yaml.syntax", "是读取与格式检查，不能忽略")])
def test_suppression_of_an_unknown_or_load_rule(tmp_path, rule_id, reason):
    found = findings_of(tmp_path, ("话务坐席数量: 40个", f"话务坐席数量: 40个  # jixiao: ignore[{rule_id}]"))
    assert [(line, severity, rule) for line, severity, rule, _ in found] == [(19, W, "suppression.unknown")]
    assert f"“{rule_id}”{reason}" in found[0][3]


def test_unknown_suppression_beside_a_real_finding(tmp_path):
    found = findings_of(tmp_path, ("话务坐席数量: 40个", "话务坐席数量: 40  # jixiao: ignore[no.such-rule]"))
    assert [(line, rule) for line, _, rule, _ in found] == [(19, "quantified.bare-number"), (19, "suppression.unknown")]


def test_unused_suppression_is_reported(tmp_path):
    found = findings_of(tmp_path, ("话务坐席数量: 40个", "话务坐席数量: 40个  # jixiao: ignore[vague.value]"))
    assert [(line, severity, rule) for line, severity, rule, _ in found] == [(19, W, "suppression.unused")]
    assert "“vague.value”" in found[0][3]


def test_suppression_on_another_line_does_not_suppress(tmp_path):
    found = findings_of(tmp_path, BARE_NUMBER,
                        ("坐席人员培训人次: ≥200人次", "坐席人员培训人次: ≥200人次  # jixiao: ignore[quantified.bare-number]"))
    assert [(line, severity, rule) for line, severity, rule, _ in found] == [
        (18, W, "suppression.unused"), (19, E, "quantified.bare-number"),
    ]


def test_suppression_on_a_line_of_its_own_does_not_suppress(tmp_path):
    found = findings_of(tmp_path, ("坐席人员培训费: ≤8万元", "坐席人员培训费: ≤18万元"),
                        ("    成本指标:\n", "    # jixiao: ignore[cost.over-funds]\n    成本指标:\n"))
    assert [(line, rule) for line, _, rule, _ in found] == [(26, "suppression.unused"), (27, "cost.over-funds")]


def test_suppressions_are_checked_in_a_file_without_other_findings(tmp_path):
    found = findings_of(tmp_path, ("# yaml-language-server: $schema=../../schema.json",
                                   "# yaml-language-server: $schema=../../schema.json  # jixiao: ignore[goal.too-short]"))
    assert [(line, rule) for line, _, rule, _ in found] == [(1, "suppression.unused")]


# ---------------------------------------------------------------------------------------------
# jixiao rules, jixiao check --explain


def test_rules_lists_every_rule(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert run(["rules"]) == 0
    first_words = {line.split()[0] for line in capsys.readouterr().out.splitlines() if line.strip()}
    assert set(REGISTRY) <= first_words


def test_explain_prints_the_chinese_title_and_explanation(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert run(["check", "--explain", "cost.over-funds"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("cost.over-funds：成本超过年度资金总额\n")
    assert "级别：错误（默认 错误）" in out
    assert REGISTRY["cost.over-funds"].explanation in out
    assert "# jixiao: ignore[cost.over-funds]" in out


def test_explain_of_a_load_rule_offers_no_suppression(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert run(["check", "--explain", "yaml.syntax"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("yaml.syntax：YAML 语法错误\n") and "jixiao: ignore" not in out


def test_explain_of_an_unknown_rule_is_a_usage_error(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert run(["check", "--explain", "nope"]) == 2
    out, err = capsys.readouterr()
    assert out == "" and "没有“nope”这条规则" in err and "Traceback" not in err
