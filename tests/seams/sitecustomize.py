"""A test seam for the interrupt tests in ``tests/test_robust.py``; never installed.

Put this folder on ``PYTHONPATH`` with ``TBU_PAUSE_AT="package.module:name"`` (or
``module:Class.method``) and ``TBU_PAUSE_READY=<file>``: the first call of that function, in
any process started with that environment whose command line holds ``TBU_PAUSE_ARGV`` (when
set), creates the ready file and then sleeps. The test waits for the file and only then
signals, so the signal lands at a known point of the run (everything staged, nothing
published; or a notebook running in the kernel) however fast or loaded the machine is, instead
of a fixed time into it.
"""

import os
import sys

_AT = os.environ.get("TBU_PAUSE_AT")

if _AT:
    import functools
    import importlib
    import time

    def _install(at: str) -> None:
        module_name, _, qualname = at.partition(":")
        owner = importlib.import_module(module_name)
        *parents, name = qualname.split(".")
        for part in parents:
            owner = getattr(owner, part)
        original = getattr(owner, name)

        @functools.wraps(original)
        def paused(*args, **kwargs):
            wanted = os.environ.get("TBU_PAUSE_ARGV")
            if not wanted or wanted in sys.argv:
                try:
                    ready = os.open(os.environ["TBU_PAUSE_READY"],
                                    os.O_CREAT | os.O_EXCL | os.O_WRONLY)
                except FileExistsError:  # one pause per test, in the first process to come
                    pass
                else:
                    os.close(ready)
                    time.sleep(600)  # until the test's signal ends it
            return original(*args, **kwargs)

        setattr(owner, name, paused)

    _install(_AT)
