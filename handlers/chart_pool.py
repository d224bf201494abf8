"""Drawing an answer's charts side by side, in worker processes, when the app serves Slack (`serve`, `socket`).

A `/roi campaign` answer carries two matplotlib charts; drawn one after the other they were most of the answer's
time, and matplotlib holds the GIL, so threads do not help. Two spawned worker processes (started once, with
matplotlib imported) draw them at the same time: 243 ms → 152 ms for the pair on 2 cores (bench/README.md).
Chart functions are pure (data in, PNG bytes out), so a worker returns exactly what drawing here would.

Without `start()` (tests, the demo, the command line) charts are drawn in the calling thread. A pool that
breaks (a worker killed) or stalls (no chart within TIMEOUT) is replaced, and the charts of that answer are drawn
here, so no answer is lost.

For the same reason (pure functions) a chart already drawn is not drawn again: the PNG is kept, keyed by the
function and every argument it was given, so the next answer, digest or Home view on unchanged data reuses it,
and any change to the data (an import, a registration, a new day in the series) is a different key.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import pickle
import sys
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from functools import partial

log = logging.getLogger("roi.charts")

WORKERS = 2
TIMEOUT = 30  # seconds for one chart; Slack's user has long given up by then

CACHE_BYTES = 32 * 1024 * 1024  # about 500 charts at 60 kB

_lock = threading.Lock()
_drawn: OrderedDict[bytes, bytes] = OrderedDict()  # key -> PNG, least recently used first
_drawn_bytes = 0
_drawn_lock = threading.Lock()
_pool: ProcessPoolExecutor | None = None
_workers = 0


def chart(name: str, *args, **kwargs) -> bytes:
    """`metrics.charts.<name>(*args, **kwargs)`. Charts are handed out as `partial(chart, name, …)`: matplotlib is
    imported on the first chart drawn, so a process whose workers draw (or that never draws) does not load it,
    and starts a third of a second sooner."""
    from metrics import charts

    return getattr(charts, name)(*args, **kwargs)


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
    """Every chart's PNG bytes, in order: those drawn before from the same arguments as they were, the others side
    by side in the workers when they run and there are several."""
    keys = [_key(draw) for draw in draws]
    pngs = [_recall(key) for key in keys]
    missing = [i for i, png in enumerate(pngs) if png is None]
    for i, png in zip(missing, _draw_all([draws[i] for i in missing]), strict=True):
        pngs[i] = png
        _remember(keys[i], png)
    return pngs


def _key(draw: Callable[[], bytes]) -> bytes | None:
    """What makes the chart: the function and its arguments. None (never kept) for a draw that is not a partial of a
    function its module holds under its name: a lambda or a local function could share a name with another."""
    if not isinstance(draw, partial):
        return None
    func = draw.func
    module = sys.modules.get(getattr(func, "__module__", None) or "")
    if module is None or getattr(module, getattr(func, "__qualname__", ""), None) is not func:
        return None
    try:
        return pickle.dumps((func.__module__, func.__qualname__, draw.args, sorted(draw.keywords.items())),
                            protocol=pickle.HIGHEST_PROTOCOL)
    except (pickle.PicklingError, TypeError, AttributeError):
        return None


def _recall(key: bytes | None) -> bytes | None:
    if key is None:
        return None
    with _drawn_lock:
        png = _drawn.get(key)
        if png is not None:
            _drawn.move_to_end(key)
        return png


def _remember(key: bytes | None, png) -> None:
    global _drawn_bytes
    if key is None or not isinstance(png, bytes) or len(png) > CACHE_BYTES // 8:
        return
    with _drawn_lock:
        if key in _drawn:
            return
        _drawn[key] = png
        _drawn_bytes += len(png) + len(key)
        while _drawn_bytes > CACHE_BYTES:
            old_key, old = _drawn.popitem(last=False)
            _drawn_bytes -= len(old) + len(old_key)


def forget() -> None:
    """Drop every kept chart (tests that time or count the drawing itself)."""
    global _drawn_bytes
    with _drawn_lock:
        _drawn.clear()
        _drawn_bytes = 0


def _draw_all(draws: Sequence[Callable[[], bytes]]) -> list[bytes]:
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
