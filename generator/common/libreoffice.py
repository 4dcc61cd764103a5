"""LibreOffice, headless: .docx → .pdf for builds, .doc → .docx for imports, many files per process.

Files from others can hang or crash LibreOffice, so each soffice process gets a fresh profile of its
own (a profile locked by a hung run elsewhere cannot block it), its own process group (ended whole
on a timeout, on Ctrl-C or SIGTERM and after it exits), and a time limit per file. LibreOffice converts its
inputs in order and renames each output into place when it is complete, so after a process ends the
file it stopped on is known: that one fails, and the files after it go to the next process.
"""

from __future__ import annotations

import math
import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from . import resources
from .atomic import write_bytes_atomic

TIMEOUT_VARIABLE = "JIXIAO_SOFFICE_TIMEOUT"
DEFAULT_TIMEOUT_SECONDS = 120  # per file; a form converts in seconds, the first one with LibreOffice's start
_POLL_SECONDS = 0.1


def find_soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


@dataclass
class Conversion:
    converted: dict[Path, bytes] = field(default_factory=dict)
    failed: dict[Path, str] = field(default_factory=dict)  # source → why, for the user


def _timeout() -> float:
    """Seconds a file may take, from the environment; ValueError (for the user) when the setting is not a positive number."""
    setting = os.environ.get(TIMEOUT_VARIABLE)
    if setting is None:
        return DEFAULT_TIMEOUT_SECONDS
    try:
        seconds = float(setting)
    except ValueError:
        seconds = math.nan
    if not seconds > 0:
        raise ValueError(f"环境变量 {TIMEOUT_VARIABLE} 的值“{setting}”不是正数（秒），没有转换")
    return seconds


def _end_group(process: subprocess.Popen) -> None:
    """Kill the process group (soffice's launcher, soffice.bin and anything they started), then reap the leader.
    The leader is reaped only afterwards, so that its id, which names the group, cannot be reused meanwhile."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait()


@contextmanager
def _terminate_ends_group():
    """SIGTERM while soffice runs unwinds jixiao (as Ctrl-C does), so that the group is ended below: soffice
    runs in a session of its own, which a signal to jixiao alone does not reach."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum, frame):
        raise SystemExit(128 + signum)

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous if previous is not None else signal.SIG_DFL)


def _run(command: list[str], environment: dict[str, str], outputs: list[Path], limit: float) -> int | None:
    """Run soffice; its exit status, or None when no output was completed for `limit` seconds."""
    with _terminate_ends_group():
        return _run_until_done(command, environment, outputs, limit)


def _run_until_done(command: list[str], environment: dict[str, str], outputs: list[Path], limit: float) -> int | None:
    process = subprocess.Popen(command, env=environment, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, start_new_session=True)
    expected, folder = {output.name for output in outputs}, outputs[0].parent
    try:
        done, since = 0, time.monotonic()
        while os.waitid(os.P_PID, process.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is None:
            time.sleep(_POLL_SECONDS)
            now_done = len(expected.intersection(os.listdir(folder))) if folder.is_dir() else 0
            if now_done != done:
                done, since = now_done, time.monotonic()
            elif time.monotonic() - since > limit:
                return None
    finally:
        _end_group(process)  # also on Ctrl-C (KeyboardInterrupt) and after a normal exit
    return process.returncode


def convert(documents: list[Path], target: str, soffice: str) -> Conversion:
    """Convert files, as many as possible per soffice process; each source ends up converted or failed.

    The files are copied under numbered names into a private folder first, so that files with the
    same name from different folders cannot collide; the fontconfig aliases map 宋体/仿宋 to free CJK fonts.
    """
    result = Conversion()
    if not documents:
        return result
    try:
        limit = _timeout()
    except ValueError as bad:
        result.failed = {document: str(bad) for document in documents}
        return result
    with tempfile.TemporaryDirectory(prefix="jixiao-soffice-") as work:
        work_dir = Path(work)
        copies = []
        for number, document in enumerate(documents):
            copy = work_dir / f"{number:06d}{document.suffix.lower()}"
            shutil.copyfile(document, copy)
            copies.append(copy)
        environment = {**os.environ, "FONTCONFIG_FILE": str(resources.templates_dir() / "fonts.conf")}
        pending = list(range(len(documents)))
        while pending:
            run_dir = work_dir / f"run-{pending[0]:06d}"  # a fresh profile and output folder for each process
            outputs = [run_dir / "out" / f"{copies[i].stem}.{target}" for i in pending]
            command = [
                soffice, f"-env:UserInstallation={(run_dir / 'profile').as_uri()}", "--headless", "--norestore",
                "--convert-to", target, "--outdir", str(run_dir / "out"), *(str(copies[i]) for i in pending),
            ]
            try:
                status = _run(command, environment, outputs, limit)
            except OSError as error:
                result.failed.update((documents[i], f"无法运行 LibreOffice（{soffice}）：{error.strerror}") for i in pending)
                return result
            last = -1
            for position, (i, output) in enumerate(zip(pending, outputs)):
                if output.exists():
                    result.converted[documents[i]] = output.read_bytes()
                    last = position
            # Status 0: LibreOffice tried every input. Otherwise it stopped on the one after the last
            # converted, and the inputs after that were never tried.
            tried = pending if status == 0 else pending[: last + 2]
            for i in tried:
                if documents[i] not in result.converted:
                    result.failed[documents[i]] = f"LibreOffice 无法把它转换为 .{target}"
            if status is None and last + 1 < len(pending):
                result.failed[documents[pending[last + 1]]] = (
                    f"LibreOffice 转换这个文件超过 {limit:g} 秒没有完成，已停止（可以用环境变量 {TIMEOUT_VARIABLE} 设置秒数）"
                )
            pending = pending[len(tried):]
        return result


def convert_to_pdf(documents: list[Path], soffice: str) -> tuple[dict[Path, Path], dict[Path, str]]:
    """PDFs written atomically beside their .docx files: docx → pdf for those converted, docx → why for the others."""
    conversion = convert(documents, "pdf", soffice)
    written = {}
    for document, data in conversion.converted.items():
        target = document.with_name(document.name.removesuffix(".docx") + ".pdf")
        write_bytes_atomic(target, data)
        written[document] = target
    return written, conversion.failed
