"""The `jixiao` command line (also `python -m generator`), with Chinese help and messages."""

from __future__ import annotations

import dataclasses
import os
import sys
from datetime import date
from pathlib import Path

import click

from . import __version__
from .common import resources
from .common.atomic import write_bytes_atomic, write_text_atomic
from .common.discover import PathNotFound, escapes_through_link, filing_names, filing_paths, other_filings
from .common.findings import FORMATTERS, Severity
from .common.gitinfo import GitError, changed_since, repository_top
from .common.names import safe_stem
from .common.parallel import default_jobs
from .common.yamlio import MAX_BYTES, YamlRejected, decode, load_document
from .forms.pack import FormError, load_forms
from .forms.schema import YEAR_RANGE, render_schema
from .review.cache import CheckCache
from .review.check import check_files, check_stdin, read_bytes
from .review.config import ConfigError, load_config, load_config_file
from .review.explain import explain_rule, rules_markdown, rules_table
from .review.report_formats import REPORT_FORMATS, counts_line, format_report, step_summary

EXIT_CLEAN, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2
STDIN_NAME = "<stdin>"  # what a filing read from standard input is reported as without --stdin-filename


class _ChineseHelp:
    """Chinese headings for click's help pages."""

    def format_usage(self, ctx, formatter):
        formatter.write_usage(ctx.command_path, " ".join(self.collect_usage_pieces(ctx)), prefix="用法：")

    def format_options(self, ctx, formatter):
        options = [
            record for p in self.get_params(ctx)
            if isinstance(p, click.Option) and (record := p.get_help_record(ctx))
        ]
        if options:
            with formatter.section("选项"):
                formatter.write_dl(options)
        if isinstance(self, click.Group):
            self.format_commands(ctx, formatter)

    def get_help_option(self, ctx):
        option = super().get_help_option(ctx)
        if option is not None:
            option.help = "显示此帮助并退出"
        return option


class Command(_ChineseHelp, click.Command):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("options_metavar", "[选项]")
        super().__init__(*args, **kwargs)


class Group(_ChineseHelp, click.Group):
    command_class = Command

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("options_metavar", "[选项]")
        kwargs.setdefault("subcommand_metavar", "命令 [参数]...")
        super().__init__(*args, **kwargs)

    def format_commands(self, ctx, formatter):
        rows = [(name, cmd.get_short_help_str(limit=60)) for name, cmd in self.commands.items() if not cmd.hidden]
        if rows:
            with formatter.section("命令"):
                formatter.write_dl(rows)

    def resolve_command(self, ctx, args):
        name = args[0]
        if self.get_command(ctx, name) is None and not name.startswith("-"):
            raise click.UsageError(f"没有“{name}”这个命令（可用：{'、'.join(self.commands)}）", ctx)
        return super().resolve_command(ctx, args)


class Year(click.ParamType):
    """A budget year, as the schema allows it: a folder projects/<年度>/ is named after it."""

    name = "年度"

    def convert(self, value, param, ctx):
        low, high = YEAR_RANGE
        try:
            year = int(value)
        except (TypeError, ValueError):
            year = None
        if year is None or not low <= year <= high:
            self.fail(f"年度应为 {low} 到 {high} 之间的整数（收到“{value}”）", param, ctx)
        return year


class Choice(click.Choice):
    def convert(self, value, param, ctx):
        if value in self.choices:
            return value
        self.fail(f"“{value}”不是可选值（可选：{'、'.join(self.choices)}）", param, ctx)


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", message="jixiao %(version)s", help="显示版本并退出")
def main() -> None:
    """jixiao（绩效）：把项目支出年度预算绩效目标申报表当作代码来管理。

    每个项目一个 YAML 文件（projects/<年度>/），由 schema.json 和审核规则检查。
    """


def _files(paths: tuple[Path, ...], listing=filing_paths) -> list:
    try:
        return listing(list(paths) or [Path("projects")])
    except PathNotFound as missing:
        raise click.UsageError(f"路径不存在：{missing.path}") from None


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path), metavar="[路径...]")
@click.option("--format", "output_format", type=Choice(REPORT_FORMATS), default="text",
              help="输出格式：text（默认，文件:行:列: 级别 [规则] 说明）、json（给工具用）、github（PR 注释）、"
                   "sarif（GitHub 代码扫描等）、gitlab（GitLab 代码质量报告）")
@click.option("--explain", metavar="规则", default=None, help="显示一条规则的说明，例如 --explain cost.over-funds")
@click.option("-q", "--quiet", is_flag=True, help="只输出问题，不输出汇总行")
@click.option("--strict", is_flag=True, help="有“警告”级别的问题时退出码也为 1")
@click.option("--config", "config_path", type=click.Path(path_type=Path), default=None, metavar="文件",
              help="使用这个配置文件：pyproject.toml（其中的 [tool.jixiao]）或设置写在顶层的 .toml 文件（如 jixiao.toml）")
@click.option("--changed-since", "changed_ref", default=None, metavar="修订版本",
              help="只报告自与该修订版本的分叉点以来新增、修改或改名的文件的问题（含未提交的修改）；跨文件规则仍比较全部申报表")
@click.option("--stdin-filename", default=None, metavar="文件名",
              help="路径为“-”（从标准输入读取）时，问题报告在这个文件名下，跨文件规则用它代替磁盘上的同名文件")
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=None, metavar="N", help="同时用几个进程（默认：CPU 核数）")
@click.option("--no-cache", is_flag=True, help="不使用也不更新检查缓存（默认会跳过内容没有变化的文件）")
def check(paths: tuple[Path, ...], output_format: str, explain: str | None, quiet: bool, strict: bool,
          config_path: Path | None, changed_ref: str | None, stdin_filename: str | None, jobs: int | None,
          no_cache: bool) -> None:
    """检查申报表：YAML 语法、表样字段（schema.json）和审核规则。

    路径可以是文件或文件夹，默认 projects/；“-”表示从标准输入读取一张申报表。
    有“错误”级别的问题时退出码为 1（加 --strict 时“警告”也算），用法或配置有误时为 2。
    只给出部分文件时，项目名称重复等跨文件规则仍与仓库 projects/ 下的全部申报表比较，只报告给出的文件。
    规则的级别和开关在 pyproject.toml 的 [tool.jixiao] 中设置；
    在某一行末尾写 “# jixiao: ignore[规则]” 可以忽略这一行的该条问题。
    """
    config = load_config_file(config_path) if config_path is not None else load_config()
    if explain is not None:
        click.echo(explain_rule(explain, config))
        return
    if Path("-") in paths:
        findings, count = _check_stdin(paths, stdin_filename, config), 1
    else:
        if stdin_filename is not None:
            raise click.UsageError("--stdin-filename 只能与路径“-”（从标准输入读取）一起使用")
        files = _files(paths)
        findings, _ = check_files(files, config, cache=None if no_cache else CheckCache(), jobs=jobs or default_jobs(),
                                  context=other_filings(files))
        count = len(files)
    scope = ""
    if changed_ref is not None:
        findings = _changed_only(findings, changed_ref)
        scope = f"只列出自 {changed_ref} 以来改动过的文件"
    if output_format in ("github", "sarif", "gitlab"):
        findings = _from_repository_root(findings)
    click.echo(format_report(output_format, findings, config), nl=False)
    if output_format == "github" and os.environ.get("GITHUB_STEP_SUMMARY"):
        _append_step_summary(Path(os.environ["GITHUB_STEP_SUMMARY"]), step_summary(findings, count, scope))
    if output_format == "text" and not quiet:
        click.echo(counts_line(findings, count) + (f"（{scope}）" if scope else ""), err=True)
    failing = {Severity.ERROR, Severity.WARNING} if strict else {Severity.ERROR}
    sys.exit(EXIT_FINDINGS if any(f.severity in failing for f in findings) else EXIT_CLEAN)


def _check_stdin(paths: tuple[Path, ...], name: str | None, config) -> list:
    """The filing on standard input, compared across files with projects/ when it is named."""
    if len(paths) > 1:
        raise click.UsageError("路径“-”（从标准输入读取）不能与其他路径一起使用")
    if name is not None and not name.strip():
        raise click.UsageError("--stdin-filename 不能为空")
    raw = sys.stdin.buffer.read(MAX_BYTES + 1)  # one byte more than a filing may have: too large is reported
    if name is None:  # nothing says which file it is: checked on its own
        return check_stdin(STDIN_NAME, raw, [], config)
    return check_stdin(Path(name).as_posix(), raw, other_filings([Path(name)]), config)


def _changed_only(findings: list, ref: str) -> list:
    try:
        changed = changed_since(ref, Path.cwd())
    except GitError as error:
        raise click.UsageError(f"--changed-since：{error}") from None
    return [f for f in findings if _absolute(f.file) in changed]


def _absolute(name: str) -> str:
    """A reported file name as the absolute path git would give it (its folder's links resolved, as git's are)."""
    path = os.path.join(os.getcwd(), name)
    return os.path.join(os.path.realpath(os.path.dirname(path)), os.path.basename(path))


def _from_repository_root(findings: list) -> list:
    """Findings with file names relative to the repository's root, as GitHub and GitLab resolve them."""
    top = repository_top(Path.cwd())
    if top is None:
        return findings
    prefix = os.path.relpath(os.getcwd(), top)
    if prefix == "." or prefix.startswith(".."):
        return findings
    return [
        dataclasses.replace(f, file=Path(prefix, f.file).as_posix())
        if not os.path.isabs(f.file) and f.file != STDIN_NAME else f
        for f in findings
    ]


def _append_step_summary(path: Path, markdown: str) -> None:
    """Add to the step summary GitHub shows (the file may hold what earlier commands wrote: never replaced)."""
    try:
        with open(path, "a", encoding="utf-8") as summary:
            summary.write(markdown)
    except OSError as error:
        click.echo(f"错误：无法写入 GITHUB_STEP_SUMMARY 指定的文件 {path}（{error.strerror}）", err=True)
        sys.exit(EXIT_USAGE)


@main.command()
@click.option("--format", "output_format", type=Choice(["text", "markdown"]), default="text",
              help="text（默认，一条规则一行）或 markdown（docs/rules.md 的内容）")
@click.option("--config", "config_path", type=click.Path(path_type=Path), default=None, metavar="文件",
              help="按这个配置文件显示级别（同 jixiao check --config）")
def rules(output_format: str, config_path: Path | None) -> None:
    """列出全部规则：规则 id、级别（按 pyproject.toml 的设置）和标题。"""
    config = load_config_file(config_path) if config_path is not None else load_config()
    click.echo(rules_markdown() if output_format == "markdown" else rules_table(config), nl=False)


@main.command()
@click.option("--format", "output_format", type=Choice(["text", "markdown", "json"]), default="text",
              help="text（默认）、markdown（README 的“支持的表样”表格）或 json")
def forms(output_format: str) -> None:
    """列出全部表样：表样 id、表名、适用的单位、年度和特点；表样定义有误时列出问题，退出码为 1。"""
    from .forms.catalog import FORMATS as FORM_LISTS
    from .forms.pack import form_problems

    click.echo(FORM_LISTS[output_format](load_forms()), nl=False)
    problems = form_problems()
    if problems:
        click.echo(FORMATTERS["text"](list(problems)), nl=False, err=True)
    sys.exit(EXIT_FINDINGS if problems else EXIT_CLEAN)


@main.command()
@click.option("--output", type=click.Path(path_type=Path), default=None, metavar="文件",
              help="写到哪个文件（默认：所在申报表仓库根目录的 schema.json）")
@click.option("--check", "check_only", is_flag=True, help="只比较，不写入；不一致时退出码为 1")
def schema(output: Path | None, check_only: bool) -> None:
    """生成申报表仓库的 schema.json：由表样定义生成，编辑器的补全和检查用它。

    申报表仓库的根目录是从当前文件夹向上第一个含有 projects/、.git 或带 [tool.jixiao] 的 pyproject.toml 的文件夹。
    """
    from .common.repository import SCHEMA_NAME, filings_root

    if output is None:
        root = filings_root(Path.cwd())
        if root is None:
            raise click.UsageError("当前文件夹不在申报表仓库中（向上找不到 projects/、.git 或带 [tool.jixiao] 的 pyproject.toml）："
                                   "请先运行 jixiao init，或用 --output 指定文件")
        output = root / SCHEMA_NAME
    target = output
    text = render_schema(load_forms())
    current = target.read_text(encoding="utf-8") if target.is_file() else None
    if check_only:
        if current != text:
            click.echo(f"{target} 不是由当前表样生成的；请运行 jixiao schema", err=True)
            sys.exit(EXIT_FINDINGS)
        click.echo(f"{target} 与表样一致")
        return
    if current != text:
        write_text_atomic(target, text)
    click.echo(f"已写入 {target}")


@main.command()
@click.argument("directory", type=click.Path(path_type=Path), default=Path("."), metavar="[文件夹]")
@click.option("--form", "form_id", default=None, metavar="表样",
              help="示例申报表和 [tool.jixiao] default-form 用哪种表样（默认：标为默认的表样）")
@click.option("--force", is_flag=True,
              help="覆盖内容不同的已有文件；pyproject.toml 和 .gitignore 只追加缺少的部分，申报表从不覆盖")
def init(directory: Path, form_id: str | None, force: bool) -> None:
    """建立申报表仓库：schema.json、示例申报表、编辑器设置、pre-commit、CI、配置和说明。

    文件夹默认为当前文件夹。已有的文件不覆盖（列出跳过的文件，除非 --force）；再运行一次不会改动任何文件。
    projects/ 里已有申报表时不添加示例。
    """
    from .history.init import Outcome, has_filings, set_up, starter_files

    if directory.exists() and not directory.is_dir():
        raise click.UsageError(f"{directory} 是一个文件，不是文件夹")
    forms = load_forms()
    form, reason = _pick_form(forms, form_id, directory / "projects", load_config(directory))
    if reason:
        click.echo(f"表样：{form.id}（{reason}；用 --form 可以指定其他表样）", err=True)
    with_example = not has_filings(directory)
    files = starter_files(form, render_schema(forms), __version__, with_example)
    try:
        done = set_up(directory, files, force)
    except OSError as error:
        click.echo(f"错误：无法写入 {error.filename or directory}（{error.strerror}）；已写完的文件都是完整的", err=True)
        sys.exit(EXIT_FINDINGS)
    for item in done:
        line = f"{item.outcome.value} {item.relative}" + (f"：{item.note}" if item.note else "")
        click.echo(line, err=item.outcome is Outcome.SKIPPED)
    if not with_example:
        click.echo("projects/ 里已有申报表，没有添加示例", err=True)
    changed = [item for item in done if item.outcome in (Outcome.CREATED, Outcome.REPLACED, Outcome.APPENDED)]
    skipped = sum(item.outcome is Outcome.SKIPPED for item in done)
    if not changed:
        click.echo(f"{directory} 已经是申报表仓库，没有改动任何文件" + (f"（{skipped} 个文件跳过）" if skipped else ""), err=True)
        return
    click.echo(f"已在 {directory} 建立申报表仓库：写入 {len(changed)} 个文件，{skipped} 个跳过。"
               "下一步：jixiao new 项目名称 --year 年度；pre-commit install", err=True)


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path), metavar="[路径...]")
@click.option("--out", "out_dir", type=click.Path(path_type=Path), default=Path("build"), metavar="文件夹",
              help="输出文件夹（默认 build/），文件写到 <文件夹>/<年度>/<文件名>.<扩展名>")
@click.option("--outputs", "outputs", default=None, metavar="docx,html,xlsx",
              help="生成哪些文件，用逗号分隔（默认 docx,html,xlsx；xlsx 是每个年度一个汇总表.xlsx）")
@click.option("--format", "old_outputs", default=None, hidden=True)  # the name before --outputs; a notice says so
@click.option("--pdf", is_flag=True, help="再用 LibreOffice 把 Word 文件转成 PDF（需要安装 soffice）")
@click.option("--strict", is_flag=True, help="审核发现任何“错误”级别的问题时，退出码为 1")
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=None, metavar="N", help="同时用几个进程（默认：CPU 核数）")
@click.option("--no-cache", is_flag=True, help="不使用也不更新检查缓存")
@click.option("-q", "--quiet", is_flag=True, help="只显示错误，不显示进度和汇总")
def build(paths: tuple[Path, ...], out_dir: Path, outputs: str | None, old_outputs: str | None, pdf: bool, strict: bool,
          jobs: int | None, no_cache: bool, quiet: bool) -> None:
    """生成官方格式的 Word 申报表、HTML 预览（以及 PDF），和每个年度的 index.html、汇总表.xlsx。

    有年终自评结果（“自评”部分）的申报表另外生成自评表，放在 <年度>/自评表/。
    路径可以是文件或文件夹，默认 projects/。只重新生成有变化的文件；从这些路径中删除了的申报表，其输出文件也会删除。
    审核问题只汇总显示，不影响生成；无法生成的文件会列出原因，其他文件照常生成。
    """
    from .build.progress import progress_reporter
    from .build.runner import FORMATS, OutputFault, output_lock  # lazily: `check` need not import the renderers
    from .build.runner import build as run_build

    if outputs is not None and old_outputs is not None:
        raise click.UsageError("--outputs 和 --format 不能同时使用（build 的 --format 是 --outputs 的旧名称）")
    if old_outputs is not None:
        click.echo("提示：build 的 --format 已改名为 --outputs（其他命令的 --format 是输出格式）；旧写法暂时照常可用，请改用 --outputs",
                   err=True)
    option = "--format" if old_outputs is not None else "--outputs"
    formats = old_outputs if old_outputs is not None else outputs if outputs is not None else "docx,html,xlsx"
    chosen = tuple(part.strip() for part in formats.split(",") if part.strip())
    unknown = [part for part in chosen if part not in FORMATS]
    if unknown or not chosen:
        raise click.UsageError(f"{option} 只能是 {'、'.join(FORMATS)} 的组合，用逗号分隔（收到：{formats}）")
    if out_dir.exists() and not out_dir.is_dir():
        raise click.UsageError(f"--out 指向的 {out_dir} 是一个文件，不是文件夹")
    files = _files(paths, filing_names)
    try:
        with output_lock(out_dir, quiet), progress_reporter(quiet) as progress:
            report = run_build(
                files, out_dir, chosen, pdf, load_config(), scope=list(paths) or [Path("projects")],
                jobs=jobs or default_jobs(), cache=None if no_cache else CheckCache(), progress=progress,
            )
    except OutputFault as fault:
        click.echo(f"错误：{fault}。已写完的文件都是完整的；解决后再运行一次即可。", err=True)
        sys.exit(EXIT_FINDINGS)
    errors = [f for f in report.findings if f.severity is Severity.ERROR]
    # What kept a filing from being built; without -q also what the build itself could not do exactly
    # (build.*, such as an amount the workbook holds as text): check does not show these.
    failed = set(report.failed) | set(report.unwritten)
    shown = [f for f in report.findings
             if f.severity is Severity.ERROR and f.file in failed or f.rule.startswith("build.") and not quiet]
    click.echo(FORMATTERS["text"](list(dict.fromkeys(shown))), nl=False, err=True)
    if not quiet:
        counts = {s: sum(f.severity is s for f in report.findings) for s in Severity}
        click.echo(
            f"写入 {report.written} 个文件到 {out_dir}/（{report.unchanged} 个没有变化，删除 {len(report.removed)} 个过时的）；"
            f"{len(report.failed)} 个申报表未能生成。"
            f"审核发现 {counts[Severity.ERROR]} 个错误、{counts[Severity.WARNING]} 个警告、{counts[Severity.INFO]} 个提示"
            + ("（运行 jixiao check 查看详情）" if report.findings else ""),
            err=True,
        )
        if report.pdf_note:
            click.echo(report.pdf_note, err=True)
    failed = bool(report.failed) or bool(report.unwritten) or (strict and bool(errors))
    sys.exit(EXIT_FINDINGS if failed else EXIT_CLEAN)


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path), metavar="[路径...]")
@click.option("--check", "check_only", is_flag=True, help="只检查，不修改；有文件需要格式化时退出码为 1 并列出这些文件")
def fmt(paths: tuple[Path, ...], check_only: bool) -> None:
    """把申报表改写成统一格式（键的顺序、缩进、引号、开头的 schema 注释），不改变任何值，保留注释。

    路径可以是文件或文件夹，默认 projects/。表样中没有的键（例如拼错的键名）不移动位置、不改写，
    逐个列出，退出码为 1。
    """
    from .filing.modeline import modeline_for
    from .forms.schema import load_schema
    from .history.fmt import FormatRefused, format_file

    forms = load_forms()
    schema = load_schema(resources.schema_path())
    changed, broken, unknown = [], [], []
    for path in _files(paths):
        name = path.as_posix()
        try:
            text, formatted, left = format_file(name, read_bytes(path, name), modeline_for(path), forms, schema,
                                                 rewrite=not check_only)
        except YamlRejected as rejected:
            click.echo(FORMATTERS["text"](rejected.findings), nl=False, err=True)
            broken.append(name)
            continue
        except FormatRefused as refused:
            click.echo(FORMATTERS["text"](refused.findings) + f"错误：{refused}", err=True)
            broken.append(name)
            continue
        click.echo(FORMATTERS["text"](left), nl=False, err=True)
        unknown.extend(left)
        if formatted != text:
            changed.append(name)
            if not check_only:
                write_text_atomic(path, formatted)
    verb = "需要格式化" if check_only else "已格式化"
    for name in changed:
        click.echo(f"{verb}：{name}")
    if not check_only:
        _hint_missing_schema([Path(name) for name in changed])
    click.echo(f"{len(changed)} 个文件{verb}，{len(broken)} 个文件无法格式化"
               + (f"，{len(unknown)} 个键不是表样中的键（没有移动）" if unknown else ""), err=True)
    sys.exit(EXIT_FINDINGS if broken or unknown or (check_only and changed) else EXIT_CLEAN)


@main.command()
@click.argument("name", metavar="项目名称")
@click.option("--year", type=Year(), default=None, metavar="年度", help="预算年度，2000 到 2100（默认：明年，预算一般在上一年编制）")
@click.option("--form", "form_id", default=None, metavar="表样",
              help="用哪种表样（默认：该年度文件夹里其他申报表的表样，否则 [tool.jixiao] default-form，否则标为默认的表样）")
@click.option("--projects", "projects_dir", type=click.Path(path_type=Path), default=Path("projects"),
              metavar="文件夹", help="申报表所在的文件夹（默认 projects/）")
def new(name: str, year: int | None, form_id: str | None, projects_dir: Path) -> None:
    """按表样新建一个申报表：projects/<年度>/<项目名称>.yaml，列出全部栏目和分组，必填项有注释。

    新文件是草稿（开头有“# jixiao: 草稿”一行）：删除这一行之前，未填写的必填项只报告为警告。
    """
    from .common.repository import schema_location
    from .filing.modeline import modeline_for
    from .history.scaffold import new_filing_text

    forms = load_forms()
    year = year if year is not None else date.today().year + 1
    if not name.strip():
        raise click.UsageError("项目名称不能为空")
    _refuse_outside_link(projects_dir / str(year))
    form, reason = _pick_form(forms, form_id, projects_dir / str(year), load_config())
    if reason:
        click.echo(f"表样：{form.id}（{reason}；用 --form 可以指定其他表样）", err=True)
    target = projects_dir / str(year) / f"{safe_stem(name)}.yaml"
    if target.exists():
        click.echo(f"错误：{target} 已经存在，没有覆盖", err=True)
        sys.exit(EXIT_FINDINGS)
    schema = schema_location(target)
    if not schema.is_file():
        click.echo(f"错误：申报表仓库中没有 {_shown(schema)}，新建的申报表无法得到编辑器的补全和检查。"
                   "请先在仓库根目录运行 jixiao init（已有仓库也可以只运行 jixiao schema）", err=True)
        sys.exit(EXIT_FINDINGS)
    write_text_atomic(target, new_filing_text(form, name, year, modeline_for(target)))
    click.echo(f"已创建 {target}")


def _shown(path: Path) -> str:
    """A path as the user would type it: relative to the current folder when it is below it."""
    path, cwd = path.resolve(), Path.cwd().resolve()
    return path.relative_to(cwd).as_posix() if path.is_relative_to(cwd) else str(path)


def _hint_missing_schema(written: list[Path]) -> None:
    """The modelines just written point at their repository's schema.json; say so once if it is not there yet
    (outside any repository there is no telling where it will be)."""
    from .common.repository import SCHEMA_NAME, filings_root

    roots = {root for path in written if (root := filings_root(path.resolve().parent)) is not None}
    for schema in sorted(root / SCHEMA_NAME for root in roots):
        if not schema.is_file():
            click.echo(f"提示：开头的 schema 注释指向 {_shown(schema)}，但它还不存在；"
                       "在仓库根目录运行 jixiao init（或 jixiao schema）生成它，编辑器才能补全和检查", err=True)


def _pick_form(forms: dict, form_id: str | None, year_dir: Path, config) -> tuple:
    """The pack for a new filing, and why it was chosen ("" when the user named it)."""
    if form_id is not None:
        if form_id not in forms:
            raise click.UsageError(f"没有表样“{form_id}”（可选：{'、'.join(forms)}）")
        return forms[form_id], ""
    used = _forms_in(year_dir)
    if len(used) == 1 and (only := next(iter(used))) in forms:
        return forms[only], f"{year_dir} 里的其他申报表用的是这个表样"
    if config.default_form:
        if config.default_form not in forms:
            raise click.UsageError(f"{config.source} 的 default-form“{config.default_form}”不是已有的表样（可选：{'、'.join(forms)}）")
        return forms[config.default_form], f"{config.source} 中 [tool.jixiao] default-form 的设置"
    if len(forms) == 1:
        return next(iter(forms.values())), "只有这一种表样"
    defaults = [form for form in forms.values() if form.default]
    if len(defaults) == 1:
        why = f"{year_dir} 里的申报表用了不同的表样" if len(used) > 1 else "表样定义中标为默认"
        return defaults[0], why
    raise click.UsageError(f"有多种表样，请用 --form 指定（可选：{'、'.join(forms)}）")


def _forms_in(year_dir: Path) -> set[str]:
    """The 表样 named by the filings already in a year's folder (unreadable ones are left to `check`)."""
    named = set()
    for path in filing_paths([year_dir]) if year_dir.is_dir() else []:
        try:
            data = load_document(path.as_posix(), read_bytes(path, path.as_posix())).data
        except YamlRejected:
            continue
        if isinstance(data, dict) and data.get("表样"):
            named.add(str(data["表样"]))
    return named


@main.command()
@click.argument("old_year", type=Year(), metavar="原年度")
@click.argument("new_year", type=Year(), metavar="新年度")
@click.option("--projects", "projects_dir", type=click.Path(path_type=Path), default=Path("projects"),
              metavar="文件夹", help="申报表所在的文件夹（默认 projects/）")
def rollover(old_year: int, new_year: int, projects_dir: Path) -> None:
    """把一个年度的全部申报表复制到新年度：年度、项目期和日期顺延，清空财政部门的审核栏，不复制年终自评（自评:），保留注释；不覆盖已有文件。"""
    from .history.scaffold import rolled_over

    source_dir, target_dir = projects_dir / str(old_year), projects_dir / str(new_year)
    if old_year == new_year:
        raise click.UsageError("原年度和新年度相同")
    if not source_dir.is_dir():
        raise click.UsageError(f"文件夹不存在：{source_dir}")
    for folder in (source_dir, target_dir):
        _refuse_outside_link(folder)
    sources = filing_paths([source_dir])
    forms = load_forms()
    existing = [target for path in sources if (target := source_dir_to(target_dir, source_dir, path)).exists()]
    if existing:
        click.echo("错误：以下文件已经存在，没有复制任何文件：\n" + "\n".join(f"  {p}" for p in existing), err=True)
        sys.exit(EXIT_FINDINGS)
    outputs, broken, without_results = {}, [], set()
    for path in sources:
        name = path.as_posix()
        try:
            target = source_dir_to(target_dir, source_dir, path)
            outputs[target], dropped = rolled_over(decode(name, read_bytes(path, name)), name, old_year, new_year, forms)
            if dropped:
                without_results.add(target)
        except YamlRejected as rejected:
            click.echo(FORMATTERS["text"](rejected.findings), nl=False, err=True)
            broken.append(name)
    for target, text in outputs.items():
        write_text_atomic(target, text)
        click.echo(f"已创建 {target}" + ("（没有复制年终自评“自评:”）" if target in without_results else ""))
    click.echo(f"从 {source_dir} 复制了 {len(outputs)} 个申报表到 {target_dir}，{len(broken)} 个无法读取", err=True)
    if without_results:
        click.echo(f"{len(without_results)} 个申报表的年终自评（“自评:”部分）留在 {old_year} 年度，新年度只有绩效目标；"
                   f"{new_year} 年度结束后再填写新的自评", err=True)
    sys.exit(EXIT_FINDINGS if broken else EXIT_CLEAN)


def _refuse_outside_link(folder: Path) -> None:
    """Filings are read and written in the repository only: not through a link planted in it."""
    try:
        leaves = escapes_through_link(folder, Path.cwd())
    except (OSError, RuntimeError):  # a link loop
        leaves = True
    if leaves:
        click.echo(f"错误：{folder} 经过指向当前文件夹之外的符号链接（或绕成圈的链接），没有读取也没有写入", err=True)
        sys.exit(EXIT_FINDINGS)


def source_dir_to(target_dir: Path, source_dir: Path, path: Path) -> Path:
    return target_dir / path.relative_to(source_dir)


@main.command()
@click.argument("revisions", nargs=-1, metavar="[基准 [对比]]")
@click.option("--format", "output_format", type=Choice(["text", "markdown", "json", "html"]), default="text",
              help="text（默认，终端上有颜色）、markdown（PR 评论）、json（给工具用）、html（审核页面，写到 --out）")
@click.option("--path", "folders", multiple=True, type=click.Path(path_type=Path), metavar="文件夹",
              help="比较哪个文件夹下的申报表（默认 projects/，可以写多次）")
@click.option("--out", "out_dir", type=click.Path(path_type=Path), default=None, metavar="文件夹",
              help="--format html 写到哪个文件夹：index.html 和两个版本的页面（old/、new/）")
def diff(revisions: tuple[str, ...], output_format: str, folders: tuple[Path, ...], out_dir: Path | None) -> None:
    """比较两个版本的申报表：增删改名、表头、资金（含增减和部门合计）、指标的增删改和移动、审核问题的变化。

    不写参数时比较当前分支与 main 的分叉点和工作区；写一个修订版本时与工作区比较；
    写两个修订版本时比较这两个版本。也可以直接比较两个文件：jixiao diff 旧.yaml 新.yaml。
    只改了格式、注释、引号或键的顺序不算变化。有申报表无法读取时照常列出其他变化，退出码为 1。

    --format html --out 文件夹：写一个审核页面（index.html），按表样画出每个改动的申报表并标出变化，附两个版本的页面。
    """
    from .common.terminal import colour_enabled
    from .history.diff import analyze, diff_snapshots
    from .history.diff_format import format_json, format_markdown, format_text
    from .history.revisions import (
        RevisionError, default_base, files_at, files_in_worktree, relative_folders, repository_root, resolve, shown_name,
    )

    if (output_format == "html") != (out_dir is not None):
        raise click.UsageError("--format html 要用 --out 指定写到哪个文件夹；--out 只用于 --format html")
    config = load_config()
    try:
        if len(revisions) == 2 and all(Path(r).is_file() for r in revisions):
            old_name, new_name = (shown_name(name) for name in revisions)
            old_sources = {old_name: _source(Path(revisions[0]), old_name)}
            new_sources = {new_name: _source(Path(revisions[1]), new_name)}
            paired = True  # two files are two versions of one filing, whatever their names
            labels = (old_name, new_name)
        elif len(revisions) > 2:
            raise click.UsageError("最多写两个修订版本")
        else:
            root = repository_root(Path.cwd())
            scope = relative_folders(root, list(folders) or [root / "projects"])
            base = resolve(root, revisions[0]) if revisions else default_base(root)
            old_sources = files_at(root, base, scope)
            head = resolve(root, revisions[1]) if len(revisions) == 2 else None
            new_sources = files_at(root, head, scope) if head else files_in_worktree(root, scope)
            paired = False
            labels = (f"{revisions[0] if revisions else '分叉点'}（{base[:7]}）",
                      f"{revisions[1]}（{head[:7]}）" if head else "工作区")
    except RevisionError as error:
        raise click.UsageError(str(error)) from None
    old_states, new_states = analyze(old_sources, config), analyze(new_sources, config)
    if paired:
        old_states = {new_name: old_states[old_name]}
    report = diff_snapshots(old_states, new_states)
    if output_format == "html":
        _write_review(report, labels, out_dir)
    elif output_format == "markdown":
        click.echo(format_markdown(report), nl=False)
    elif output_format == "json":
        click.echo(format_json(report), nl=False)
    else:
        colour = colour_enabled(sys.stdout)
        click.echo(format_text(report, colour=colour), nl=False, color=colour)
    # The changes of a filing that could not be read are unknown: the report is incomplete.
    sys.exit(EXIT_FINDINGS if report.unreadable_before or report.unreadable_after else EXIT_CLEAN)


def _write_review(report, labels: tuple[str, str], out_dir: Path) -> None:
    """The review pages, each written whole or not at all; a template that cannot render stops here."""
    from .history.diff_html import review_site
    from .render.problem import TemplateProblem

    try:
        files, problems = review_site(report, *labels)
    except TemplateProblem as problem:
        click.echo(f"错误：{problem}", err=True)
        sys.exit(EXIT_FINDINGS)
    for line in dict.fromkeys(problems):  # a broken template is named once, not once per page
        click.echo(f"错误：{line}", err=True)
    try:
        for relative, data in files.items():
            write_bytes_atomic(out_dir / relative, data, durable=False)
    except OSError as error:
        click.echo(f"错误：无法写入 {out_dir}（{error.strerror}）", err=True)
        sys.exit(EXIT_FINDINGS)
    click.echo(f"审核页面：{out_dir / 'index.html'}（{len(files)} 个文件）")
    if problems:
        sys.exit(EXIT_FINDINGS)


def _source(path: Path, name: str):
    """A file's bytes, or the YamlRejected that says why it was not read."""
    try:
        return read_bytes(path, name)
    except YamlRejected as rejected:
        return rejected


@main.command(name="import")
@click.argument("documents", nargs=-1, required=True, type=click.Path(path_type=Path), metavar="文件...")
@click.option("--out", "out_dir", type=click.Path(path_type=Path), default=None, metavar="文件夹",
              help="写到哪个文件夹（默认 projects/<年度>/）")
@click.option("--form", "form_id", default=None, metavar="表样", help="按哪种表样读取（默认：每张表按标题和栏目自动识别）")
@click.option("--year", type=int, default=None, metavar="年度", help="文档里找不到年度时使用的年度")
@click.option("--keep-going", is_flag=True, help="有无法识别的内容时也按成功退出（内容仍写在 YAML 注释里）")
@click.option("--into", "into", type=click.Path(path_type=Path), default=None, metavar="申报表",
              help="把填好的自评表写进这个已有的申报表：替换它的“自评”部分，其余内容和注释不变")
def import_(documents: tuple[Path, ...], out_dir: Path | None, form_id: str | None, year: int | None, keep_going: bool,
            into: Path | None) -> None:
    """把已有的 Word 申报表（.docx，装了 LibreOffice 时也可以是 .doc）或 Excel 表（.xlsx，装了 LibreOffice 时也可以是 .xls）导入为 YAML。

    一个文档可以包含多张表；每张表按标题和栏目自动识别表样（或用 --form 指定），写成一个以项目名称命名的文件。
    填好的项目支出绩效自评表导入为一个带“自评”部分的申报表；用 --into 写进已有的申报表。
    无法识别的内容会列出位置，并作为注释保留在 YAML 里；这时退出码为 1（除非 --keep-going）。
    """
    from .importing.run import import_documents

    if into is not None:
        _import_into(documents, into, out_dir, form_id, keep_going)
        return

    forms = load_forms()
    if form_id is not None and form_id not in forms:
        raise click.UsageError(f"没有表样“{form_id}”（可选：{'、'.join(forms)}）")
    # Without --form every pack is a candidate: each form in a document is recognised on its own.
    candidates = [forms[form_id]] if form_id else list(forms.values())
    outcome = import_documents(list(documents), candidates, out_dir, year, forced=bool(form_id))
    for line in outcome.messages:
        click.echo(line, err=True)
    for path in outcome.written:
        click.echo(f"已导入 {path}（表样 {outcome.packs[path]}）")
    failed = outcome.errors or (outcome.problems and not keep_going)
    sys.exit(EXIT_FINDINGS if failed else EXIT_CLEAN)


def _import_into(documents: tuple[Path, ...], into: Path, out_dir: Path | None, form_id: str | None, keep_going: bool) -> None:
    """`import 自评表.docx --into 申报表.yaml`: the results into a filing that exists."""
    from .importing.run import import_into

    if len(documents) != 1 or out_dir is not None or form_id is not None:
        raise click.UsageError("--into 只能导入一个自评表文件，不能与 --out、--form 一起用（表样取申报表的）")
    _refuse_outside_link(into.parent)
    name = into.as_posix()
    try:
        text = decode(name, read_bytes(into, name))
    except YamlRejected as rejected:
        click.echo(FORMATTERS["text"](rejected.findings), nl=False, err=True)
        sys.exit(EXIT_FINDINGS)
    outcome, written = import_into(documents[0], name, text, load_forms())
    for line in outcome.messages:
        click.echo(line, err=True)
    if written is None:
        sys.exit(EXIT_FINDINGS)
    write_text_atomic(into, written)
    click.echo(f"已把 {documents[0]} 的自评结果写入 {into}")
    sys.exit(EXIT_FINDINGS if outcome.problems and not keep_going else EXIT_CLEAN)


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path), metavar="文件...")
@click.option("--format", "output_format", type=Choice(["text", "json"]), default="text",
              help="text（默认，每个指标一行）或 json（给工具用，数字写成文字）")
def score(paths: tuple[Path, ...], output_format: str) -> None:
    """计算年终自评的得分：预算执行率、每个指标的分值和得分、总分（按申报表“自评”部分和自评表样的规则）。

    文件也可以是文件夹。自评结果的问题（与 check 相同的 文件:行:列 格式）写到标准错误。
    有文件没有自评结果、无法计分、总分不完整或自评结果有“错误”级别的问题时，退出码为 1。
    """
    from .review.scores import FORMATS as SCORE_FORMATS
    from .review.scores import failed, score_files

    if not paths:
        raise click.UsageError("请写出要计分的申报表文件（或文件夹），例如 jixiao score projects/2024/某项目.yaml")
    findings, scored = score_files(_files(paths), load_config())
    click.echo(FORMATTERS["text"](findings), nl=False, err=True)
    click.echo(SCORE_FORMATS[output_format](scored), nl=False)
    sys.exit(EXIT_FINDINGS if failed(findings, scored) else EXIT_CLEAN)


def _usage_message(error: click.UsageError) -> str:
    if isinstance(error, click.NoSuchOption):
        hint = f"（是不是 {error.possibilities[0]}？）" if error.possibilities else ""
        return f"没有 {error.option_name} 这个选项{hint}"
    if isinstance(error, click.BadParameter):
        where = error.param.get_error_hint(error.ctx) if error.param and error.ctx else "参数"
        return f"{where} 的值无效：{error.message}"
    if isinstance(error, click.MissingParameter):
        return f"缺少参数 {error.param.get_error_hint(error.ctx) if error.param else ''}"
    if isinstance(error, click.BadOptionUsage):
        return f"选项 {error.option_name} 的用法不对"
    return error.message


def run(argv: list[str] | None = None) -> int:
    """Entry point: click in non-standalone mode so that every message is ours and in Chinese.

    SIGTERM keeps its default (the process ends at once): every file is written whole or not at all,
    worker processes end with their build, and the next build completes what is missing. Only while
    LibreOffice runs does SIGTERM unwind jixiao, to end LibreOffice too (common/libreoffice.py)."""
    try:
        main.main(args=argv, prog_name="jixiao", standalone_mode=False)
    except click.UsageError as error:
        command = error.ctx.command_path if error.ctx else "jixiao"
        click.echo(f"用法错误：{_usage_message(error)}\n运行“{command} --help”查看用法。", err=True)
        return EXIT_USAGE
    except (FormError, ConfigError) as error:
        click.echo(f"错误：{error}", err=True)
        return EXIT_USAGE
    except (click.Abort, KeyboardInterrupt):
        click.echo("已中断。已写完的文件都是完整的；再运行一次即可补齐其余文件。", err=True)
        return 130
    except BrokenPipeError:  # `jixiao check | head`: the reader left; nothing more to say
        return EXIT_CLEAN
    except SystemExit as done:
        return int(done.code or 0)
    return EXIT_CLEAN
