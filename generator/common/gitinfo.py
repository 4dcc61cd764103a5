"""Where a filing came from: its git revision and last commit time, for document properties."""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

EPOCH_FALLBACK = datetime(1980, 1, 1, tzinfo=timezone.utc)


@dataclass(frozen=True, slots=True)
class Provenance:
    revision: str  # short id of the last commit that changed the file, or "" outside git / never committed
    dirty: bool  # the file differs from HEAD (or is not committed)
    timestamp: datetime


def _git(args: list[str], cwd: Path) -> str | None:
    # The full path, -C rather than cwd=, and no fd closing let Python start git with posix_spawn: no
    # copy of this process (a build's worker processes are running by now, and memory is measured).
    command = [shutil.which("git") or "git", "-C", str(cwd), *args]
    try:
        done = subprocess.run(command, capture_output=True, text=True, check=False, close_fds=False)
    except OSError:
        return None
    return done.stdout if done.returncode == 0 else None


def _source_date_epoch() -> datetime | None:
    value = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    return datetime.fromtimestamp(int(value), tz=timezone.utc) if value.isdigit() else None


def provenance(paths: list[str]) -> dict[str, Provenance]:
    """Provenance of each file, with a few git calls for the whole set (not one per file)."""
    fixed = _source_date_epoch()
    if not paths:
        return {}
    cwd = Path(paths[0]).resolve().parent
    top = _git(["rev-parse", "--show-toplevel"], cwd)
    if not top:
        return {p: Provenance("", True, fixed or EPOCH_FALLBACK) for p in paths}
    root = Path(top.strip())
    relative = {p: Path(os.path.relpath(Path(p).resolve(), root)).as_posix() for p in paths}
    # Their folders as pathspecs: a short command line however many files there are.
    folders = sorted({os.path.dirname(r) or "." for r in relative.values()})
    changed = set((_git(["status", "--porcelain", "-z", "--untracked-files=all", "--", *folders], root) or "").split("\0"))
    changed_paths = {entry[3:] for entry in changed if len(entry) > 3}
    # The commit that last changed each file: its id and time stay the same across unrelated
    # commits, so outputs (and incremental builds) only change when the filing does.
    last_commit: dict[str, tuple[str, datetime]] = {}
    log = _git(["log", "--format=%x00%x01%h %ct", "--name-only", "-z", "--", *folders], root) or ""
    commit = None
    for token in log.split("\0"):
        token = token.strip("\n")
        if token.startswith("\x01"):
            revision, stamp = token[1:].split()
            commit = (revision, datetime.fromtimestamp(int(stamp), tz=timezone.utc))
        elif token and commit:
            for name in token.split("\n"):
                last_commit.setdefault(name, commit)
    return {
        path: Provenance(
            last_commit.get(relative[path], ("", EPOCH_FALLBACK))[0],
            relative[path] in changed_paths or relative[path] not in last_commit,
            fixed or last_commit.get(relative[path], ("", EPOCH_FALLBACK))[1],
        )
        for path in paths
    }


def describe(name: str, source: Provenance) -> str:
    if not source.revision:
        return f"{name}（没有提交到 git）"
    return f"{name} @ {source.revision}" + ("（有未提交的修改）" if source.dirty else "")


class GitError(Exception):
    """git cannot answer what was asked; the message is for the user."""


def repository_top(start: Path) -> Path | None:
    """The root of the git work tree `start` is in, or None outside git."""
    top = _git(["rev-parse", "--show-toplevel"], start)
    return Path(top.rstrip("\n")) if top else None


def _git_names(args: list[str], root: Path) -> list[str]:
    """The NUL-separated file names a git command prints (names as the file system holds them)."""
    command = [shutil.which("git") or "git", "-C", str(root), *args]
    try:
        done = subprocess.run(command, capture_output=True, check=False, close_fds=False)
    except OSError as error:
        raise GitError(f"无法运行 git：{error}") from None
    if done.returncode != 0:
        raise GitError(done.stderr.decode("utf-8", "replace").strip() or f"git {' '.join(args)} 失败")
    return [os.fsdecode(name) for name in done.stdout.split(b"\0") if name]


def changed_since(ref: str, start: Path) -> set[str]:
    """Absolute paths of the files added, modified, renamed or copied since the merge base of HEAD and `ref`,
    whether committed, staged or only in the working tree (a new file not yet added counts as added)."""
    root = repository_top(start)
    if root is None:
        raise GitError(f"{start} 不在 git 仓库中")
    if _git(["rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"], root) is None:
        raise GitError(f"修订版本“{ref}”不存在（在 CI 中检出时要取得它：例如 actions/checkout 的 fetch-depth: 0）")
    base = _git(["merge-base", ref, "HEAD"], root)
    if not base:
        raise GitError(f"“{ref}”与当前提交没有共同的祖先（在 CI 中检出时要取得完整历史：fetch-depth: 0）")
    # The merge base against the working tree: commits of this branch, staged and unstaged changes.
    names = _git_names(["diff", "--name-only", "-z", "-M", "--diff-filter=d", base.strip(), "--"], root)
    names += _git_names(["ls-files", "--others", "--exclude-standard", "-z"], root)
    return {os.path.normpath(os.path.join(root, name)) for name in names}
