"""Drawing an answer's charts side by side, in worker processes, when the app serves Slack (`serve`, `socket`).

A `/roi campaign` answer carries two matplotlib charts; drawn one after the other they were most of the answer's
time, and matplotlib holds the GIL, so threads do not help. Two spawned worker processes (started once, with
matplotlib imported) draw them at the same time: 243 ms → 152 ms for the pair on 2 cores (bench/README.md).
Chart functions are pure (data in, PNG bytes out), so a worker returns exactly what drawing here would.

Without `start()` (tests, the demo, the command line) charts are drawn in the calling thread. A pool that
breaks (a worker killed) or stalls (no chart within TIMEOUT) is replaced, and the charts of that answer are drawn
here, so no answer is lost.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

log = logging.getLogger("roi.charts")

WORKERS = 2
TIMEOUT = 30  # seconds for one chart; Slack's user has long given up by then

_lock = threading.Lock()
_pool: ProcessPoolExecutor | None = None
_workers = 0


def _warm() -> bool:
    import metrics.charts  # noqa: F401 - imports matplotlib once per worker, before the first answer needs it

    return True


def _follow(parent: int) -> None:
    """Worker initializer: leave when the process that started this worker is gone, even killed outright (the
    workers hold both ends of their task queue, so they would never see it close)."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1)
        os._exit(0)

    threading.Thread(target=watch, name="roi-chart-parent", daemon=True).start()


def _new_pool(workers: int) -> ProcessPoolExecutor:
    # spawn, not fork: the server has threads (waitress, the scheduler), and forking a threaded process is unsafe.
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"),
                               initializer=_follow, initargs=(os.getpid(),))
    for _ in range(workers):
        pool.submit(_warm)
    return pool


def start(workers: int = WORKERS) -> None:
    """Start the worker processes (idempotent); they warm up in the background. With none, charts are drawn in the
    calling thread."""
    global _pool, _workers
    with _lock:
        if _pool is None and workers > 0:
            _pool, _workers = _new_pool(workers), workers


def stop() -> None:
    """Stop the workers; later charts are drawn in the calling thread."""
    global _pool
    with _lock:
        pool, _pool = _pool, None
    if pool is not None:
        pool.shutdown(wait=True, cancel_futures=True)


def running() -> bool:
    return _pool is not None


def draw_all(draws: Sequence[Callable[[], bytes]]) -> list[bytes]:
    """Every chart's PNG bytes, in order: side by side in the workers when they run and there are several."""
    global _pool
    pool = _pool
    if pool is None or len(draws) < 2:
        return [draw() for draw in draws]
    try:
        futures = [pool.submit(draw) for draw in draws]
        return [future.result(timeout=TIMEOUT) for future in futures]
    except (BrokenProcessPool, RuntimeError, TimeoutError) as error:  # RuntimeError: the pool was shutting down
        log.warning("chart workers unavailable (%s); drawing in this process and starting new workers",
                    type(error).__name__)
        with _lock:
            if _pool is pool:
                _pool = _new_pool(_workers)
        pool.shutdown(wait=False, cancel_futures=True)
        return [draw() for draw in draws]
