"""Filing files as they are in a git revision or in the working tree, read with a few git calls.

Names are kept as git and the file system hold them (bytes that are not UTF-8 as surrogates), so that
the same file pairs up across versions; a name that cannot be printed as it is is not read but reported."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path, PurePosixPath

from ..common.discover import SUFFIXES, filing_paths
from ..common.findings import Finding, Severity
from ..common.yamlio import YamlRejected
from ..review.check import read_bytes


class RevisionError(Exception):
    """A revision or path that git cannot give us; the message is for the user."""


def _git(root: Path, *args: str, data: bytes | None = None) -> bytes:
    try:
        done = subprocess.run(
            ["git", "-c", "core.quotepath=false", *args], cwd=root, input=data, capture_output=True, check=False,
        )
    except OSError as error:
        raise RevisionError(f"无法运行 git：{error}") from None
    if done.returncode != 0:
        raise RevisionError(done.stderr.decode("utf-8", "replace").strip() or f"git {' '.join(args)} 失败")
    return done.stdout


def repository_root(start: Path) -> Path:
    try:
        return Path(_git(start, "rev-parse", "--show-toplevel").decode().strip())
    except RevisionError:
        raise RevisionError(f"{start} 不在 git 仓库中") from None


def resolve(root: Path, revision: str) -> str:
    try:
        return _git(root, "rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}").decode().strip()
    except RevisionError:
        raise RevisionError(f"修订版本“{revision}”不存在") from None


def default_base(root: Path) -> str:
    """Where this branch started: the merge-base with main, else with the upstream branch, else HEAD."""
    for other in ("main", "@{upstream}", "master"):
        try:
            return _git(root, "merge-base", "HEAD", other).decode().strip()
        except RevisionError:
            continue
    return resolve(root, "HEAD")


def relative_folders(root: Path, folders: list[Path]) -> list[str]:
    relative = []
    for folder in folders:
        resolved = folder.resolve()
        if not resolved.is_relative_to(root.resolve()):
            raise RevisionError(f"路径 {folder} 不在仓库 {root} 中")
        relative.append(resolved.relative_to(root.resolve()).as_posix() or ".")
    return relative


# What a source is: the file's bytes, or why it was not read (findings to report in its place).
Source = bytes | YamlRejected

_REGULAR, _LINK = ("100644", "100755"), "120000"
MAX_LINKS = 8  # links followed in a row before giving up (git stores a loop as happily as a link)
_CONTROL = re.compile("[\x00-\x1f\x7f\x85\u2028\u2029]")


def shown_name(name: str) -> str:
    """A path as it can be printed: bytes that are not UTF-8 (kept by git and the file system as they
    are) as \\xNN, control characters such as a newline as \\n, \\x01..."""
    text = name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return _CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


def _name_problem(name: str) -> str | None:
    if shown_name(name) == name:
        return None
    if _CONTROL.search(name):
        return "文件名里有换行符或其他控制字符，没有读取；请用 git mv 把文件改成普通的名字"
    return ("文件名不是 UTF-8 编码（多半是在 Windows 上以 GBK 保存的文件名），没有读取；"
            "请用 git mv 把它改成 UTF-8 的文件名")


def _refused(name: str, rule: str, message: str) -> YamlRejected:
    return YamlRejected([Finding(name, 1, 1, Severity.ERROR, rule, message)])


def _is_filing(name: str) -> bool:
    path = PurePosixPath(name)
    return path.suffix in SUFFIXES and not any(part.startswith(".") for part in path.parts)


def _ls_tree(root: Path, revision: str, folders: list[str]) -> dict[str, tuple[str, str]]:
    """Path → (mode, object id) of every file under `folders` (the whole tree without folders) at `revision`."""
    entries = {}
    for record in _git(root, "ls-tree", "-r", "-z", revision, "--", *folders).split(b"\0"):
        if record:
            meta, _, name = record.partition(b"\t")
            mode, _, oid = meta.decode("ascii").split(" ")
            entries[name.decode("utf-8", "surrogateescape")] = (mode, oid)
    return entries


def _objects(root: Path, oids: set[str]) -> dict[str, bytes]:
    """The contents of git objects, by id (ids, not paths, go to git: a path may hold any character)."""
    if not oids:
        return {}
    batch = _git(root, "cat-file", "--batch", data="".join(f"{oid}\n" for oid in sorted(oids)).encode("ascii"))
    contents, offset = {}, 0
    while offset < len(batch):
        header_end = batch.index(b"\n", offset)
        fields = batch[offset:header_end].decode("ascii").split(" ")
        if len(fields) != 3:
            raise RevisionError(f"git 仓库里缺少对象 {fields[0]}（浅克隆？请用 git fetch --unshallow 取得完整历史）")
        size = int(fields[2])
        contents[fields[0]] = batch[header_end + 1: header_end + 1 + size]
        offset = header_end + 1 + size + 1
    return contents


def _link_target(name: str, target: bytes) -> str | None:
    """The repository path a link at `name` points to; None when it leaves the repository."""
    text = target.decode("utf-8", "surrogateescape")
    if text.startswith("/"):
        return None
    parts: list[str] = []
    for part in (PurePosixPath(name).parent / text).parts:
        if part == "..":
            if not parts:
                return None
            parts.pop()
        elif part != ".":
            parts.append(part)
    return "/".join(parts)


def files_at(root: Path, revision: str, folders: list[str]) -> dict[str, Source]:
    """Filing files under `folders` at `revision`, by printable repository-relative path.

    A link is followed while it stays in the repository, as `jixiao check` does in the working tree."""
    entries = {name: entry for name, entry in _ls_tree(root, revision, folders).items() if _is_filing(name)}
    contents = _objects(root, {oid for mode, oid in entries.values() if mode in _REGULAR or mode == _LINK})
    tree: dict[str, tuple[str, str]] | None = None
    sources: dict[str, Source] = {}
    for name, (mode, oid) in sorted(entries.items()):
        shown = shown_name(name)
        if problem := _name_problem(name):
            sources[shown] = _refused(shown, "file.name", problem)
            continue
        current = name
        for _ in range(MAX_LINKS):
            if mode != _LINK:
                break
            current = _link_target(current, contents[oid])
            if current is None:
                sources[shown] = _refused(shown, "file.outside", "这是一个指向仓库之外的符号链接，没有读取；申报表应放在仓库里")
                break
            tree = tree if tree is not None else _ls_tree(root, revision, [])
            mode, oid = tree.get(current, ("", ""))
            if mode in _REGULAR or mode == _LINK:
                contents.update(_objects(root, {oid} - contents.keys()))
        if shown in sources:
            continue
        if mode in _REGULAR:
            sources[shown] = contents[oid]
        else:
            why = "符号链接绕成了一个圈，或指向的文件在这个版本中不存在" if current != name else "这不是普通文件（如子模块），没有读取"
            sources[shown] = _refused(shown, "file.unreadable", why)
    return sources


def files_in_worktree(root: Path, folders: list[str]) -> dict[str, Source]:
    """Filing files under `folders` in the working tree, read as `jixiao check` reads them, except that a
    link may point anywhere in the repository (not only below the current folder)."""
    sources: dict[str, Source] = {}
    for folder in folders:
        base = root / folder
        for path in filing_paths([base]) if base.is_dir() else []:
            name = path.relative_to(root).as_posix()
            if not _is_filing(name) or (path.is_dir() and not path.is_symlink()):
                continue  # git lists files only
            shown = shown_name(name)
            if problem := _name_problem(name):
                sources[shown] = _refused(shown, "file.name", problem)
                continue
            try:
                sources[shown] = read_bytes(path, shown, inside=root, where="仓库")
            except YamlRejected as rejected:
                sources[shown] = rejected
    return sources
