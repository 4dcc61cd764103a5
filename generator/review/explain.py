"""Rule documentation: `jixiao rules`, `jixiao check --explain`, and docs/rules.md."""

from __future__ import annotations

import click

from .config import Config
from .rules import DRAFT_NOTE, REGISTRY, STAGES, Rule


def _severity(rule_id: str, config: Config) -> str:
    if rule_id in config.disabled:
        return "关闭"
    return config.severities.get(rule_id, REGISTRY[rule_id].severity).label


def _explanation(rule: Rule) -> str:
    return rule.explanation + (DRAFT_NOTE if rule.draft_tolerant else "")


def rules_table(config: Config) -> str:
    width = max(len(rule_id) for rule_id in REGISTRY)
    lines = [f"{'规则'.ljust(width - 2)}  级别  标题"]
    for stage, heading in STAGES.items():
        lines.append(f"# {heading}")
        lines.extend(
            f"{rule.id.ljust(width)}  {_severity(rule.id, config)}  {rule.title}"
            for rule in REGISTRY.values() if rule.stage == stage
        )
    return "\n".join(lines) + "\n"


def explain_rule(rule_id: str, config: Config) -> str:
    rule = REGISTRY.get(rule_id)
    if rule is None:
        raise click.UsageError(f"没有“{rule_id}”这条规则（运行 jixiao rules 查看全部规则）")
    lines = [
        f"{rule.id}：{rule.title}",
        f"级别：{_severity(rule.id, config)}（默认 {rule.severity.label}）；类别：{STAGES[rule.stage]}",
        "",
        _explanation(rule),
    ]
    if rule.configurable:
        lines += ["", f"在这一行末尾写“# jixiao: ignore[{rule.id}]”可以忽略该行的这条问题；"
                      f"在 pyproject.toml 的 [tool.jixiao] 中可以关闭它或改变级别。"]
    return "\n".join(lines) + "\n"


def rules_markdown() -> str:
    """docs/rules.md, generated from the rule units (tests/test_rules.py checks it is current)."""
    out = [
        "# jixiao 的规则",
        "",
        "本文件由 `jixiao rules --format markdown` 生成，请不要手工修改。",
        "",
        "每条问题都有一个规则 id。审核规则和忽略注释类的规则可以在 filings 仓库的 `pyproject.toml` 中关闭或改变级别：",
        "",
        "```toml",
        "[tool.jixiao]",
        'disable = ["goal.too-short"]',
        "",
        "[tool.jixiao.severity]",
        '"header.missing-recommended" = "error"   # error / warning / info',
        "```",
        "",
        "也可以在出现问题的那一行末尾写 `# jixiao: ignore[规则 id]`（必须写明规则 id）只忽略这一处；"
        "没有用到的忽略注释会被报告。",
        "",
    ]
    for stage, heading in STAGES.items():
        out += [f"## {heading}", "", "| 规则 | 默认级别 | 标题 |", "|---|---|---|"]
        members = [rule for rule in REGISTRY.values() if rule.stage == stage]
        out += [f"| [`{rule.id}`](#{rule.id.replace('.', '')}) | {rule.severity.label} | {rule.title} |" for rule in members]
        out.append("")
        for rule in members:
            out += [f"### {rule.id}", "", f"**{rule.title}**（默认：{rule.severity.label}）", "", _explanation(rule), ""]
    return "\n".join(out)
