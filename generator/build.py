"""`jixiao build`: every filing → the official Word table and an HTML preview (and PDF), per year.

Pipeline per run: check (load → validate → model) → provenance → render → write (atomic) →
PDF in one LibreOffice process → index.html per year. A filing that cannot be rendered is
reported and skipped; the others still build.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from . import resources
from .check import check_paths
from .config import Config
from .findings import Finding, Severity
from .forms import load_forms
from .gitinfo import describe, provenance
from .layout import form_context
from .model import Filing
from .names import safe_stem
from .libreoffice import ConversionFailed, convert_to_pdf, find_soffice
from .render_docx import DocumentInfo, TemplateProblem, render_docx
from .render_html import render_index, render_preview
from .writer import write_bytes_atomic, write_text_atomic

FORMATS = ("docx", "html")


@dataclass
class BuildReport:
    findings: list[Finding]  # everything check found, plus build problems
    written: list[Path] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)  # files that produced no output
    pdf_note: str = ""


def _inside(path: Path, folder: Path) -> bool:
    return path.resolve().is_relative_to(folder.resolve())


def _build_finding(filing_path: str, rule: str, message: str) -> Finding:
    return Finding(filing_path, 1, 1, Severity.ERROR, rule, message)


def build(paths: list[Path], out_dir: Path, formats: tuple[str, ...], pdf: bool, config: Config | None = None) -> BuildReport:
    findings, filings = check_paths(paths, config)
    report = BuildReport(findings=list(findings))
    built_paths = {filing.path for filing in filings}
    report.failed.extend(p.as_posix() for p in paths if p.as_posix() not in built_paths)
    forms = load_forms()
    sources = provenance([Path(f.path) for f in filings])
    targets: dict[Path, Filing] = {}
    documents: list[Path] = []
    by_year: dict[int, list[tuple[Filing, Path]]] = defaultdict(list)
    for filing in filings:
        stem_path = out_dir / str(filing.year) / safe_stem(Path(filing.path).stem)
        if stem_path in targets or not _inside(stem_path, out_dir):
            other = targets.get(stem_path)
            report.findings.append(_build_finding(
                filing.path, "build.name-clash",
                f"输出文件名与 {other.path if other else '输出文件夹外'} 冲突，未生成；请给其中一个文件改名",
            ))
            report.failed.append(filing.path)
            continue
        targets[stem_path] = filing
        form = forms[filing.form_id]
        context = form_context(filing, form)
        source = describe(filing.path, sources[Path(filing.path)])
        try:  # rendered fully before anything is written
            outputs = {}
            if "docx" in formats:
                info = DocumentInfo(filing.name, source, sources[Path(filing.path)].timestamp)
                outputs[stem_path.with_suffix(".docx")] = render_docx(form, context, info)
            if "html" in formats:
                outputs[stem_path.with_suffix(".html")] = render_preview(form, context, source).encode("utf-8")
        except TemplateProblem as problem:
            report.findings.append(_build_finding(filing.path, "build.template", str(problem)))
            report.failed.append(filing.path)
            continue
        except Exception as error:  # noqa: BLE001 - one filing must not stop the others
            report.findings.append(_build_finding(
                filing.path, "build.render", f"无法生成：{type(error).__name__}: {error}",
            ))
            report.failed.append(filing.path)
            continue
        for target, data in outputs.items():
            write_bytes_atomic(target, data)
            report.written.append(target)
        if "docx" in formats:
            documents.append(stem_path.with_suffix(".docx"))
        by_year[filing.year].append((filing, stem_path))
    if pdf:
        report.pdf_note = _make_pdfs(documents, report)
    if "html" in formats:
        for year, items in sorted(by_year.items()):
            index = out_dir / str(year) / "index.html"
            write_text_atomic(index, _index_page(year, items, report.findings))
            report.written.append(index)
    return report


def _make_pdfs(documents: list[Path], report: BuildReport) -> str:
    soffice = find_soffice()
    if soffice is None:
        return "未找到 LibreOffice（soffice），没有生成 PDF；其他文件已生成。安装：apt-get install libreoffice-writer-nogui fonts-noto-cjk"
    try:
        converted = convert_to_pdf(documents, soffice)
    except ConversionFailed as failure:
        return str(failure)
    report.written.extend(converted.values())
    missing = len(documents) - len(converted)
    return f"已生成 {len(converted)} 个 PDF" + (f"，{missing} 个转换失败" if missing else "")


def _current(output: Path) -> bool:
    """The output exists and, for a PDF, was made from the Word file as it is now."""
    if not output.exists():
        return False
    if output.suffix == ".pdf":
        document = output.with_suffix(".docx")
        return document.exists() and output.stat().st_mtime >= document.stat().st_mtime
    return True


def _index_page(year: int, items: list[tuple[Filing, Path]], findings: list[Finding]) -> str:
    by_file = defaultdict(list)
    for finding in findings:
        by_file[finding.file].append(finding)
    rows = []
    for filing, stem_path in sorted(items, key=lambda item: item[0].path):
        own = by_file[filing.path]
        counts = Counter(f.severity.value for f in own)
        links = [
            {"href": stem_path.with_suffix(suffix).name, "label": label}
            for suffix, label in ((".html", "预览"), (".docx", "Word"), (".pdf", "PDF"))
            if _current(stem_path.with_suffix(suffix))
        ]
        rows.append({
            "name": filing.name,
            "total": filing.funds.total,
            "indicators": len(filing.indicators),
            "counts": {s.value: counts.get(s.value, 0) for s in Severity},
            "findings": [{**f.as_dict(), "severity": f.severity.value} for f in own],
            "links": links,
        })
    context = {
        "year": year,
        "filings": rows,
        "total": sum((filing.funds.total for filing, _ in items), Decimal(0)),
        "indicator_total": sum(row["indicators"] for row in rows),
    }
    return render_index(resources.templates_dir(), context)
