"""Keep ``aims worker`` running next to the web server started by ``aims run``.

The supervisor is a child of the server process. It starts the worker, starts it again whenever
it exits (a crash, an out-of-memory kill, ``kill -9``), waiting longer after each quick failure
so a worker that cannot start does not spin, and stops the worker and itself when the server is
gone. Tasks the dead worker held are not lost: their lease runs out and the next worker round
queues them again (``aims.checks.tasks.reclaim_abandoned``).

No Django here: the supervisor must keep working when the worker cannot even import the app.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Sequence

FIRST_DELAY = 1.0
MAX_DELAY = 60.0
HEALTHY_AFTER = 60.0  # a worker that ran this long before exiting restarts at once
STOP_GRACE = 30.0  # a task under way gets this long to finish when the server stops
POLL = 0.5


def worker_argv(supervisor_pid: int) -> list[str]:
    return [sys.executable, "-m", "aims.cli", "worker", "--parent-pid", str(supervisor_pid)]


def supervise(
    parent_pid: int,
    argv: Callable[[int], Sequence[str]] = worker_argv,
    say: Callable[[str], None] = lambda line: print(line, flush=True),
) -> int:
    """Run ``argv(own pid)`` until the process ``parent_pid`` is gone; restart it when it exits."""
    stopping = False

    def stop(*_):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    delay = FIRST_DELAY
    while not stopping and os.getppid() == parent_pid:
        started = time.monotonic()
        child = subprocess.Popen(list(argv(os.getpid())))
        say(f"Worker started (pid {child.pid}).")
        while child.poll() is None and not stopping and os.getppid() == parent_pid:
            time.sleep(POLL)
        if child.poll() is None:  # the server is gone or we were asked to stop
            _stop(child)
            break
        if time.monotonic() - started >= HEALTHY_AFTER:
            delay = FIRST_DELAY
        say(f"Worker exited with code {child.returncode}; starting it again in {delay:g} s.")
        deadline = time.monotonic() + delay
        while time.monotonic() < deadline and not stopping and os.getppid() == parent_pid:
            time.sleep(min(POLL, delay))
        delay = min(delay * 2, MAX_DELAY)
    say("Worker supervisor stopped.")
    return 0


def _stop(child: subprocess.Popen) -> None:
    """SIGTERM, so a running task finishes; SIGKILL if it takes longer than STOP_GRACE."""
    child.terminate()
    try:
        child.wait(timeout=STOP_GRACE)
    except subprocess.TimeoutExpired:
        child.kill()
        child.wait()
