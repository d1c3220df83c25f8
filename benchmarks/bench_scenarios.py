"""How long the explorer takes to answer each control (target: the visible tab's tables and
bars within 150 ms median after one change; compute alone < 50 ms), the key-against-key tab
and the sensitivity (tornado) tab.

Run from the project root after ``make data``:  .venv/bin/python benchmarks/bench_scenarios.py
Prints the median of repeated runs in milliseconds. Not a test: timings depend on the machine.
"""

from __future__ import annotations

import itertools
import statistics
import sys
import timeit
from collections.abc import Callable
from dataclasses import replace

from tbu_analysis.scenarios.explorer import ScenarioExplorer
from tbu_analysis.scenarios.files import load_baseline, load_index, load_scenario
from tbu_analysis.scenarios.projection import compute

ROUND_ID = sys.argv[1] if len(sys.argv) > 1 else "2024-host"
SCENARIO = sys.argv[2] if len(sys.argv) > 2 else "scenarios/baseline.yml"
REPEAT = 20
TARGET_MS = 150


def median_ms(func: Callable[[], object], repeat: int = REPEAT) -> float:
    func()  # warm up caches and imports
    return statistics.median(timeit.repeat(func, number=1, repeat=repeat)) * 1000


def toggling(values: list[object]) -> Callable[[], object]:
    cycle = itertools.cycle(values)
    return lambda: next(cycle)


def controls(explorer: ScenarioExplorer) -> dict[str, Callable[[], None]]:
    """One change of each control, as a reader makes it (values alternate, so each call is a
    real change)."""
    first = min(explorer.index_rates)
    index = toggling([4.0, 4.5, 5.0, 5.5])
    typed = toggling(["3,5", "4,121"])
    efficiency, volume = toggling([1.0, 2.4]), toggling([0.5, 1.1])
    share = toggling([10.0, 20.0])
    key = toggling(["alternativ-2", "alternativ-1"])
    extend, basis = toggling([True, False]), toggling(["lopende", "fast"])
    custom = toggling([{"kommuner": "30", "rhf": "60", "apotek": "0", "ovrige": "10"},
                       {"kommuner": "40", "rhf": "60", "apotek": "0", "ovrige": "0"}])
    steps: dict[str, Callable[[], None]] = {
        "indeksglider": lambda: setattr(explorer.index_rates[first], "value", index()),
        "indeks skrevet inn": lambda: setattr(explorer.typed[explorer.index_rates[first]],
                                              "value", typed()),
        "effektivisering": lambda: setattr(explorer.efficiency, "value", efficiency()),
        "volumvekst": lambda: setattr(explorer.volume, "value", volume()),
        "D&F-andel": lambda: setattr(explorer.investment_share, "value", share()),
        "fordelingsnøkkel": lambda: setattr(explorer.key_set, "value", key()),
        "videreføring": lambda: setattr(explorer.extend, "value", extend()),
        "kroneverdi": lambda: setattr(explorer.price_basis, "value", basis()),
    }
    if explorer.deflator_rates:
        year = max(explorer.deflator_rates)
        deflator = toggling([2.0, 4.121])
        steps["deflatorsats"] = lambda: setattr(explorer.deflator_rates[year], "value",
                                                deflator())

    def own_key() -> None:
        explorer.share_unit.value = "Kjernejournal"
        for group, value in custom().items():
            explorer.share_boxes[group].value = value
        explorer.apply_shares()

    def add_and_undo() -> None:
        explorer.item_unit.value, explorer.item_mnok.value = "Kjernejournal", "10"
        explorer.add_item()
        explorer.undo()

    steps["egne andeler"] = own_key
    steps["legg til og angre"] = add_and_undo
    return steps


def main() -> None:
    baseline = load_baseline(ROUND_ID)
    index = load_index(ROUND_ID)
    scenario = load_scenario(SCENARIO)
    first = min(index.rates)
    rates = itertools.cycle([4.0, 4.5, 5.0, 5.5])

    def one_change() -> None:
        changed = replace(scenario, index_rates={**scenario.index_rates, first: next(rates)})
        compute(changed, baseline, index, check=False)  # as the explorer does

    results: list[tuple[str, float]] = [("compute etter én endret kontroll", median_ms(
        one_change, 50))]
    explorer = ScenarioExplorer(baseline, index, scenario, chart=True)
    for name, step in controls(explorer).items():
        results.append((f"kontroll: {name} (regning og søyler)", median_ms(step)))
    explorer.reset_all()

    keys = ScenarioExplorer(baseline, index, scenario, chart=True)
    keys.tabs.selected_index = 4
    slider = keys.index_rates[first]
    results.append(("nøkkel mot nøkkel: én endret kontroll",
                    median_ms(lambda: setattr(slider, "value", next(rates)))))
    basis = toggling(["vekst", "kostnad"])
    results.append(("nøkkel mot nøkkel: bytt grunnlag",
                    median_ms(lambda: setattr(keys.key_basis, "value", basis()))))

    def open_keys_tab() -> None:
        keys.tabs.selected_index = 0
        slider.value = next(rates)
        keys.tabs.selected_index = 4  # drawn when opened

    results.append(("nøkkel mot nøkkel: åpne fanen etter en endring",
                    median_ms(open_keys_tab)))
    tornado_tab = getattr(keys, "SENSITIVITY_TAB", None)
    if tornado_tab is not None:
        keys.tabs.selected_index = tornado_tab
        results.append(("følsomhet (tornado): én endret kontroll",
                        median_ms(lambda: setattr(slider, "value", next(rates)))))

    width = max(len(name) for name, _ms in results)
    for name, ms in results:
        verdict = "nådd" if ms <= TARGET_MS else "IKKE nådd"
        print(f"{name:<{width}}  {ms:7.1f} ms  (mål ≤ {TARGET_MS} ms: {verdict})")


if __name__ == "__main__":
    main()
