"""Work shared among worker processes, for checking and building many filings at once."""

from __future__ import annotations

import os

PARALLEL_FROM = 32  # below this many files to check, starting worker processes costs more than it saves


def parallel_map(function, chunks: list, jobs: int):
    """function(chunk) for each chunk in worker processes, results in order as they come.

    Interrupted (Ctrl-C), the chunks not yet started are dropped and the ones running are let finish
    (each writes whole files only); if the main process is killed, the workers notice and stop."""
    import multiprocessing  # only when there is enough work to share
    from concurrent.futures import ProcessPoolExecutor

    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    executor = ProcessPoolExecutor(max_workers=jobs, mp_context=context, initializer=_worker_start, initargs=(os.getpid(),))
    try:
        yield from executor.map(function, chunks)
    finally:
        executor.shutdown(wait=True, cancel_futures=True)


def _worker_start(parent: int) -> None:
    """Ctrl-C reaches every process of the group; only the main one acts on it. A worker whose
    main process was killed outright has nobody to work for and stops."""
    import signal
    import threading
    import time

    signal.signal(signal.SIGINT, signal.SIG_IGN)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, daemon=True).start()


def default_jobs() -> int:
    return os.cpu_count() or 1
