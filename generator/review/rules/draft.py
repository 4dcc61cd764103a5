"""A draft (filing/draft.py) says so: one warning at its marker line."""

from __future__ import annotations

from ...common.findings import Severity
from ...filing.draft import MARKER
from . import Hit, rule


@rule(
    "filing.draft",
    Severity.WARNING,
    "申报表是草稿",
    f"`jixiao new` 新建的申报表开头有一行“{MARKER}……”：这是草稿，还没有填写完成。草稿中只说明“还没有填写”的问题"
    "（必填的表头栏目为空、必填的二级指标没有填写、指标值为空等，见各规则的说明）报告为警告，消息末尾注明“（草稿）”；"
    "填错的值、金额、重复的项目名称等照常报告为错误。填写完成后删除这一行，这些问题就恢复原来的级别。"
    "要让 CI 拒绝草稿，在 pyproject.toml 中写 `[tool.jixiao.severity]` `\"filing.draft\" = \"error\"`；"
    "`jixiao check --strict` 也会因为这条警告失败。",
)
def draft(filing, form):
    if filing.draft is not None:
        yield Hit(filing.draft, f"这是草稿（“{MARKER}”这一行）：未填写的必填项只报告为警告；填写完成后删除这一行")
