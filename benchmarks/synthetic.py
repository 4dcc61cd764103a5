"""Synthetic filings that look like real ones, deterministic from a seed (for the benchmark)."""

from __future__ import annotations

import random
from pathlib import Path

GOAL_PHRASES = [
    "根据市政府工作重点和政府安排，负责政务信息工作，及时提供信息咨询服务",
    "保障全市政府网站和政务新媒体安全、平稳、高效运行",
    "组织开展业务培训，提升基层工作人员的业务能力和服务水平",
    "完成年度设备购置和维护任务，保障各项工作正常开展",
    "按时足额发放聘用人员工资，及时缴纳各项社会保险",
    "做好政务公开和政策解读工作，方便群众查询办事",
]
SUBJECTS = ["培训", "会议", "网站运维", "设备维护", "宣传册印刷", "调研", "信息报送", "值班保障", "数据监测", "软件采购"]
GROUPS = {
    "产出指标": ["数量指标", "质量指标", "时效指标", "成本指标"],
    "效益指标": ["经济效益指标", "社会效益指标", "生态效益指标", "可持续影响指标"],
    "满意度指标": ["服务对象满意度指标"],
}


def _value(group: str, rng: random.Random) -> str:
    if group == "数量指标":
        return f"≥{rng.randint(1, 900)}{rng.choice(['次', '人次', '台', '套', '本', '个', '期'])}"
    if group == "质量指标":
        return f"≥{rng.choice([90, 95, 98])}%"
    if group == "时效指标":
        return rng.choice([f"2024年{rng.randint(1, 12)}月{rng.randint(1, 28)}日前", f"{rng.randint(1, 12)}月前", "≥95%"])
    if group == "成本指标":
        return f"≤{rng.randint(1, 40)}.{rng.randint(0, 9)}万元"
    if group == "服务对象满意度指标":
        return f"≥{rng.choice([85, 90, 95])}%"
    return rng.choice([f"≥{rng.randint(50, 500)}人次", f"≥{rng.randint(1, 30)}%", "2024年12月31日前建立制度"])


def filing_text(number: int, rng: random.Random) -> str:
    total = rng.randint(10, 500)
    fiscal = rng.randint(0, total)
    goal = "，".join(rng.sample(GOAL_PHRASES, k=4)) * 2 + "。"
    lines = [
        "# yaml-language-server: $schema=../../schema.json",
        "表样: yinchuan-2024",
        "年度: 2024",
        f"项目名称: 合成项目{number:05d}{rng.choice(SUBJECTS)}经费",
        f'主管部门及代码: "[{800 + number % 100}]银川市某局"',
        "实施单位: 银川市某局",
        "项目属性: 延续项目",
        "项目期: 2024年",
        "项目资金:",
        f"  年度资金总额: {total}",
        f"  财政拨款: {fiscal}",
        f"  其他资金: {total - fiscal}",
        f"年度总体目标: {goal}",
        "绩效指标:",
    ]
    count = rng.randint(15, 60)
    groups = [(level, group) for level, names in GROUPS.items() for group in names]
    per_group = {g: 1 for g in groups}
    for _ in range(count - len(groups)):
        per_group[rng.choice(groups)] += 1
    for level, names in GROUPS.items():
        lines.append(f"  {level}:")
        for group in names:
            lines.append(f"    {group}:")
            for index in range(per_group[(level, group)]):
                lines.append(f"      {rng.choice(SUBJECTS)}{group[:2]}{index + 1}: {_value(group, rng)}")
    return "\n".join(lines) + "\n"


def write_filings(folder: Path, count: int, seed: int = 2024) -> list[Path]:
    rng = random.Random(seed)
    target = folder / "2024"
    target.mkdir(parents=True, exist_ok=True)
    paths = []
    for number in range(count):
        path = target / f"合成项目{number:05d}.yaml"
        path.write_text(filing_text(number, rng), encoding="utf-8")
        paths.append(path)
    return paths
