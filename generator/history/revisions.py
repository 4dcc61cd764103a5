"""Filing files as they are in a git revision or in the working tree, read with a few git calls."""

from __future__ import annotations

import subprocess
from pathlib import Path

from ..common.discover import SUFFIXES


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


def files_at(root: Path, revision: str, folders: list[str]) -> dict[str, bytes]:
    """Filing files under `folders` at `revision`, by repository-relative path."""
    listing = _git(root, "ls-tree", "-r", "-z", "--name-only", revision, "--", *folders).decode("utf-8")
    names = sorted(
        n for n in listing.split("\0")
        if n and Path(n).suffix in SUFFIXES and not any(part.startswith(".") for part in Path(n).parts)
    )
    if not names:
        return {}
    batch = _git(root, "cat-file", "--batch", data="".join(f"{revision}:{n}\n" for n in names).encode("utf-8"))
    contents, offset = {}, 0
    for name in names:
        header_end = batch.index(b"\n", offset)
        size = int(batch[offset:header_end].split()[2])
        contents[name] = batch[header_end + 1: header_end + 1 + size]
        offset = header_end + 1 + size + 1
    return contents


def files_in_worktree(root: Path, folders: list[str]) -> dict[str, bytes]:
    contents = {}
    for folder in folders:
        base = root / folder
        if not base.is_dir():
            continue
        for path in sorted(base.rglob("*")):
            if path.suffix in SUFFIXES and path.is_file() and not any(p.startswith(".") for p in path.relative_to(root).parts):
                contents[path.relative_to(root).as_posix()] = path.read_bytes()
    return contents
