"""Worker processes end with the process that started them, whatever ended it.

A pool worker whose parent was killed (SIGKILL cannot be caught, so the parent cannot stop
its workers) would go on with its tasks, orphaned, and hold memory and cores for minutes.
:func:`die_with_parent` runs in each worker when it starts:

* on Linux it asks the kernel for SIGKILL when the parent ends (``prctl(PR_SET_PDEATHSIG)``):
  it works even while the worker is busy in C code holding the interpreter lock (a long
  regular expression match), where no Python thread could run;
* everywhere it starts a daemon thread that polls the parent's pid and ends the process
  when the parent is gone (a worker is re-parented to init or a subreaper).

The kernel signal follows the *thread* that started the worker; it is asked for only where
that thread lives as long as its process (``pdeathsig=True``: a pool forked from a
single-threaded process, or started by a forkserver process).
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import sys
import threading
import time

#: ``PR_SET_PDEATHSIG`` of ``<linux/prctl.h>``.
_PR_SET_PDEATHSIG = 1

#: Seconds between two looks at the parent's pid.
POLL_SECONDS = 0.5


def _ask_kernel() -> bool:
    """Linux: SIGKILL this process when its parent thread ends. False where unavailable."""
    if not sys.platform.startswith("linux"):
        return False
    with contextlib.suppress(OSError, AttributeError):
        # The process's own symbols (libc's among them): finding libc by name would run
        # ``ldconfig`` in a new process, forked from a worker as large as its parent.
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0) == 0
    return False


def _watch(parent: int, interval: float) -> None:
    while os.getppid() == parent:
        time.sleep(interval)
    os._exit(1)  # the parent is gone: nobody is left to take the results


def die_with_parent(parent: int | None = None, pdeathsig: bool = True) -> None:
    """End this process as soon as ``parent`` (default: the current parent) ends.

    Args:
        parent: The pid the process must not outlive; a worker checks it is still its
            parent (it may have died before the worker got here, and then the worker
            ends at once).
        pdeathsig: Also ask the kernel (Linux) for SIGKILL when the parent ends; only
            where the thread that started this process lives as long as the parent.
    """
    parent = os.getppid() if parent is None else parent
    if pdeathsig:
        _ask_kernel()
    if os.getppid() != parent:
        os._exit(1)
    threading.Thread(
        target=_watch, args=(parent, POLL_SECONDS), daemon=True, name="cleaner-lifeline"
    ).start()
