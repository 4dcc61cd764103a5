"""`jixiao init`: set up a filings repository (schema, editor, pre-commit, CI, config, an example filing).

The files come from starter/ (shipped inside the package) with the installed version and the chosen form
filled in. A file the user already has is never replaced without --force; pyproject.toml and .gitignore
belong to the user whole, so what jixiao needs is added to them (with --force), never written over them.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Callable

from ..common.atomic import write_text_atomic
from ..common.discover import PathNotFound, escapes_through_link, filing_paths
from ..common.names import safe_stem
from ..common.repository import SCHEMA_NAME
from ..common.yamlio import load_document
from ..filing.modeline import MODELINE_PREFIX
from ..forms.definition import FormDefinition

STARTER = Path(__file__).with_name("starter")
EXAMPLE_NAME = "example.yaml"


class Outcome(Enum):
    CREATED = "已创建"
    UNCHANGED = "未改变"
    SKIPPED = "已跳过"
    REPLACED = "已覆盖"
    APPENDED = "已追加"


@dataclass(frozen=True)
class StarterFile:
    relative: str
    text: str
    # For a file that is the user's whole (pyproject.toml, .gitignore): whether its text already holds what
    # jixiao needs; if not, `text` is appended to it (with --force), never written over it.
    present: Callable[[str], bool] | None = None
    hint: str = ""  # what to do by hand when it is skipped


@dataclass(frozen=True)
class Done:
    relative: str
    outcome: Outcome
    note: str = ""


def _starter(name: str, **values: str) -> str:
    text = (STARTER / name).read_text(encoding="utf-8")
    for key, value in values.items():
        text = text.replace(f"@JIXIAO_{key}@", value)
    return text


def _has_jixiao_table(text: str) -> bool:
    try:
        tool = tomllib.loads(text).get("tool")
    except tomllib.TOMLDecodeError:  # `init` reads the configuration first and stops at such a file
        return False
    return isinstance(tool, dict) and "jixiao" in tool


def _ignores_build(text: str) -> bool:
    return any(line.strip() in ("build", "build/", "/build", "/build/") for line in text.splitlines())


def example_filing(form: FormDefinition) -> tuple[str, str] | None:
    """The pack's example as a filing of this repository: projects/<年度>/<项目名称>.yaml, and its text with
    the modeline of that place. None when the pack has no example."""
    source = form.directory / EXAMPLE_NAME
    if not source.is_file():
        return None
    raw = source.read_bytes()
    data = load_document(source.as_posix(), raw).data
    lines = raw.decode("utf-8").splitlines(keepends=True)
    body = "".join(line for line in lines if not line.startswith(MODELINE_PREFIX))
    relative = f"projects/{data['年度']}/{safe_stem(str(data[form.name_field]))}.yaml"
    return relative, f"{MODELINE_PREFIX}../../{SCHEMA_NAME}\n{body}"


def starter_files(form: FormDefinition, schema_text: str, version: str, with_example: bool) -> list[StarterFile]:
    """Everything `init` writes, relative to the repository root: the same on every run (only jixiao's own
    files are read), the example filing only `with_example`."""
    example = example_filing(form)
    values = {"VERSION": version, "FORM": form.id, "EXAMPLE": example[0] if example else "projects/"}
    config = _starter("pyproject.toml", **values)
    files = [
        StarterFile(SCHEMA_NAME, schema_text, hint="运行 jixiao schema 按已安装的 jixiao 更新它"),
        StarterFile(".vscode/settings.json", _starter("vscode-settings.json"),
                    hint='在其中加入 "yaml.schemas": {"./schema.json": ["projects/**/*.yaml", "projects/**/*.yml"]}'),
        StarterFile(".vscode/extensions.json", _starter("vscode-extensions.json"),
                    hint='在 "recommendations" 中加入 "redhat.vscode-yaml"'),
        StarterFile(".pre-commit-config.yaml", _starter("pre-commit-config.yaml", **values),
                    hint=f"其中的 jixiao 应固定为 jixiao=={version}"),
        StarterFile(".github/workflows/filings.yml", _starter("filings.yml", **values)),
        StarterFile(".gitignore", _starter("gitignore"), present=_ignores_build, hint="其中应有一行 /build/"),
        StarterFile("pyproject.toml", config, present=_has_jixiao_table, hint="其中应有 [tool.jixiao] 表"),
        StarterFile("README.md", _starter("README.md", **values)),
    ]
    if example and with_example:
        files.append(StarterFile(*example))
    return files


def has_filings(root: Path) -> bool:
    try:
        return bool(filing_paths([root / "projects"])) if (root / "projects").is_dir() else False
    except PathNotFound:
        return False


def set_up(root: Path, files: list[StarterFile], force: bool) -> list[Done]:
    """Write what is missing; leave what is there unless --force (which appends to a user's whole file)."""
    done = []
    for starter in files:
        path = root / starter.relative
        if escapes_through_link(path, root):
            done.append(Done(starter.relative, Outcome.SKIPPED, "经过指向仓库之外的符号链接，没有写入"))
            continue
        if not path.exists():
            write_text_atomic(path, starter.text)
            done.append(Done(starter.relative, Outcome.CREATED))
            continue
        if not path.is_file():
            done.append(Done(starter.relative, Outcome.SKIPPED, "已存在，但不是文件"))
            continue
        try:
            current = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            done.append(Done(starter.relative, Outcome.SKIPPED, "已存在，但不是 UTF-8 文本，没有改动"))
            continue
        if current == starter.text or (starter.present and starter.present(current)):
            done.append(Done(starter.relative, Outcome.UNCHANGED))
        elif not force:
            why = "已存在，缺少 jixiao 需要的内容" if starter.present else "已存在且内容不同"
            done.append(Done(starter.relative, Outcome.SKIPPED, f"{why}，没有改动（{starter.hint + '；' if starter.hint else ''}"
                                                                   f"或用 --force {'追加' if starter.present else '覆盖'}）"))
        elif starter.present:
            separator = "" if not current or current.endswith("\n") else "\n"
            write_text_atomic(path, current + separator + ("\n" if current else "") + starter.text)
            done.append(Done(starter.relative, Outcome.APPENDED))
        else:
            write_text_atomic(path, starter.text)
            done.append(Done(starter.relative, Outcome.REPLACED))
    return done
