"""Work shared among worker processes, for checking and building many filings at once."""

from __future__ import annotations

import os
import signal
import threading
from collections import deque
from contextlib import contextmanager
from itertools import islice

PARALLEL_FROM = 32  # below this many files to check, starting worker processes costs more than it saves


def parallel_map(function, chunks: list, jobs: int, pool=None):
    """function(chunk) for each chunk in worker processes (those of `pool`, else new ones), results in
    order as they come.

    Interrupted (Ctrl-C), the chunks not yet started are dropped and the ones running are let finish
    (each writes whole files only); if the main process is killed, the workers notice and stop."""
    if pool is not None:
        yield from _bounded_map(pool, function, chunks, jobs)
        return
    with worker_pool(jobs) as own:
        yield from _bounded_map(own, function, chunks, jobs)


def _bounded_map(executor, function, chunks: list, jobs: int):
    """executor.map with a few chunks in flight, not all: results that come in faster than they are taken
    (the main process has its share of the work) wait in the workers, not in this process's memory."""
    waiting, upcoming = deque(), iter(chunks)
    for chunk in islice(upcoming, jobs * 4):
        waiting.append(executor.submit(function, chunk))
    try:
        while waiting:
            results = waiting.popleft().result()
            for chunk in islice(upcoming, 1):
                waiting.append(executor.submit(function, chunk))
            yield results
    finally:
        for future in waiting:
            future.cancel()


@contextmanager
def worker_pool(jobs: int):
    """`jobs` worker processes, started now: forked before the main process holds much, they do not
    carry it (a build of 20,000 filings would otherwise copy its bookkeeping into every worker)."""
    import multiprocessing  # only when there is enough work to share
    from concurrent.futures import ProcessPoolExecutor

    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    executor = ProcessPoolExecutor(max_workers=jobs, mp_context=context, initializer=_worker_start, initargs=(os.getpid(),))
    try:
        with _ctrl_c_held():
            executor.submit(int)  # the workers start here
        yield executor
    finally:
        executor.shutdown(wait=True, cancel_futures=True)


@contextmanager
def _ctrl_c_held():
    """Ctrl-C waits while worker processes fork: a worker must not start with Python's handler (its
    traceback would be printed), nor the parent take it inside fork's own handlers (where Python
    prints it and carries on). Held, it arrives in the parent right after, as an ordinary interrupt."""
    if not hasattr(signal, "pthread_sigmask") or threading.current_thread() is not threading.main_thread():
        yield
        return
    held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)


def _worker_start(parent: int) -> None:
    """Ctrl-C reaches every process of the group; only the main one acts on it. A worker whose
    main process was killed outright has nobody to work for and stops."""
    import time

    signal.signal(signal.SIGINT, signal.SIG_IGN)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, daemon=True).start()


def default_jobs() -> int:
    return os.cpu_count() or 1
