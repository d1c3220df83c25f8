"""How long the explorer takes to answer one changed control (target: table and chart of the
visible tab within 150 ms median after one change; compute alone < 50 ms).

Run from the project root after ``make data``:  .venv/bin/python benchmarks/bench_scenarios.py
Prints the median of repeated runs in milliseconds. Not a test: timings depend on the machine.
"""

from __future__ import annotations

import statistics
import sys
import timeit
from dataclasses import replace

from tbu_analysis.scenarios.explorer import ScenarioExplorer
from tbu_analysis.scenarios.files import load_baseline, load_index, load_scenario
from tbu_analysis.scenarios.projection import compute

ROUND_ID = sys.argv[1] if len(sys.argv) > 1 else "2024-host"
SCENARIO = sys.argv[2] if len(sys.argv) > 2 else "scenarios/baseline.yml"
REPEAT = 50
TARGET_MS = 150


def median_ms(func, repeat: int = REPEAT) -> float:
    func()  # warm up caches and imports
    return statistics.median(timeit.repeat(func, number=1, repeat=repeat)) * 1000


def main() -> None:
    baseline = load_baseline(ROUND_ID)
    index = load_index(ROUND_ID)
    scenario = load_scenario(SCENARIO)
    first = min(index.rates)
    rates = iter([4.0, 4.5, 5.0, 5.5] * (REPEAT + 1))

    def one_change() -> None:
        changed = replace(scenario, index_rates={**scenario.index_rates, first: next(rates)})
        compute(changed, baseline, index, check=False)  # as the explorer does

    explorer = ScenarioExplorer(baseline, index, scenario, chart=False)
    with_chart = ScenarioExplorer(baseline, index, scenario, chart=True)
    slider, charted = explorer.index_rates[first], with_chart.index_rates[first]

    def widget_change() -> None:
        slider.value = next(rates)

    def widget_change_with_chart() -> None:
        charted.value = next(rates)

    print(f"compute etter én endret kontroll: {median_ms(one_change):.1f} ms (median, uten "
          "skjemakontroll)")
    print(f"utforsker, tabell uten figur:      {median_ms(widget_change, 20):.1f} ms (median)")
    with_chart_ms = median_ms(widget_change_with_chart, 20)
    print(f"utforsker, tabell og figur:        {with_chart_ms:.1f} ms (median; mål ≤ "
          f"{TARGET_MS} ms: {'nådd' if with_chart_ms <= TARGET_MS else 'IKKE nådd'})")


if __name__ == "__main__":
    main()
