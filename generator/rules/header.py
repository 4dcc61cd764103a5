"""Rules on the header fields of a filing."""

from __future__ import annotations

from pathlib import PurePath

from ..findings import Severity
from . import Hit, rule


@rule(
    "header.year-folder",
    Severity.ERROR,
    "年度与所在文件夹不一致",
    "申报表按年度放在 projects/<年度>/ 下。文件里的“年度”与文件夹的年份不同，多半是复制上一年的文件后忘了改年度，"
    "或者放错了文件夹；打印出来的表头年度会是错的。",
)
def year_folder(filing, form):
    folder = PurePath(filing.path).parent.name
    if folder.isdigit() and len(folder) == 4 and int(folder) != filing.year:
        yield Hit(
            filing.value_at("年度"),
            f"年度是 {filing.year}，但文件放在 {folder} 年的文件夹里；请改正年度，或把文件移到 projects/{filing.year}/",
        )
