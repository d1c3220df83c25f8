"""`make bench`: each report notebook's time in the kernel, as CPU seconds of the kernel.

The round's report notebooks (the main report, one per solution) run one after another in one
kernel whose imports are warm, as `tbu report` runs them (``reports.execute``): the parameters
cell, then every code cell, each output rendered by the kernel as it would be for the PDF. For
each notebook the kernel's own CPU time (``time.process_time()`` read in the kernel before and
after) and the wall time are printed. CPU time is what the notebook costs whatever else the
machine runs; wall time stretches with the load. Target (issue 18.8): a solution notebook
under 0,5 s in the kernel. The round's report model must be built (``make report`` or
``tbu report``); a stale one is rebuilt in the kernel, which the first notebook then pays for.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time

import nbformat
from jupyter_client.manager import start_new_kernel

from tbu_analysis.config import project_root, round_paths
from tbu_analysis.reports.execute import jobs_for, warm_up_code
from tbu_analysis.reports.kernel import KERNEL_ARGUMENTS

TARGET = 0.5  # a solution notebook's kernel CPU, seconds


def _run(client, code: str) -> str:
    """Run ``code`` in the kernel; what it printed (an error stops the bench)."""
    printed: list[str] = []

    def hear(message: dict) -> None:
        kind, content = message["msg_type"], message["content"]
        if kind == "stream":
            printed.append(content["text"])
        elif kind == "error":
            raise SystemExit(f"feil i kjernen: {content['ename']}: {content['evalue']}")

    reply = client.execute_interactive(code, output_hook=hear, timeout=600)
    if reply["content"]["status"] != "ok":
        raise SystemExit(f"feil i kjernen: {reply['content'].get('evalue')}")
    return "".join(printed)


def _cpu(client) -> float:
    return float(_run(client, "import time as _t; print(_t.process_time())").strip())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--round", default="2024-host")
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args()

    root = project_root()
    paths = round_paths(args.round, root)
    notebooks = root / "notebooks"
    jobs = [job for job in jobs_for(paths) if job.pdf is not None]
    # started as the round starts its kernel (``reports.kernel``), so the bench measures the
    # kernel the reports run in
    manager, client = start_new_kernel(kernel_name="python3", cwd=str(notebooks),
                                       extra_arguments=KERNEL_ARGUMENTS)
    times: dict[str, list[tuple[float, float]]] = {}
    try:
        _run(client, warm_up_code(sorted({notebooks / f"{j.notebook}.ipynb" for j in jobs})))
        for _ in range(args.repeats):
            for job in jobs:
                nb = nbformat.read(notebooks / f"{job.notebook}.ipynb", as_version=4)
                cells = [c.source for c in nb.cells if c.cell_type == "code"]
                parameters = "\n".join(f"{k} = {json.dumps(v, ensure_ascii=False)}"
                                       for k, v in job.parameters.items())
                _run(client, "%reset -f")
                cpu, wall = _cpu(client), time.perf_counter()
                for source in [cells[0], parameters, *cells[1:]]:
                    _run(client, source)
                wall = time.perf_counter() - wall
                label = f"{job.notebook} {job.parameters.get('solution', '')}".strip()
                times.setdefault(label, []).append((_cpu(client) - cpu, wall))
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)

    print(f"Notatbøkene i kjernen (median av {args.repeats}; last ved slutt "
          f"{os.getloadavg()[0]:.1f}):".replace(".", ","))
    for label, runs in times.items():
        cpu = statistics.median(c for c, _ in runs)
        wall = statistics.median(w for _, w in runs)
        verdict = "" if not label.startswith("11_") else \
            f"  mål < {TARGET:g} s CPU — {'OK' if cpu < TARGET else 'IKKE NÅDD'}"
        print(f"  {label:<34} CPU {cpu:5.2f} s, veggur {wall:5.2f} s".replace(".", ",")
              + verdict.replace(".", ","))


if __name__ == "__main__":
    main()
