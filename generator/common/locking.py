"""An exclusive lock on a file, for one build at a time per output folder.

The operating system's own lock (flock, or a locked byte on Windows) on an open file: it goes with
the process, so a build that is killed never leaves a folder locked. A few lines instead of a
library, whose import cost a no-op build a tenth of its time.
"""

from __future__ import annotations

import os
import time

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None
    import msvcrt


class FileLock:
    def __init__(self, path: str | os.PathLike):
        # Opened first: a folder that cannot be written is an OSError here, never a wait for a lock.
        self.handle = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)

    def try_acquire(self) -> bool:
        try:
            if fcntl is not None:
                fcntl.flock(self.handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            else:
                os.lseek(self.handle, 0, os.SEEK_SET)
                msvcrt.locking(self.handle, msvcrt.LK_NBLCK, 1)
        except OSError:  # held by another process (BlockingIOError, or PermissionError on Windows)
            return False
        return True

    def acquire(self) -> None:
        if fcntl is not None:
            fcntl.flock(self.handle, fcntl.LOCK_EX)
            return
        while not self.try_acquire():
            time.sleep(0.1)

    def release(self) -> None:
        """Unlock and close (closing alone would unlock, but say it)."""
        try:
            if fcntl is not None:
                fcntl.flock(self.handle, fcntl.LOCK_UN)
            else:
                os.lseek(self.handle, 0, os.SEEK_SET)
                msvcrt.locking(self.handle, msvcrt.LK_UNLCK, 1)
        finally:
            os.close(self.handle)
