"""Run the round's notebooks with papermill and render the reader-facing ones to PDF.

All notebooks of a round run in one process so imports and the PDF engine start once. A
notebook that fails keeps its executed copy (with the failing cell) and gets no PDF; the
earlier PDF is left as it was.
"""

from __future__ import annotations

import json
import re
import sys
import time
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from tbu_analysis.common.atomic import atomic_path
from tbu_analysis.config import RoundPaths
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
    timings: list[tuple[str, float]] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)

    def timed(self, label: str, func: Callable, *args, **kwargs):
        start = time.perf_counter()
        try:
            return func(*args, **kwargs)
        finally:
            self.timings.append((label, time.perf_counter() - start))


def slug(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-")


def jobs_for(paths: RoundPaths, solutions: tuple[str, ...] | None = None,
             index_rates: Mapping[int, float] | None = None) -> list[Job]:
    """The round's notebooks: cleaning, the main report, one report per solution (all the
    solutions ``names.csv`` defines, unless given), and the analysis."""
    if solutions is None:
        solutions = NameMap.from_csv(paths.names).solutions
    round_id = paths.round_id
    rates = {str(k): float(v) for k, v in (index_rates or {}).items()}
    # The reports need only the cleaned figures (they compute the analysis, cached in the
    # shared kernel); the analysis notebook, which writes the CSV and Excel files, runs last,
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


def _normalise(executed: Path) -> None:
    """Drop run times from the executed notebook so reruns are identical."""
    nb = nbformat.read(executed, as_version=4)
    papermill = nb.metadata.get("papermill", {})
    for key in ("start_time", "end_time", "duration", "input_path", "output_path"):
        papermill.pop(key, None)
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        cell.metadata.get("papermill", {}).clear()
    with atomic_path(executed) as tmp:
        nbformat.write(nb, tmp)


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
                return (f"{where} (In [{cell.get('execution_count')}]: {first_line}): "
                        f"{output.get('ename')}: {output.get('evalue')}")
    return "ukjent celle"


class SharedKernel:
    """One kernel for all notebooks of a run: imports are paid once. Each notebook starts
    from an empty namespace (see ``with_fresh_namespace``); a dead kernel is restarted."""

    def __init__(self, cwd: Path, log_path: Path) -> None:
        from jupyter_client.manager import KernelManager

        self.cwd = cwd
        self.log_path = log_path
        self.km = KernelManager(kernel_name="python3")
        self._log = None
        self._ready = False

    def __enter__(self) -> SharedKernel:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log = self.log_path.open("a", encoding="utf-8")
        # The kernel's own stderr (its TCP warning, crashes) goes to a log, not the terminal.
        self.km.start_kernel(cwd=str(self.cwd), stderr=self._log, stdout=self._log)
        self._ready = False  # the caller imports what it needs while the kernel boots
        return self

    def alive(self):
        """The kernel manager, its kernel ready; restarted if a notebook killed it."""
        if not self.km.is_alive():
            self.km.restart_kernel(now=True)
            self._ready = False
        if not self._ready:
            client = self.km.client()
            client.start_channels()
            try:
                client.wait_for_ready(timeout=60)
            finally:
                client.stop_channels()
            self._ready = True
        return self.km

    def __exit__(self, *exc) -> None:
        self.km.shutdown_kernel(now=True)
        if self._log is not None:
            self._log.close()


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
              solutions: tuple[str, ...] | None = None, created=None) -> list[Path]:
    """Run the round's notebooks one after another in one kernel; each PDF renders in a
    worker process while the kernel runs the next notebook. (Two kernels were measured
    slower on two cores: the PDF engine already uses the second one.)"""
    from concurrent.futures import ProcessPoolExecutor

    executed_dir = paths.reports / "executed"
    executed_dir.mkdir(parents=True, exist_ok=True)
    with SharedKernel(notebooks_dir, executed_dir / "kernel.log") as kernel, \
            ProcessPoolExecutor(max_workers=RENDER_WORKERS,
                                initializer=_warm_renderer) as renderer:
        for _ in range(RENDER_WORKERS):  # start the workers now, while the kernel boots
            renderer.submit(_noop)
        from tbu_analysis.common.provenance import source_date
        from tbu_analysis.rounds.manifest import load_manifest

        runner = _Runner(paths, notebooks_dir, executed_dir, log,
                         created or source_date(paths.root)[0],
                         round_label=f"TBU {load_manifest(paths.manifest).label}")
        futures = runner.run_all(jobs_for(paths, solutions, index_rates), kernel, renderer)
        return [future.result()[0] for future in futures]


@dataclass
class _Runner:
    paths: RoundPaths
    notebooks_dir: Path
    executed_dir: Path
    log: RunLog
    created: object
    reports_dir: Path | None = None  # where PDFs go (default: the round's reports)
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
        import papermill

        executed = self.executed_dir / job.executed
        source = self.notebooks_dir / f"{job.notebook}.ipynb"
        label = f"{job.notebook} {job.parameters.get('solution', '')}".strip()
        try:
            self.log.timed(f"kjøring {label}", papermill.execute_notebook,
                           with_fresh_namespace(source), str(executed),
                           parameters=job.parameters,
                           cwd=str(self.cwd or self.notebooks_dir),
                           progress_bar=False, kernel_name="python3", log_output=False,
                           km=kernel.alive())
        except papermill.PapermillExecutionError:
            message = (f"{job.notebook}.ipynb ({json.dumps(job.parameters, ensure_ascii=False)})"
                       f" feilet i {_failed_cell(executed, source)}; se {executed}")
            self.log.failures.append(message)
            print(f"feil: {message}", file=sys.stderr)
            return []
        _normalise(executed)
        if job.pdf is None:
            return []
        nb = nbformat.read(executed, as_version=4)
        nb.metadata["tbu"] = {"title": job.title,
                              "round": self.round_label or f"Runde {self.paths.round_id}",
                              "author": "tbu-analysis"}
        future = renderer.submit(_render, nb, (self.reports_dir or self.paths.reports) / job.pdf,
                                 self.created)
        future.add_done_callback(
            lambda f, name=job.pdf: self.log.timings.append((f"PDF {name}", f.result()[1]))
            if not f.exception() else None)
        return [future]


RENDER_WORKERS = 2


def _warm_renderer() -> None:
    """Import the PDF engine in each worker before the first notebook is done."""
    import weasyprint  # noqa: F401

    from tbu_analysis.reports import render  # noqa: F401


def _noop() -> None:
    return None


def _render(nb, pdf_path: Path, created) -> tuple[Path, float]:
    from tbu_analysis.reports.render import render_pdf

    start = time.perf_counter()
    path = render_pdf(nb, pdf_path, created=created)
    return path, time.perf_counter() - start


def run_scenario(scenario_path: Path, round_id: str, root: Path, notebooks_dir: Path,
                 log: RunLog, created=None) -> Path | None:
    """Run the scenario notebook headless and render ``reports/scenarios/<name>.pdf``.

    The scenario file is validated first, so a bad file renders nothing.
    """
    from concurrent.futures import ThreadPoolExecutor

    from tbu_analysis.common.provenance import source_date
    from tbu_analysis.config import RoundPaths
    from tbu_analysis.scenarios.files import load_scenario

    scenario = load_scenario(scenario_path)
    name = slug(scenario_path.stem)
    out = RoundPaths(root, round_id)
    job = Job("03_scenarios", f"{name}.ipynb",
              {"scenario_path": str(scenario_path.resolve()), "round_id": round_id,
               "interactive": False},
              pdf=f"{name}.pdf", title=f"Scenario: {scenario.name}")
    executed_dir = root / "reports" / "scenarios" / "executed"
    executed_dir.mkdir(parents=True, exist_ok=True)
    from tbu_analysis.rounds.manifest import load_manifest

    runner = _Runner(out, notebooks_dir, executed_dir, log,
                     created or source_date(root)[0], reports_dir=executed_dir.parent,
                     cwd=root, round_label=f"TBU {load_manifest(out.manifest).label}")
    with SharedKernel(root, executed_dir / "kernel.log") as kernel, \
            ThreadPoolExecutor(max_workers=1) as renderer:
        futures = runner.run(job, kernel, renderer)
        return futures[0].result()[0] if futures else None
