"""LibreOffice, headless: .docx → .pdf for builds, .doc → .docx for imports, many files per process."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from . import resources
from .atomic import write_bytes_atomic

TIMEOUT_SECONDS = 600


def find_soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


class ConversionFailed(Exception):
    pass


def convert(documents: list[Path], target: str, soffice: str) -> dict[Path, bytes]:
    """Convert files with one soffice process; returns source → converted bytes for those converted.

    The files are copied under numbered names into a private folder first, so that files with the
    same name from different folders cannot collide. A private LibreOffice profile keeps two runs
    from fighting over the user's profile; the fontconfig aliases map 宋体/仿宋 to free CJK fonts.
    """
    if not documents:
        return {}
    with tempfile.TemporaryDirectory(prefix="jixiao-soffice-") as work:
        work_dir = Path(work)
        inputs = []
        for number, document in enumerate(documents):
            copy = work_dir / f"{number:06d}{document.suffix.lower()}"
            shutil.copyfile(document, copy)
            inputs.append(copy)
        environment = {**os.environ, "FONTCONFIG_FILE": str(resources.templates_dir() / "fonts.conf")}
        command = [
            soffice, f"-env:UserInstallation={(work_dir / 'profile').as_uri()}",
            "--headless", "--norestore", "--convert-to", target, "--outdir", str(work_dir / "out"),
            *map(str, inputs),
        ]
        try:
            subprocess.run(command, env=environment, capture_output=True, timeout=TIMEOUT_SECONDS, check=False)
        except (OSError, subprocess.TimeoutExpired) as error:
            raise ConversionFailed(f"LibreOffice 转换失败：{error}") from None
        converted = {}
        for document, copy in zip(documents, inputs):
            produced = work_dir / "out" / f"{copy.stem}.{target}"
            if produced.exists():
                converted[document] = produced.read_bytes()
        return converted


def convert_to_pdf(documents: list[Path], soffice: str) -> dict[Path, Path]:
    """PDFs written atomically beside their .docx files; returns docx → pdf for those converted."""
    written = {}
    for document, data in convert(documents, "pdf", soffice).items():
        target = document.with_name(document.name.removesuffix(".docx") + ".pdf")
        write_bytes_atomic(target, data)
        written[document] = target
    return written
