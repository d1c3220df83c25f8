"""The kernel a round's notebooks share, started as early as a run can start it.

Kept apart from ``reports.execute`` (papermill, nbconvert, the PDF engine: about a second to
import) so that ``pipeline.run_reports`` can start the kernel first and import the rest while
the kernel boots on the other core.
"""

from __future__ import annotations

import tempfile
import threading
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from queue import Empty

from jupyter_client.blocking import BlockingKernelClient
from jupyter_client.channels import ZMQSocketChannel
from jupyter_client.manager import KernelManager
from nbclient.exceptions import DeadKernelError
from traitlets import Type

from tbu_analysis.config import RoundPaths


def kernel_log(paths: RoundPaths, index_rates: Mapping[int, float] | None = None) -> Path:
    """Where the round's kernel output (its TCP warning, crashes) is kept, beside its
    reports folder."""
    reports_dir = paths.reports_dir(index_rates)
    return reports_dir.parent / f".{reports_dir.name}.kernel.log"


def round_kernel(paths: RoundPaths, index_rates: Mapping[int, float] | None = None,
                 cwd: Path | None = None) -> SharedKernel:
    """The round's kernel, not yet started: it runs in the notebooks' folder (``cwd``) and
    its output is kept beside the round's reports folder (``kernel_log``)."""
    return SharedKernel(cwd if cwd is not None else paths.project.notebooks,
                        kernel_log(paths, index_rates))


def start_early(paths: RoundPaths, index_rates: Mapping[int, float] | None = None
                ) -> SharedKernel | None:
    """The round's kernel started now, so that it boots on the other core while the caller
    imports the later stages and checks the input; None if it will not start (the round
    starts its own after checking its input, so bad input is still what is reported)."""
    kernel = round_kernel(paths, index_rates)
    try:
        return kernel.start()
    except Exception:  # noqa: BLE001 - see above
        return None


#: IPython's history database (``~/.ipython/profile_default/history.sqlite``) is not kept:
#: no report reads it, and writing every cell to it cost the kernel about 2 ms a cell.
KERNEL_ARGUMENTS = ["--HistoryManager.enabled=False"]


class SharedKernel:
    """One kernel for all notebooks of a run: imports are paid once. Each notebook starts
    from an empty namespace (see ``with_fresh_namespace``); a dead kernel is restarted.

    The kernel's own output (its TCP warning, crashes) is kept in a temporary file and
    appended to ``log_path`` at the end, once a notebook has run: a run stopped by bad input
    before the first notebook writes nothing under ``reports/``."""

    def __init__(self, cwd: Path, log_path: Path) -> None:
        self.cwd = cwd
        self.log_path = log_path
        self.km = _kernel_manager()
        self._log = None
        self._ready = False
        self._used = False
        self._warming = None

    def start(self) -> SharedKernel:
        """Start the kernel process (once); the caller goes on while it boots."""
        if self._log is None:
            self._log = tempfile.TemporaryFile()  # noqa: SIM115 - closed in __exit__
            try:
                self.km.start_kernel(cwd=str(self.cwd), stderr=self._log, stdout=self._log,
                                     extra_arguments=KERNEL_ARGUMENTS)
            except BaseException:
                self._log.close()
                self._log = None
                raise
            self._ready = False  # the caller imports what it needs while the kernel boots
        return self

    def __enter__(self) -> SharedKernel:
        return self.start()

    def warm(self, code: str) -> None:
        """Run ``code`` (imports) in the kernel in the background, while the caller does
        other work; the first notebook waits for it (see ``alive``)."""
        def run() -> None:
            try:
                client = self._ready_client()
                try:
                    msg_id = client.execute(code, silent=True, store_history=False)
                    while client.get_shell_msg(timeout=120)["parent_header"].get(
                            "msg_id") != msg_id:
                        pass
                finally:
                    client.stop_channels()
            except Exception:  # noqa: BLE001 - warming is an optimisation; the notebook reports
                pass

        self._warming = threading.Thread(target=run, daemon=True)
        self._warming.start()

    def _ready_client(self):
        client = self.km.client()
        client.start_channels()
        try:
            client.wait_for_ready(timeout=60)
        except BaseException:
            client.stop_channels()
            raise
        return client

    def alive(self):
        """The kernel manager, its kernel ready; restarted if a notebook killed it."""
        if self._warming is not None:
            self._warming.join()
            self._warming = None
        self._used = True
        if not self.km.is_alive():
            self.km.drop_client()
            self.km.restart_kernel(now=True)
            self._ready = False
        if not self._ready:
            self._ready_client().stop_channels()
            self._ready = True
        return self.km

    def __exit__(self, *exc) -> None:
        if self._warming is not None:
            self._warming.join(timeout=5)
        self.km.drop_client()
        self.km.shutdown_kernel(now=True)
        if self._log is None:
            return
        try:
            if self._used:
                self._log.seek(0)
                self.log_path.parent.mkdir(parents=True, exist_ok=True)
                with self.log_path.open("ab") as log:
                    log.write(self._log.read())
        finally:
            self._log.close()


KERNEL_CHECK_SECONDS = 1.0  # how often a wait for the kernel's messages checks it is alive


def _kernel_manager():
    """A kernel manager that hands every notebook the same connected client. A new client
    per notebook cost about 0,2 s of waiting each time: jupyter_client's ``wait_for_ready``
    waits for the new IOPub subscription to connect. nbclient matches replies and outputs
    to its own requests, so what an earlier notebook left on the channels is ignored.

    The client is a blocking one, so nbclient's own watch for a dead kernel (a task that
    checks every second) never runs while a cell waits: a wait without a timeout would
    wait forever for a kernel that has died. Its channels therefore wait in slices and ask
    the kernel manager between them, raising nbclient's ``DeadKernelError``."""
    class WatchedChannel(ZMQSocketChannel):
        kernel_alive: Callable[[], bool] | None = None

        def get_msg(self, timeout: float | None = None) -> dict:
            """The next message, waiting at most ``timeout`` seconds (for ever if None)
            while the kernel lives; messages it sent before it died are still returned."""
            deadline = None if timeout is None else time.monotonic() + timeout
            while True:
                wait = KERNEL_CHECK_SECONDS if deadline is None else max(
                    0.0, min(KERNEL_CHECK_SECONDS, deadline - time.monotonic()))
                try:
                    return super().get_msg(timeout=wait)
                except Empty:
                    if deadline is not None and time.monotonic() >= deadline:
                        raise
                    if self.kernel_alive is not None and not self.kernel_alive():
                        raise DeadKernelError("Kernel died") from None

    class KeptClient(BlockingKernelClient):
        _connected = False
        shell_channel_class = Type(WatchedChannel)
        iopub_channel_class = Type(WatchedChannel)

        @property
        def shell_channel(self):
            return self._watched(super().shell_channel)

        @property
        def iopub_channel(self):
            return self._watched(super().iopub_channel)

        def _watched(self, channel):
            if channel.kernel_alive is None and isinstance(self.parent, KernelManager):
                channel.kernel_alive = self.parent.is_alive
            return channel

        def start_channels(self, *args, **kwargs) -> None:
            if not self.channels_running:
                super().start_channels(*args, **kwargs)

        def wait_for_ready(self, timeout: float | None = None) -> None:
            """The first time as jupyter_client does it; after that IOPub is known to be
            connected, and one kernel_info round trip shows the kernel is there."""
            if not self._connected:
                super().wait_for_ready(timeout=timeout)
                self._connected = True
                return
            msg_id = self.kernel_info()
            while self.get_shell_msg(timeout=timeout or 60)["parent_header"].get(
                    "msg_id") != msg_id:
                pass

        def stop_channels(self) -> None:
            """Kept open for the next notebook; ``close`` stops them."""

        def close(self) -> None:
            super().stop_channels()

    class SharedKernelManager(KernelManager):
        _kept: KeptClient | None = None

        def client(self, **kwargs):
            if self._kept is None:
                self._kept = super().client(**kwargs)
            return self._kept

        def drop_client(self) -> None:
            if self._kept is not None:
                self._kept.close()
                self._kept = None

    return SharedKernelManager(kernel_name="python3", client_factory=KeptClient)
