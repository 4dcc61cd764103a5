"""PDF through LibreOffice: every .docx of a build converted in one soffice process."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from . import resources
from .writer import write_bytes_atomic

TIMEOUT_SECONDS = 600


def find_soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


class PdfFailed(Exception):
    pass


def convert_to_pdf(documents: list[Path], soffice: str) -> dict[Path, Path]:
    """Convert .docx files to PDFs beside them; returns docx → pdf for those converted.

    The files are copied under numbered names into a private folder first, so that files with
    the same name from different years cannot collide, and each PDF is moved into place whole.
    A private LibreOffice profile keeps two builds from fighting over the user's profile.
    """
    if not documents:
        return {}
    with tempfile.TemporaryDirectory(prefix="jixiao-pdf-") as work:
        work_dir = Path(work)
        inputs = []
        for number, document in enumerate(documents):
            copy = work_dir / f"{number:06d}.docx"
            shutil.copyfile(document, copy)
            inputs.append(copy)
        environment = {**os.environ, "FONTCONFIG_FILE": str(resources.templates_dir() / "fonts.conf")}
        command = [
            soffice, f"-env:UserInstallation={(work_dir / 'profile').as_uri()}",
            "--headless", "--norestore", "--convert-to", "pdf", "--outdir", str(work_dir / "pdf"),
            *map(str, inputs),
        ]
        try:
            subprocess.run(command, env=environment, capture_output=True, timeout=TIMEOUT_SECONDS, check=False)
        except (OSError, subprocess.TimeoutExpired) as error:
            raise PdfFailed(f"LibreOffice 转换失败：{error}") from None
        converted = {}
        for document, copy in zip(documents, inputs):
            produced = work_dir / "pdf" / (copy.stem + ".pdf")
            if produced.exists():
                target = document.with_suffix(".pdf")
                write_bytes_atomic(target, produced.read_bytes())
                converted[document] = target
        return converted
