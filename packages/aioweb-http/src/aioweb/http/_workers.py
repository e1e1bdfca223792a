"""Pre-forked workers for ``run_app(workers=N)``: N processes on one SO_REUSEPORT port."""

from __future__ import annotations

import logging
import os
import signal
import sys
from collections.abc import Callable
from types import FrameType

__all__ = ["run_forked"]

_logger = logging.getLogger("aioweb.http")


def run_forked(workers: int, serve: Callable[[], None]) -> int:
    """Fork ``workers`` children that each run ``serve()``; return the worst exit code.

    The parent only supervises: SIGINT and SIGTERM are passed on to every child, and
    the parent returns once all of them have exited.  Each child binds its own
    listening socket with ``SO_REUSEPORT``, so the kernel spreads connections.

    Raises:
        ValueError: ``workers`` is below 1.
        RuntimeError: the platform cannot fork.
    """
    if workers < 1:
        raise ValueError(f"workers must be at least 1, not {workers}")
    if not hasattr(os, "fork"):
        raise RuntimeError("workers > 1 needs os.fork (POSIX)")
    children: dict[int, int] = {}
    for index in range(workers):
        pid = os.fork()
        if pid == 0:  # the child
            code = 0
            try:
                serve()
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else 1
            except BaseException:
                _logger.exception("worker %d failed", index)
                code = 1
            finally:
                sys.stdout.flush()
                sys.stderr.flush()
            os._exit(code)
        children[pid] = index

    def forward(signum: int, _frame: FrameType | None) -> None:
        for pid in list(children):
            try:
                os.kill(pid, signum)
            except ProcessLookupError:
                children.pop(pid, None)

    previous = {sig: signal.signal(sig, forward) for sig in (signal.SIGINT, signal.SIGTERM)}
    worst = 0
    try:
        while children:
            try:
                pid, status = os.wait()
            except ChildProcessError:
                break
            index = children.pop(pid, -1)
            code = os.waitstatus_to_exitcode(status)
            if code != 0:
                _logger.error("worker %s (pid %d) exited with %d", index, pid, code)
                worst = worst or (code if code > 0 else 1)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return worst
