"""Run the round's notebooks with papermill and render the reader-facing ones to PDF.

In: the round's raw inputs and ``data/processed/<round>/`` (the notebooks only read). Out:
``reports/<round>/`` (or a folder named by the index rates): the PDFs and the executed
notebooks, staged and published together at the end, so a kill leaves the earlier set whole.

All notebooks of a round run in one process so imports and the PDF engine start once. A
notebook that fails keeps its executed copy (with the failing cell) and gets no PDF; the
earlier PDF is left as it was. A notebook that kills the kernel fails the same way, and the
notebooks after it run in a restarted kernel. The PDF workers die with the process that
started them.
"""

from __future__ import annotations

import ast
import asyncio
import ctypes
import gc
import json
import logging
import os
import re
import signal
import sys
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import papermill
from jupyter_core.utils import ensure_event_loop
from nbclient.exceptions import DeadKernelError
from papermill.engines import NBClientEngine, papermill_engines

from tbu_analysis.common.atomic import atomic_path
from tbu_analysis.common.errors import InputError
from tbu_analysis.common.provenance import source_date
from tbu_analysis.common.store import OutputSet
from tbu_analysis.config import RoundPaths, slug
from tbu_analysis.reports.kernel import SharedKernel, round_kernel
from tbu_analysis.reports.render import render_editions, write_round_index
from tbu_analysis.rounds.manifest import load_manifest
from tbu_analysis.rounds.names import NameMap


@dataclass(frozen=True)
class Job:
    notebook: str
    executed: str
    parameters: dict
    pdf: str | None = None
    title: str = ""
    required: bool = False  # if it fails, the notebooks after it would use stale data


@dataclass
class RunLog:
    """Timings and failures of a run; ``on_step`` (if set) hears of each step as it ends."""

    timings: list[tuple[str, float]] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    on_step: Callable[[str, float], None] | None = None

    def record(self, label: str, seconds: float) -> None:
        self.timings.append((label, seconds))
        if self.on_step is not None:
            self.on_step(label, seconds)

    def timed(self, label: str, func: Callable, *args, **kwargs):
        start = time.perf_counter()
        try:
            return func(*args, **kwargs)
        finally:
            self.record(label, time.perf_counter() - start)


def jobs_for(paths: RoundPaths, solutions: tuple[str, ...] | None = None,
             index_rates: Mapping[int, float] | None = None) -> list[Job]:
    """The round's notebooks: cleaning, the main report, one report per solution (all the
    solutions ``names.csv`` defines, unless given), and the analysis."""
    if solutions is None:
        solutions = NameMap.from_csv(paths.names).solutions
    round_id = paths.round_id
    rates = {str(k): float(v) for k, v in (index_rates or {}).items()}
    # Every notebook only reads data/processed (written by `tbu clean`/`tbu analyse` before);
    # the analysis is computed once per kernel (cached). The analysis notebook runs last,
    # while the last PDFs are being rendered.
    jobs = [
        Job("01_clean", "01_clean.ipynb", {"round_id": round_id}, required=True),
        Job("10_report", f"tbu-{round_id}.ipynb", {"round_id": round_id, "index_rates": rates},
            pdf=f"tbu-{round_id}.pdf", title="Analyse av tallgrunnlaget"),
    ]
    jobs += [Job("11_solution", f"{slug(s)}.ipynb",
                 {"round_id": round_id, "solution": s, "index_rates": rates},
                 pdf=f"{slug(s)}.pdf", title=s) for s in solutions]
    jobs.append(Job("02_analysis", "02_analysis.ipynb",
                    {"round_id": round_id, "index_rates": rates}))
    return jobs


INJECTED_CELL_ID = "papermill-parameters"
_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")


def _normalise(executed: Path, nb=None):
    """Make the executed notebook as deterministic as the other outputs: no run times, the
    injected parameter cell with a fixed id (papermill draws a random one), execution counts
    from 1 (the shared kernel counts on from the notebooks run before), and no memory
    addresses in reprs (``<Figure at 0x7f…>``). ``nb`` is the notebook papermill wrote there
    (read back when not given); returns the notebook as written."""
    if nb is None:
        nb = nbformat.read(executed, as_version=4)
    papermill = nb.metadata.get("papermill", {})
    for key in ("start_time", "end_time", "duration", "input_path", "output_path"):
        papermill.pop(key, None)
    count = 0
    for cell in nb.cells:
        if cell.cell_type == "code" and cell.get("execution_count") is not None:
            count += 1
            cell.execution_count = count
            for output in cell.get("outputs", []):
                if "execution_count" in output:
                    output["execution_count"] = count
        cell.metadata.pop("execution", None)
        cell.metadata.get("papermill", {}).clear()
        if "injected-parameters" in cell.metadata.get("tags", []):
            cell["id"] = INJECTED_CELL_ID
        for output in cell.get("outputs", []):
            _strip_addresses(output)
    with atomic_path(executed) as tmp:
        nbformat.write(nb, tmp)
    return nb


def _strip_addresses(node):
    """Replace memory addresses in every text of an output, in place."""
    if isinstance(node, dict):
        for key, value in node.items():
            if isinstance(value, str):
                node[key] = _ADDRESS.sub("", value)
            else:
                _strip_addresses(value)
    elif isinstance(node, list):
        for index, value in enumerate(node):
            if isinstance(value, str):
                node[index] = _ADDRESS.sub("", value)
            else:
                _strip_addresses(value)


def _failed_cell(executed: Path, source: Path | None = None) -> str:
    """Which cell failed, numbered as in the source notebook (papermill adds cells)."""
    nb = nbformat.read(executed, as_version=4)
    source_ids = []
    if source is not None and source.is_file():
        source_ids = [cell.get("id") for cell in nbformat.read(source, as_version=4).cells]
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                number = (source_ids.index(cell.get("id")) + 1
                          if cell.get("id") in source_ids else None)
                first_line = cell.source.strip().splitlines()[0] if cell.source.strip() else ""
                where = f"celle {number}" if number else f"cellen «{first_line}»"
                count = cell.get("execution_count")  # none when the kernel died in the cell
                shown = f"In [{count}]: {first_line}" if count is not None else first_line
                return f"{where} ({shown}): {output.get('ename')}: {output.get('evalue')}"
    return "ukjent celle"


DEAD_KERNEL = ("kjernen døde mens cellen kjørte (prosessen ble avsluttet, for eksempel av "
               "os._exit eller fordi minnet tok slutt); notatbøkene etter denne kjøres i en "
               "ny kjerne")

ENGINE = "tbu-kernel-death"


def _register_engine() -> str:
    """papermill's nbclient engine, except that a notebook whose kernel died is failed like
    one whose cell raised: the cell that was running gets an error output (papermill then
    writes the executed copy and raises ``PapermillExecutionError``). Left alone, nbclient's
    ``DeadKernelError`` passes papermill by, and the executed copy is never written."""
    class KernelDeathEngine(NBClientEngine):
        @classmethod
        def execute_managed_notebook(cls, nb_man, kernel_name, **kwargs):
            try:
                return super().execute_managed_notebook(nb_man, kernel_name, **kwargs)
            except DeadKernelError:
                _stop_cell_watchers()
                code = [cell for cell in nb_man.nb.cells if cell.cell_type == "code"]
                started = [cell for cell in code
                           if cell.metadata.get("papermill", {}).get("start_time")]
                cell = started[-1] if started else code[0]
                cell.outputs.append(nbformat.v4.new_output(
                    "error", ename="DeadKernelError", evalue=DEAD_KERNEL, traceback=[]))
                nb_man.cell_exception(cell)
                return nb_man.nb

    papermill_engines.register(ENGINE, KernelDeathEngine)
    papermill_log = logging.getLogger("papermill")
    if not any(isinstance(f, _NoKernelDiedLine) for f in papermill_log.filters):
        papermill_log.addFilter(_NoKernelDiedLine())
    return ENGINE


class _NoKernelDiedLine(logging.Filter):
    """nbclient's own English line for a dead kernel (logged on papermill's logger, so it
    reaches the terminal); the run reports the failed notebook itself."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith("Kernel died")


def _stop_cell_watchers() -> None:
    """Cancel what nbclient left waiting on this thread's event loop for the cell whose
    kernel died (its once-a-second check for a dead kernel, when the channel's own
    ``DeadKernelError`` got ahead of it), so it does not go on checking the next kernel."""
    for task in asyncio.all_tasks(ensure_event_loop()):
        if task.get_coro().__name__ in ("_async_poll_kernel_alive", "_async_poll_output_msg"):
            task.cancel()


def warm_up_code(notebooks: list[Path]) -> str:
    """The import statements of the notebooks' code cells, to run in the kernel before the
    first notebook (the modules stay loaded; ``%reset -f`` empties only the namespace)."""
    lines: dict[str, None] = {}
    for path in notebooks:
        try:
            cells = nbformat.read(path, as_version=4).cells
        except Exception:  # noqa: BLE001 - the notebook's own run reports what is wrong
            continue
        for cell in cells:
            if cell.cell_type != "code":
                continue
            try:
                tree = ast.parse(cell.source)
            except SyntaxError:  # IPython magics: leave the cell to the notebook
                continue
            for node in tree.body:
                if isinstance(node, ast.Import) or (isinstance(node, ast.ImportFrom)
                                                    and node.level == 0):
                    lines[ast.unparse(node)] = None
    return "\n".join([*lines, *FREEZE])


#: After the imports: what they loaded lives as long as the kernel, so the garbage collector
#: is told to leave it be (``gc.freeze``). Every collection, and ``%reset -f`` forces one
#: before each notebook, otherwise walks every object the imports made (about 0,2 s each).
FREEZE = ("import gc as _gc", "_gc.freeze()")


RESET_CELL_ID = "tbu-reset"


def with_fresh_namespace(notebook: Path):
    """The notebook with a first cell that empties the shared kernel's namespace, so each
    notebook sees only what it defines (tagged so that no report shows it)."""
    nb = nbformat.read(notebook, as_version=4)
    cell = nbformat.v4.new_code_cell("%reset -f")
    cell["id"] = RESET_CELL_ID
    cell.metadata["tags"] = ["remove-cell"]
    nb.cells.insert(0, cell)
    return nb


def run_round(paths: RoundPaths, notebooks_dir: Path, log: RunLog,
              index_rates: Mapping[int, float] | None = None,
              solutions: tuple[str, ...] | None = None, created=None,
              before: Callable[[], object] | None = None,
              kernel: SharedKernel | None = None) -> list[Path]:
    """Run the round's notebooks one after another in one kernel; each PDF renders in a
    worker process while the kernel runs the next notebook. (Two kernels were measured
    slower on two cores: the PDF engine already uses the second one.) Everything is written
    to a staging folder and published together when the last PDF is done.

    The kernel (with the notebooks' imports) and the PDF workers start first; ``before``
    (the CLI's cleaning and analysis) runs while they boot. If it fails, nothing is written
    under ``reports/``. ``kernel`` is one the caller started already (``kernel.start_early``);
    this run stops it."""
    reports_dir = paths.reports_dir(index_rates)
    try:
        notebooks = sorted({notebooks_dir / f"{job.notebook}.ipynb"
                            for job in jobs_for(paths, solutions, index_rates)})
    except Exception:  # noqa: BLE001 - bad input: ``before`` (or the run below) says what
        notebooks = []
    with ExitStack() as stack:
        try:
            kernel = stack.enter_context(
                kernel or round_kernel(paths, index_rates, notebooks_dir))
        except Exception:
            if before is not None:
                before()  # bad input is reported first, as if nothing had started early
            raise
        renderer = ProcessPoolExecutor(max_workers=RENDER_WORKERS, initializer=_warm_renderer,
                                       initargs=(os.getpid(),))
        try:
            for _ in range(RENDER_WORKERS):  # start the workers now, while the kernel boots
                renderer.submit(_noop)
            kernel.warm(warm_up_code(notebooks))
            if before is not None:
                before()
            jobs = jobs_for(paths, solutions, index_rates)
            round_label = f"TBU {load_manifest(paths.manifest).label}"
            with OutputSet(reports_dir) as outputs:
                runner = _Runner(paths, notebooks_dir, outputs, log,
                                 created or source_date(paths.root)[0], round_label=round_label)
                futures = runner.run_all(jobs, kernel, renderer)
                staged = [future.result()[0] for future in futures]
                write_round_index(outputs.path("index.html"), round_label, staged)
                renderer.shutdown()
                outputs.publish()
        except BaseException:
            _stop_workers(renderer)  # killed or failed: no PDF is finished after we stop
            raise
    return [reports_dir / pdf.name for pdf in staged]


def _stop_workers(pool) -> None:
    """Kill the pool's workers at once (``shutdown`` alone waits for running renders).
    Idempotent: after ``shutdown`` the pool's process table is ``None``."""
    processes = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        if process.is_alive():
            process.kill()


@dataclass
class _Runner:
    paths: RoundPaths
    notebooks_dir: Path
    outputs: OutputSet  # executed notebooks go to executed/, PDFs beside them, all staged
    log: RunLog
    created: object
    cwd: Path | None = None  # where notebooks run (default: notebooks/)
    round_label: str = ""  # the running header's right side

    def run_all(self, jobs: list[Job], kernel: SharedKernel, renderer) -> list:
        futures = []
        for job in jobs:
            failures = len(self.log.failures)
            futures += self.run(job, kernel, renderer)
            if job.required and len(self.log.failures) > failures:
                message = (f"{job.notebook}.ipynb feilet; de andre notatbøkene er ikke kjørt, "
                           "og ingen PDF er skrevet fra gamle data")
                self.log.failures.append(message)
                print(f"feil: {message}", file=sys.stderr)
                break
        return futures

    def run(self, job: Job, kernel: SharedKernel, renderer) -> list:
        """Execute one notebook; on success submit its PDF. Returns the PDF's future, if any."""
        executed = self.outputs.path(f"executed/{job.executed}")
        shown = self.outputs.folder / "executed" / job.executed
        source = self.notebooks_dir / f"{job.notebook}.ipynb"
        label = f"{job.notebook} {job.parameters.get('solution', '')}".strip()
        try:
            nb = self.log.timed(f"kjøring {label}", papermill.execute_notebook,
                           with_fresh_namespace(source), str(executed),
                           parameters=job.parameters,
                           cwd=str(self.cwd or self.notebooks_dir),
                           progress_bar=False, kernel_name="python3", log_output=False,
                           # written once at the end (or with the failing cell), not after
                           # every cell: the writes cost more than the cells
                           request_save_on_cell_execute=False,
                           engine_name=_register_engine(), km=kernel.alive())
        except papermill.PapermillExecutionError:
            message = (f"{job.notebook}.ipynb ({json.dumps(job.parameters, ensure_ascii=False)})"
                       f" feilet i {_failed_cell(executed, source)}; se {shown}")
            self.log.failures.append(message)
            print(f"feil: {message}", file=sys.stderr)
            return []
        nb = _normalise(executed, nb)  # no need to read back what papermill just wrote
        if job.pdf is None:
            return []
        nb.metadata["tbu"] = {"title": job.title,
                              "round": self.round_label or f"Runde {self.paths.round_id}",
                              "author": "tbu-analysis"}
        future = renderer.submit(_render, nb, self.outputs.path(job.pdf), self.created)
        future.add_done_callback(
            lambda f, name=job.pdf: self.log.record(f"PDF {name}", f.result()[1])
            if not f.cancelled() and not f.exception() else None)
        return [future]


RENDER_WORKERS = 2


def _warm_renderer(parent_pid: int | None = None) -> None:
    """Tie the worker's life to its parent, then import the PDF engine before the first
    notebook is done. Ctrl-C reaches the whole process group: the worker leaves it to the
    parent, which kills it (no traceback per worker)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _die_with_parent(parent_pid)
    import weasyprint  # noqa: F401 - lazy on purpose: warms the import in the worker only

    # What the worker inherited and imported lives as long as it does: the garbage collector
    # leaves it be, so its collections walk only what a document makes (a third of the
    # typesetting time went to walking the rest).
    gc.freeze()


def _noop() -> None:
    return None


PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


def _die_with_parent(parent_pid: int | None) -> None:
    """Ask Linux to kill this process when its parent dies (even by SIGKILL), so no worker
    goes on writing PDFs after the run was stopped. Elsewhere a no-op."""
    if not sys.platform.startswith("linux"):
        return
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if parent_pid is not None and os.getppid() != parent_pid:
        os._exit(1)  # the parent died before the request took effect


def _render(nb, pdf_path: Path, created) -> tuple[Path, float]:
    """The tagged PDF and, beside it, the HTML edition."""
    start = time.perf_counter()
    path, _ = render_editions(nb, pdf_path, created=created)
    return path, time.perf_counter() - start


def run_scenario(scenario_path: Path, round_id: str, root: Path, notebooks_dir: Path,
                 log: RunLog, created=None, *, name: str) -> Path | None:
    """Run the scenario notebook headless and render ``reports/scenarios/<round>/<name>.pdf``.

    ``name`` is the scenario's own (its title); the caller has read and checked the file
    (``pipeline.check_scenario``), so a bad file renders nothing.
    """
    title = name
    name = slug(scenario_path.stem)
    if not name:
        raise InputError("scenariofilens navn gir ikke noe filnavn for rapporten (bruk "
                         "bokstaver eller tall)", path=scenario_path)
    out = RoundPaths(root, round_id)
    job = Job("03_scenarios", f"{name}.ipynb",
              {"scenario_path": str(scenario_path.resolve()), "round_id": round_id,
               "interactive": False},
              pdf=f"{name}.pdf", title=f"Scenario: {title}")
    folder = out.scenario_reports  # reports/scenarios/<round>/
    with OutputSet(folder) as outputs:
        runner = _Runner(out, notebooks_dir, outputs, log, created or source_date(root)[0],
                         cwd=root, round_label=f"TBU {load_manifest(out.manifest).label}")
        with SharedKernel(root, folder.parent / ".scenarios.kernel.log") as kernel, \
                ThreadPoolExecutor(max_workers=1) as renderer:
            futures = runner.run(job, kernel, renderer)
            staged = futures[0].result()[0] if futures else None
        outputs.publish()
    return folder / staged.name if staged is not None else None
