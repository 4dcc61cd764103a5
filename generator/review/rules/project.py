"""Rules across all filings of one run."""

from __future__ import annotations

from collections import defaultdict

from ...common.findings import Severity
from . import Hit, rule


@rule(
    "project.duplicate-name",
    Severity.ERROR,
    "两个文件的项目名称相同",
    "同一年度每个项目只申报一张表。两个文件的“项目名称”相同，通常是复制文件后忘了改名称，"
    "或同一项目被重复申报；财政部门会把它们当成同一个项目。",
    collection=True,
)
def duplicate_name(summaries):
    by_name = defaultdict(list)
    for summary in summaries:
        if summary.name:
            by_name[(summary.year, summary.name)].append(summary)
    for (_, name), same in by_name.items():
        if len(same) > 1:
            for summary in same:
                others = "、".join(other.path for other in same if other is not summary)
                yield summary, Hit(summary.name_position, f"项目名称“{name}”与 {others} 相同")
