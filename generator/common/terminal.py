"""Whether to colour terminal output: one decision for every command (diff's colours, build's progress bar).

The conventions of https://no-color.org and https://force-color.org, in CPython's order (3.13's _colorize):
NO_COLOR set and not empty turns colour off, whatever else is set; then FORCE_COLOR set and not empty turns
it on even when the output is not a terminal (CI logs, a pipe), except "0" or "false", which turn it off;
otherwise colour only on a terminal that is not TERM=dumb.
"""

from __future__ import annotations

import os
from typing import TextIO


def colour_enabled(stream: TextIO) -> bool:
    if os.environ.get("NO_COLOR"):
        return False
    forced = os.environ.get("FORCE_COLOR", "")
    if forced:
        return forced.strip().lower() not in ("0", "false")
    if os.environ.get("TERM") == "dumb":
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())
