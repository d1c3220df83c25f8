"""The interactive scenario explorer (ipywidgets): controls → a recomputed result → views.

Tables and charts come from :mod:`tbu_analysis.scenarios.tables`, so the explorer shows what
the static report shows. ``ScenarioExplorer.result`` is the latest result; tests set a
control's value and read it.
"""

from __future__ import annotations

import datetime as dt
import html
import math
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

import ipywidgets as w
import pandas as pd
from IPython.display import display
from markupsafe import Markup
from pydantic import ValidationError

from tbu_analysis.analysis.indexing import PriceIndex
from tbu_analysis.common.atomic import WriteError, write_bytes
from tbu_analysis.common.errors import InputError
from tbu_analysis.common.formatting import format_number
from tbu_analysis.common.inputs import as_input_error
from tbu_analysis.rounds.numbers import parse_number
from tbu_analysis.scenarios.comparison import both_bases, key_against_key
from tbu_analysis.scenarios.export import scenario_sheets
from tbu_analysis.scenarios.files import (
    AdditionModel,
    InvestmentModel,
    save_scenario,
    scenario_to_dict,
    user_scenario_dir,
)
from tbu_analysis.scenarios.keys import (
    REST,
    KeySet,
    Origin,
    Override,
    YearSpan,
    allocation_for,
    load_key_sets,
    parse_share,
    resolve_shares,
)
from tbu_analysis.scenarios.labels import ALL_UNITS, GROUP_LABELS, GROUPS
from tbu_analysis.scenarios.model import (
    CURRENT,
    FIXED,
    Addition,
    Investment,
    Scenario,
    ScenarioResult,
    check_horizon,
)
from tbu_analysis.scenarios.projection import compute
from tbu_analysis.scenarios.tables import (
    bills_table,
    deflator_table,
    difference_table,
    key_basis_markdown,
    key_chart_groups,
    key_comparison_by_unit_table,
    key_comparison_table,
    markdown_html,
    show_markdown,
    table_html,
    totals_table,
    unallocated_table,
    write_csv_files,
    write_workbook,
)
from tbu_analysis.scenarios.text import (
    caption,
    explorer_html,
    explorer_label,
    explorer_text,
    words,
)

# --- the explorer ----------------------------------------------------------------------------


def _share_text(text: str) -> float | None:
    """The explorer's share box: blank = unknown, else a Norwegian number 0–100."""
    text = text.strip()
    if not text or text.lower() == "ukjent":
        return None
    parsed = parse_number(text.replace("%", ""))
    if parsed.value is None:
        return None
    value = float(parsed.value)
    if not 0 <= value <= 100:
        raise InputError("andelen må ligge mellom 0 og 100 %", text=text)
    return value


class ScenarioExplorer:
    """Controls for one scenario; every change recomputes ``result`` and redraws the views.

    ``result`` holds the latest :class:`ScenarioResult`; ``error`` the latest bad input
    (then nothing is drawn). ``save()`` writes the current choices as a scenario file.
    """

    def __init__(
        self,
        baseline_funding: pd.DataFrame,
        index: PriceIndex,
        scenario: Scenario,
        *,
        key_sets: Mapping[str, KeySet] | None = None,
        save_path: str | Path | None = None,
        chart: bool = True,
        today: dt.date | None = None,
    ) -> None:
        self.index = index
        self.chart = chart
        self.today = today
        self._save_path = Path(save_path) if save_path is not None else None
        self.widget = w.VBox()
        self._build_loader()
        self._start(baseline_funding, scenario, key_sets)

    def _start(self, baseline_funding: pd.DataFrame, scenario: Scenario,
               key_sets: Mapping[str, KeySet] | None = None) -> None:
        """Controls, views and a first result for ``scenario`` against ``baseline_funding``
        (at start, and again when another file or round is loaded)."""
        self.baseline_funding = baseline_funding
        self.scenario = scenario
        if key_sets is None:
            key_sets = (load_key_sets(scenario.key_set_dir, templates=False)
                        if scenario.key_set_dir else {})
        self.key_sets = {**key_sets, scenario.key_set.id: key_sets.get(
            scenario.key_set.id, scenario.key_set)}
        self.result: ScenarioResult | None = None
        self.error: InputError | None = None
        self.share_inputs: dict[tuple[str, YearSpan, str], float] = {}
        self._quiet = False
        self._rate_touched: set[str] = set()
        self._deflator_touched: set[int] = set()
        years = sorted(baseline_funding["nominal_year"].unique().tolist())
        self._first_year = int(years[0]) if years else scenario.horizon
        self._build_controls()
        self._build_outputs()
        self.refresh()

    # loading another scenario file or round
    def _build_loader(self) -> None:
        from tbu_analysis.config import discover_rounds, project_root
        from tbu_analysis.scenarios.files import all_scenario_files

        style = {"description_width": "220px"}
        files = all_scenario_files()
        self.load_file = w.Dropdown(
            options=[(_file_label(path), str(path)) for path in files],
            value=None, description=explorer_label("load_file"), style=style,
            layout=w.Layout(width="560px"))
        rounds = sorted(discover_rounds(project_root()))
        self.load_round = w.Dropdown(options=rounds, value=rounds[-1] if rounds else None,
                                     description=explorer_label("load_round"), style=style,
                                     layout=w.Layout(width="560px"))
        self.load_button = w.Button(description=explorer_label("load_button"), icon="folder-open")
        self.load_status = w.HTML()
        self.load_button.on_click(lambda _button: self.load())
        self.loader = w.VBox([w.HBox([self.load_file, self.load_button]), self.load_round,
                              self.load_status])

    def load(self, path: str | Path | None = None, round_id: str | None = None) -> bool:
        """Start again from another scenario file (``scenarios/`` or the economist's own
        folder) and round; a file or round that cannot be read gives its message here and
        the explorer keeps what it had."""
        from tbu_analysis.scenarios.files import load_baseline, load_index, load_scenario

        chosen = path if path is not None else self.load_file.value
        round_id = round_id if round_id is not None else self.load_round.value
        try:
            if chosen is None:
                raise InputError("velg en scenariofil")
            scenario = load_scenario(chosen, round_id=round_id)
            baseline, index = ((load_baseline(round_id), load_index(round_id))
                               if round_id is not None else (self.baseline_funding, self.index))
        except InputError as error:
            self.load_status.value = explorer_html("not_loaded", str(error))
            return False
        self._save_path = None
        self.index = index
        self._start(baseline, scenario)
        self.load_status.value = explorer_html("loaded", str(chosen), round_id)
        return True

    # controls
    def _build_controls(self) -> None:
        s = self.scenario
        style = {"description_width": "220px"}
        layout = w.Layout(width="560px")
        self.key_set = w.Dropdown(
            options=[(ks.name, key) for key, ks in self.key_sets.items()],
            value=s.key_set.id, description=explorer_label("key_set"), style=style, layout=layout,
        )
        self.extend = w.Checkbox(value=s.extend_last_year,
                                 description=explorer_label("extend"),
                                 style={"description_width": "initial"},
                                 layout=w.Layout(width="auto"))
        self.price_basis = w.ToggleButtons(
            options=[(explorer_label("fixed"), FIXED), (explorer_label("current"), CURRENT)],
            value=s.price_basis, description=explorer_label("price_basis"), style=style,
        )
        rate_years = sorted(y for y in {*self.index.rates, *s.index_rates}
                            if self._first_year <= y < s.horizon)
        self.index_rates = {
            year: w.FloatSlider(
                value=s.index_rates.get(year, self.index.rates.get(year, 0.0)),
                min=0.0, max=10.0, step=0.001, readout=False,
                description=explorer_text("index_rate", year), style=style, layout=layout,
            )
            for year in rate_years
        }
        deflator = s.deflator
        deflator_years = sorted(
            {*deflator.rates, *range(deflator.base_year, s.horizon)} if deflator else ())
        self.deflator_rates = {
            year: w.FloatSlider(
                value=deflator.rates.get(year, 0.0) if deflator else 0.0,
                min=-5.0, max=15.0, step=0.001, readout=False,
                description=explorer_text("deflator_rate", year), style=style, layout=layout,
            )
            for year in deflator_years
        }
        self.efficiency = w.FloatSlider(
            value=_mean_rate(s.efficiency_pct), min=0.0, max=10.0, step=0.1,
            readout=False, description=explorer_label("efficiency"), style=style,
            layout=layout,
        )
        self.volume = w.FloatSlider(
            value=_mean_rate(s.volume_pct), min=-5.0, max=10.0, step=0.1, readout=False,
            description=explorer_label("volume"), style=style, layout=layout,
        )
        self.investment_share = w.FloatSlider(
            value=s.investment_share_pct, min=0.0, max=50.0, step=1.0, readout=False,
            description=explorer_label("investment_share"), style=style, layout=layout,
        )
        self.unknown_cell = w.Dropdown(description=explorer_label("unknown_cell"), style=style,
                                       layout=layout)
        self.unknown_value = w.Text(value="", placeholder=explorer_label("unknown_placeholder"),
                                    description=explorer_label("unknown_value"), style=style,
                                    layout=layout,
                                    continuous_update=False)
        self.unknown_help = w.HTML()
        self.save_path = w.Text(
            value=str(self._save_path or _default_save_path(s)),
            description=explorer_label("save_path"), style=style,
            layout=layout,
        )
        made = explorer_label("made_from_changes")
        self.name_box = w.Text(value="", placeholder=made, description=explorer_label("name"),
                               style=style, layout=layout)
        self.description_box = w.Textarea(value="", placeholder=made,
                                          description=explorer_label("description"),
                                          style=style, layout=layout)
        self.save_button = w.Button(description=explorer_label("save_button"), icon="save")
        self.export_button = w.Button(description=explorer_label("export_button"),
                                      icon="download", layout=w.Layout(width="auto"))
        self.save_status = w.HTML()
        options = self._compare_options(s.key_set.id)
        others = [key for _name, key in options]
        default = (s.compare_with.id if s.compare_with is not None
                   and s.compare_with.id in others else (others or [None])[0])
        self._default_compare = default
        self.compare_with = w.Dropdown(options=options, value=default,
                                       description=explorer_label("compare_with"), style=style,
                                       layout=layout)
        self.compare_with.observe(self._compare_changed, names="value")
        self.key_basis = w.ToggleButtons(
            options=[(explorer_label("whole_cost"), "kostnad"),
                     (explorer_label("growth"), "vekst")],
            value="kostnad", description=explorer_label("key_basis"), style=style)
        self.key_basis.observe(self._compare_changed, names="value")
        self._key_cache: tuple[Any, Any] | None = None
        years = sorted({*range(self._first_year, s.horizon + 1)})
        self.sensitivity_group = w.Dropdown(
            options=[(GROUP_LABELS[g], g) for g in GROUPS], value=GROUPS[0],
            description=explorer_label("group"), style=style)
        self.sensitivity_year = w.Dropdown(options=years, value=s.horizon,
                                           description=explorer_label("year"),
                                           style=style)
        for control in (self.sensitivity_group, self.sensitivity_year):
            control.observe(self._sensitivity_changed, names="value")
        units = list(dict.fromkeys(self.baseline_funding["unit"].tolist()))
        self.item_kind = w.ToggleButtons(
            options=[(explorer_label("investment"), "investment"),
                     (explorer_label("addition"), "addition")],
            value="investment", description=explorer_label("item_kind"), style=style)
        self.item_unit = w.Dropdown(options=units, description=explorer_label("item_unit"),
                                    style=style,
                                    layout=layout)
        self.item_year = w.BoundedIntText(value=s.horizon - 1, min=self._first_year,
                                          max=s.horizon, description=explorer_label("item_year"),
                                          style=style, layout=layout)
        self.item_mnok = w.Text(value="", placeholder=explorer_label("item_placeholder"),
                                description=explorer_label("item_mnok"), style=style,
                                layout=layout)
        self.item_add = w.Button(description=explorer_label("item_add"), icon="plus")
        self.item_clear = w.Button(description=explorer_label("item_clear"), icon="trash",
                                   layout=w.Layout(width="auto"))
        self.items_help = w.HTML()
        self.added_investments: list[Investment] = []
        self.added_additions: list[Addition] = []
        self.share_unit = w.Dropdown(options=units, description=explorer_label("share_unit"),
                                     style=style, layout=layout)
        self.share_from = w.BoundedIntText(value=self._first_year, min=self._first_year,
                                           max=s.horizon, description=explorer_label("share_from"),
                                           style=style, layout=layout)
        self.share_to = w.BoundedIntText(value=s.horizon, min=self._first_year,
                                         max=s.horizon, description=explorer_label("share_to"),
                                         style=style, layout=layout)
        self.share_boxes = {
            group: w.Text(value="", placeholder=explorer_label("share_placeholder"),
                          description=GROUP_LABELS[group],
                          style=style, layout=w.Layout(width="330px"))
            for group in GROUPS
        }
        self.share_apply = w.Button(description=explorer_label("share_apply"), icon="check")
        self.share_clear = w.Button(description=explorer_label("share_clear"), icon="trash",
                                    layout=w.Layout(width="auto"))
        self.share_help = w.HTML()
        self.custom_shares: list[Override] = []
        self.share_apply.on_click(lambda _button: self.apply_shares())
        self.share_clear.on_click(lambda _button: self.clear_shares())
        self.item_add.on_click(lambda _button: self.add_item())
        self.item_clear.on_click(lambda _button: self.clear_items())
        sources = {self.efficiency: s.growth_source, self.volume: s.growth_source,
                   self.investment_share: s.investment_share_source}
        for year, slider in self.index_rates.items():
            sources[slider] = (
                s.index_source
                + (explorer_label("placeholder_source") if s.index_placeholder else "")
                if year in s.index_rates else
                f"{self.index.sources.get(year, '')} ({_shown_path(self.index.path)})")
        for slider in self.deflator_rates.values():
            sources[slider] = (s.deflator.source if s.deflator else "") + (
                explorer_label("placeholder_source") if s.deflator and s.deflator.placeholder
                else "")
        #: each slider's typed box (Norwegian number, decimal comma), reset button and the
        #: source of its default; the default is the value the file (or index) gave.
        self.typed: dict[Any, Any] = {}
        self.resets: dict[Any, Any] = {}
        self.sources: dict[Any, Any] = {}
        self.defaults = {slider: slider.value for slider in sources}
        for slider, decimals in ((self.efficiency, 1), (self.volume, 1),
                                 (self.investment_share, 0),
                                 *((slider, 3) for slider in self.index_rates.values()),
                                 *((slider, 3) for slider in self.deflator_rates.values())):
            self.typed[slider] = _typed_box(slider, decimals, self._typed_error)
            reset = w.Button(icon="undo", tooltip=explorer_label("reset"),
                             layout=w.Layout(width="36px"))
            reset.on_click(lambda _button, slider=slider: self.reset(slider))
            self.resets[slider] = reset
            source = sources[slider] or explorer_label("no_source")
            self.sources[slider] = w.HTML(
                explorer_html("slider_source", slider.value, decimals, source))
        self.reset_all_button = w.Button(description=explorer_label("reset_all"),
                                         icon="refresh", tooltip=explorer_label("reset_all_tip"))
        self.undo_button = w.Button(description=explorer_label("undo"), icon="undo",
                                    tooltip=explorer_label("undo_tip"))
        self.reset_all_button.on_click(lambda _button: self.reset_all())
        self.undo_button.on_click(lambda _button: self.undo())
        self._history: list[Any] = []
        self._ranges: Any = None
        self._last_state: Any = None
        self._restoring = False
        self.disabled_help = w.HTML()
        self.price_basis.observe(lambda _change: self._update_enabled(), names="value")
        self._update_enabled()

        for control in (self.key_set, self.extend, self.price_basis, self.investment_share,
                        *self.index_rates.values()):
            control.observe(self._changed, names="value")
        self.efficiency.observe(self._rate_changed("efficiency_pct"), names="value")
        self.volume.observe(self._rate_changed("volume_pct"), names="value")
        for year, slider in self.deflator_rates.items():
            slider.observe(self._deflator_changed(year), names="value")
        self.unknown_cell.observe(self._cell_selected, names="value")
        self.unknown_value.observe(self._share_entered, names="value")
        self.save_button.on_click(lambda _button: self.save())
        self.export_button.on_click(lambda _button: self.export())
        self._refresh_unknown_cells()

    def _build_outputs(self) -> None:
        self.message = w.HTML()
        self.bills_view = w.HTML()
        self.totals_view = w.HTML()
        self.difference_view = w.HTML()
        self.unallocated_view = w.HTML()
        self.keys_view = w.HTML()
        self.chart_view = w.HTML()
        self.deflator_view = w.HTML()
        self.sensitivity_view = w.HTML()
        self._stale: set[int] = set()
        tabs = self.tabs = w.Tab(children=[
            w.VBox([self.bills_view, self.chart_view]), self.totals_view,
            self.difference_view, self.unallocated_view,
            w.VBox([self.compare_with, self.key_basis, self.keys_view]), self.deflator_view,
            w.VBox([w.HBox([self.sensitivity_group, self.sensitivity_year]),
                    self.sensitivity_view]),
        ])
        for number, title in enumerate(words("explorer.md.j2", "tabs")):
            tabs.set_title(number, title)
        tabs.observe(self._draw_visible, names="selected_index")
        sliders = [w.HBox([slider, self.typed[slider], self.resets[slider],
                           self.sources[slider]])
                   for slider in (*self.index_rates.values(), self.efficiency, self.volume,
                                  self.investment_share, *self.deflator_rates.values())]
        controls = w.VBox([
            w.HBox([self.undo_button, self.reset_all_button]),
            self.key_set, self.extend, w.HBox([self.unknown_cell]),
            w.HBox([self.unknown_value]), self.unknown_help, self.price_basis,
            *sliders, self.disabled_help,
            self.share_unit, self.share_from, self.share_to, *self.share_boxes.values(),
            w.HBox([self.share_apply, self.share_clear]), self.share_help,
            self.item_kind, self.item_unit, self.item_year, self.item_mnok,
            w.HBox([self.item_add, self.item_clear]), self.items_help,
            self.name_box, self.description_box,
            w.HBox([self.save_path, self.save_button]), self.export_button, self.save_status,
        ])
        self.widget.children = [self.loader, controls, self.message, tabs]

    #: the tab of the tornado (``make bench`` times it)
    SENSITIVITY_TAB = 6

    def _sensitivity_changed(self, _change: Any = None) -> None:
        self._stale.add(self.SENSITIVITY_TAB)
        self._draw_visible()

    def _sensitivity_html(self, result: ScenarioResult) -> str:
        """The tornado for the chosen group and year: bars from the low to the high value's
        bill around the scenario's, each input's values and sources beside it."""
        from tbu_analysis.scenarios import sensitivity

        if self._ranges is None:
            try:
                self._ranges = sensitivity.load_ranges()
            except InputError as error:
                return f"<p><i>{html.escape(str(error))}</i></p>"
        group, year = self.sensitivity_group.value, int(self.sensitivity_year.value)
        base, swings = sensitivity.tornado(result, self.baseline_funding, self.index, group,
                                           year, self._ranges)
        return tornado_html(sensitivity.title(group, year, base), base, swings)

    def _compare_options(self, key: str) -> list[tuple[str, str]]:
        """Every other key: a key set against itself differs by nothing."""
        return [(ks.name, other) for other, ks in self.key_sets.items() if other != key]

    def _follow_key(self) -> None:
        """«Sammenlign med» follows the key: never the key itself; the key the file was
        loaded with when that is now the other one, else the first other key."""
        key = self.key_set.value
        options = self._compare_options(key)
        others = [other for _name, other in options]
        chosen = self.compare_with.value
        if chosen not in others:
            loaded = self.scenario.key_set.id
            chosen = loaded if loaded in others else (others or [None])[0]
        self._quiet = True
        try:
            self.compare_with.options = options
            self.compare_with.value = chosen
        finally:
            self._quiet = False

    def _compare_changed(self, _change: Any = None) -> None:
        if self._quiet:
            return
        self._stale.add(4)
        self._draw_visible()

    def _update_enabled(self) -> None:
        """Controls with no effect in the current mode are disabled, and the reason shown."""
        base_price = int(self.baseline_funding["price_year"].max())
        fixed = self.price_basis.value == FIXED and self.scenario.price_year in (None,
                                                                                  base_price)
        reasons = []
        idle = [year for year in self.index_rates if year >= base_price]
        for year, slider in self.index_rates.items():
            slider.disabled = fixed and year in idle
        if fixed and idle:
            reasons.append(explorer_html("index_idle", min(idle), base_price))
        deflator = self.scenario.deflator
        outside = [year for year in self.deflator_rates
                   if deflator is None or not deflator.base_year <= year < self.scenario.horizon]
        for year, slider in self.deflator_rates.items():
            slider.disabled = year in outside
        if outside and deflator is not None:
            reasons.append(explorer_html("deflator_idle", outside, deflator.base_year,
                                         self.scenario.horizon))
        investments = (*self.scenario.investments, *getattr(self, "added_investments", ()))
        self.investment_share.disabled = not investments
        if not investments:
            reasons.append(explorer_html("no_investments"))
        self.disabled_help.value = explorer_html("disabled", [Markup(r) for r in reasons])

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        return self.widget._repr_mimebundle_(**kwargs)

    # events
    def _changed(self, _change: Any = None) -> None:
        if self._quiet:
            return
        if _change is not None and _change.get("owner") is self.key_set:
            self._follow_key()
        if _change is not None and _change.get("owner") in (self.key_set, self.extend):
            self._refresh_unknown_cells()
        self.refresh()

    def _rate_changed(self, name: str):
        def handler(change: Any) -> None:
            self._rate_touched.add(name)
            self._changed(change)
        return handler

    def _deflator_changed(self, year: int):
        def handler(change: Any) -> None:
            self._deflator_touched.add(year)
            self._changed(change)
        return handler

    def _cell_selected(self, change: Any) -> None:
        cell = change["new"]
        self._quiet = True
        try:
            value = self.share_inputs.get(cell) if cell else None
            self.unknown_value.value = "" if value is None else _plain(value)
        finally:
            self._quiet = False
        self._describe_cell()

    def _share_entered(self, change: Any) -> None:
        if self._quiet or self.unknown_cell.value is None:
            return
        try:
            value = _share_text(change["new"])
        except InputError as error:
            self._show_error(error)
            return
        if value is None:
            self.share_inputs.pop(self.unknown_cell.value, None)
        else:
            self.share_inputs[self.unknown_cell.value] = value
        self._describe_cell()
        self.refresh()

    def _refresh_unknown_cells(self) -> None:
        cells = self._unknown_cells()
        self._quiet = True
        try:
            self.unknown_cell.options = [(label, cell) for cell, label in cells]
            self.unknown_cell.value = cells[0][0] if cells else None
            value = self.share_inputs.get(self.unknown_cell.value)
            self.unknown_value.value = "" if value is None else _plain(value)
        finally:
            self._quiet = False
        self.unknown_value.disabled = not cells
        self._describe_cell()

    def _unknown_cells(self) -> list[tuple[tuple[str, YearSpan, str], str]]:
        key_set = self.key_sets[self.key_set.value]
        units = set(self.baseline_funding["unit"].tolist())
        cells = []
        for unit, entries in key_set.units.items():
            if unit not in units:
                continue
            for entry in entries:
                year = entry.span.first if entry.span.first is not None else self._first_year
                allocation = allocation_for(key_set, unit, year, self.scenario.overrides)
                for group in GROUPS:
                    if allocation.shares[group] is None:
                        label = f"{unit} {entry.span.label}: {GROUP_LABELS[group]}"
                        cells.append(((unit, entry.span, group), label))
        return cells

    def _describe_cell(self) -> None:
        cell = self.unknown_cell.value
        if cell is None:
            self.unknown_help.value = explorer_html("no_unknown")
            return
        self.unknown_help.value = explorer_html("unknown_help")

    # scenario and results
    def current_scenario(self) -> Scenario:
        """The scenario the controls describe now; a value changed here records
        «endret i utforskeren, <dato>» as its source instead of keeping the old one."""
        s = self.scenario
        key_set = self.key_sets[self.key_set.value]
        rates = dict(s.index_rates)
        rates.update({
            year: round(float(slider.value), 3) for year, slider in self.index_rates.items()
            if year in s.index_rates or slider.value != self.index.rates.get(year)
        })
        changes: dict[str, Any] = {
            "key_set": key_set,
            "extend_last_year": bool(self.extend.value),
            "price_basis": self.price_basis.value,
            "index_rates": rates,
            "investment_share_pct": round(float(self.investment_share.value), 1),
            "overrides": (*s.overrides, *self._share_overrides(key_set), *self.custom_shares),
            "investments": (*s.investments, *self.added_investments),
            "additions": (*s.additions, *self.added_additions),
        }
        if s.deflator is not None:
            deflator_rates = dict(s.deflator.rates)
            deflator_rates.update({
                year: round(float(slider.value), 3)
                for year, slider in self.deflator_rates.items()
                if year in self._deflator_touched
            })
            changes["deflator"] = replace(s.deflator, rates=deflator_rates)
        if "efficiency_pct" in self._rate_touched:
            changes["efficiency_pct"] = round(float(self.efficiency.value), 1)
        if "volume_pct" in self._rate_touched:
            changes["volume_pct"] = round(float(self.volume.value), 1)
        compare = self.key_sets.get(self.compare_with.value) if self.compare_with.value else None
        if s.compare_with is None and compare is not None and (
                key_set.id == s.key_set.id and compare.id == self._default_compare):
            compare = None  # the file named none, and the reader chose none
        changes["compare_with"] = compare
        scenario = replace(s, **changes)
        check_horizon(scenario)
        return with_changed_sources(s, scenario, self.today, name=self.name_box.value,
                                    description=self.description_box.value)

    def add_item(self) -> None:
        """Add the investment or fixed addition the form describes, with its source
        «endret i utforskeren, <dato>», and recompute."""
        note = explorer_text("changed_source", (self.today or dt.date.today()).isoformat())
        unit, year = self.item_unit.value, int(self.item_year.value)
        investment = self.item_kind.value == "investment"
        try:  # the scenario file's own rules, so what is added here can be saved and loaded
            checked = (InvestmentModel if investment else AdditionModel).model_validate(
                {"unit": unit, ("year" if investment else "from_year"): year,
                 "mnok": self.item_mnok.value, "source": note})
        except ValidationError as error:
            message = as_input_error(error, InvestmentModel if investment else AdditionModel,
                                     {}, "").message
            self._show_error(InputError(message, key=explorer_label("item_mnok"),
                                        text=self.item_mnok.value))
            return
        mnok = float(checked.mnok)
        if investment:
            number = len(self.scenario.investments) + len(self.added_investments) + 1
            self.added_investments.append(Investment(
                unit, year, mnok, note, keypath=f"growth.investments.items[{number}]"))
        else:
            number = len(self.scenario.additions) + len(self.added_additions) + 1
            self.added_additions.append(Addition(unit, year, mnok, note,
                                                 keypath=f"growth.additions[{number}]"))
        self.item_mnok.value = ""
        self._describe_items()
        self._update_enabled()
        self.refresh()

    def apply_shares(self) -> None:
        """Use the four shares typed for one solution in the chosen years (a custom key for
        them); they must add up to 100 %, else the message says so and nothing changes.
        Years outside the chosen ones keep any custom shares set before."""
        unit, first, last = (self.share_unit.value, int(self.share_from.value),
                             int(self.share_to.value))
        typed = "; ".join(b.value for b in self.share_boxes.values())
        if last < first:
            self._show_error(InputError(
                f"«Til og med år» ({last}) ligger før «Fra og med år» ({first})",
                key=f"Egen nøkkel for {unit}", text=f"{first}–{last}"))
            return
        try:
            raw = {group: parse_share(box.value.strip() or "0")
                   for group, box in self.share_boxes.items()}
            resolve_shares(raw)
        except ValueError as error:
            self._show_error(InputError(str(error), key=f"Egen nøkkel for {unit}", text=typed))
            return
        span = YearSpan(first, last)
        kept = [piece for override in self.custom_shares
                for piece in _outside(override, unit, span)]
        kept.append(Override(unit, span, raw, Origin(None),
                             f"utforsker.egen_nøkkel.{unit}.{span.label}"))
        self.custom_shares = sorted(kept, key=lambda o: (o.unit, o.span.first or 0))
        self.share_help.value = "".join(
            f"<div>{html.escape(o.unit)} {html.escape(o.span.label)}: "
            + ", ".join(f"{GROUP_LABELS[g]} {_share_label(v)}" for g, v in o.values.items())
            + "</div>" for o in self.custom_shares)
        self.refresh()

    def clear_shares(self) -> None:
        """Back to the key's own shares."""
        self.custom_shares.clear()
        self.share_help.value = ""
        self.refresh()

    def clear_items(self) -> None:
        """Remove what was added in the explorer (the file's own items stay)."""
        self.added_investments.clear()
        self.added_additions.clear()
        self._describe_items()
        self._update_enabled()
        self.refresh()

    def _describe_items(self) -> None:
        self.items_help.value = explorer_html(
            "items", [(i.unit, i.year, i.mnok) for i in self.added_investments],
            [(a.unit, a.from_year, a.mnok) for a in self.added_additions])

    def _share_overrides(self, key_set: KeySet) -> list[Override]:
        by_entry: dict[tuple[str, YearSpan], dict[str, float]] = {}
        for (unit, span, group), value in self.share_inputs.items():
            by_entry.setdefault((unit, span), {})[group] = value
        overrides = []
        for (unit, span), values in by_entry.items():
            entry = next((e for e in key_set.units.get(unit, ()) if e.span == span), None)
            if entry is None:
                continue
            year = span.first if span.first is not None else self._first_year
            base = allocation_for(key_set, unit, year, self.scenario.overrides)
            raw: dict[str, Any] = {g: v for g, v in values.items() if base.shares[g] is None}
            if not raw:
                continue
            still_unknown = [g for g in GROUPS if base.shares[g] is None and g not in raw]
            if len(still_unknown) == 1:
                raw[still_unknown[0]] = REST
            open_span = span
            if self.extend.value and span.last is not None and span.last == max(
                (e.span.last or 0) for e in key_set.units[unit]
            ):
                open_span = YearSpan(span.first, None)
            overrides.append(Override(unit, open_span, raw, Origin(None),
                                      f"utforsker.{unit}.{span.label}"))
        return overrides

    def refresh(self) -> None:
        """Recompute from the controls and redraw; bad input shows a message, no tables."""
        try:
            scenario = self.current_scenario()
            self.result = compute(scenario, self.baseline_funding, self.index, check=False)
        except InputError as error:
            self._show_error(error)
            return
        self.error = None
        self.message.value = ""
        self._remember()
        self._stale = set(range(len(self.tabs.children)))
        self._draw_visible()

    def _draw_visible(self, _change: Any = None) -> None:
        """Draw only the tab a reader sees; the others are drawn when they are opened. One
        change then costs one table and the bars, within the 150 ms ``make bench`` checks."""
        tab = self.tabs.selected_index or 0
        if self.result is None or tab not in self._stale:
            return
        self._stale.discard(tab)
        result = self.result
        if tab == 0:
            self.bills_view.value = _html(bills_table(result), _caption("bills"))
            self.chart_view.value = bills_bars_html(result) if self.chart else ""
        elif tab == 1:
            self.totals_view.value = _html(totals_table(result), _caption("totals"))
        elif tab == 2:
            self.difference_view.value = _html(difference_table(result),
                                               _caption("difference"))
        elif tab == 3:
            self.unallocated_view.value = (
                _html(unallocated_table(result), _caption("unallocated"))
                if not result.unallocated.empty else explorer_html("all_allocated")
            )
        elif tab == 4:
            self.keys_view.value = self._keys_html(result)
        elif tab == self.SENSITIVITY_TAB:
            self.sensitivity_view.value = self._sensitivity_html(result)
        else:
            self.deflator_view.value = (
                _html(deflator_table(result), _caption("deflator"))
                if not result.deflated.empty else explorer_html("no_deflator"))

    def _keys_html(self, result: ScenarioResult) -> str:
        """The explorer's key against the chosen one, on the whole cost and on the growth."""
        if not self.compare_with.value:
            return explorer_html("no_other_key")
        other = self.key_sets[self.compare_with.value]
        cache_key = (id(result), other.id)
        if self._key_cache is None or self._key_cache[0] != cache_key:
            self._key_cache = (cache_key, both_bases(key_against_key(
                result, other, self.baseline_funding, self.index, check=False), check=False))
        compared = self._key_cache[1]
        year = result.data_years[-1]
        # Both bases in the summary; the chart and tables of the base chosen above (both at
        # once take longer than the 150 ms a change may take).
        comparison = compared[self.key_basis.value]
        title = caption("key_title", other.label, result.scenario.key_set.label,
                        comparison.basis_label)
        return "".join([
            markdown_html(key_basis_markdown(compared, year)),
            key_bars_html(comparison),
            _html(key_comparison_table(comparison), explorer_text("key_table", title)),
            _html(key_comparison_by_unit_table(comparison, year),
                  caption("key_by_unit", title, year)),
        ])

    # typed values, reset and undo
    def _typed_error(self, error: InputError | None) -> None:
        """A bad typed value: its message where the tables were; the slider keeps its
        value, so the next good value recomputes (``None``: the value typed is the slider's
        own, so only the message goes)."""
        if error is None:
            self.refresh()
        else:
            self._show_error(error)

    def reset(self, slider: Any) -> None:
        """One control back to the value the file (or the index file) gave."""
        slider.value = self.defaults[slider]
        if slider is self.efficiency or slider is self.volume:
            self._rate_touched.discard("efficiency_pct" if slider is self.efficiency
                                       else "volume_pct")
        for year, deflator in self.deflator_rates.items():
            if deflator is slider:
                self._deflator_touched.discard(year)
        self.refresh()

    def reset_all(self) -> None:
        """Every choice back to the file that was loaded (what was added goes too)."""
        self._quiet = True
        try:
            s = self.scenario
            self.key_set.value = s.key_set.id
            self._follow_key()
            self.compare_with.value = self._default_compare
            self.extend.value = s.extend_last_year
            self.price_basis.value = s.price_basis
            for slider, value in self.defaults.items():
                slider.value = value
            self.name_box.value = self.description_box.value = ""
        finally:
            self._quiet = False
        self._rate_touched.clear()
        self._deflator_touched.clear()
        self.share_inputs.clear()
        self.custom_shares.clear()
        self.share_help.value = ""
        self.added_investments.clear()
        self.added_additions.clear()
        self._describe_items()
        self._refresh_unknown_cells()
        self._update_enabled()
        self.refresh()

    def _state(self) -> Any:
        """Every choice the reader can change, as one comparable value (for «Angre»)."""
        return (self.key_set.value, self.compare_with.value, self.extend.value,
                self.price_basis.value, tuple(s.value for s in self.defaults),
                tuple(sorted(self._rate_touched)), tuple(sorted(self._deflator_touched)),
                tuple(self.share_inputs.items()), tuple(self.custom_shares),
                tuple(self.added_investments), tuple(self.added_additions))

    def _remember(self) -> None:
        state = self._state()
        if self._last_state is not None and state != self._last_state and not self._restoring:
            self._history.append(self._last_state)
        self._last_state = state
        self.undo_button.disabled = not self._history

    def undo(self) -> None:
        """Back to the choices before the last change."""
        if not self._history:
            return
        state = self._history.pop()
        (key, compare, extend, basis, values, rates, deflators, shares, custom, investments,
         additions) = state
        self._quiet = self._restoring = True
        try:
            self.key_set.value = key
            self._follow_key()
            self.compare_with.value = compare
            self.extend.value, self.price_basis.value = extend, basis
            for slider, value in zip(self.defaults, values, strict=True):
                slider.value = value
            self._rate_touched = set(rates)
            self._deflator_touched = set(deflators)
            self.share_inputs = dict(shares)
            self.custom_shares = list(custom)
            self.added_investments = list(investments)
            self.added_additions = list(additions)
        finally:
            self._quiet = False
        try:
            self._describe_items()
            self._refresh_unknown_cells()
            self._update_enabled()
            self.refresh()
        finally:
            self._restoring = False
            self._last_state = self._state()
            self.undo_button.disabled = not self._history

    def _show_error(self, error: InputError) -> None:
        self.error = error
        self.result = None
        self.message.value = explorer_html("cannot_compute", str(error))
        for view in (self.bills_view, self.totals_view, self.difference_view,
                     self.unallocated_view, self.chart_view, self.keys_view,
                     self.deflator_view, self.sensitivity_view):
            view.value = ""

    def save(self, path: str | Path | None = None) -> Path | None:
        """Write the current choices as a scenario file (atomic). Untouched, the file is the
        one loaded, byte for byte."""
        target = Path(path) if path is not None else Path(self.save_path.value)
        try:
            current = self.current_scenario()
            if (self.scenario.path is not None and self.scenario.path.is_file()
                    and scenario_to_dict(current) == scenario_to_dict(self.scenario)):
                write_bytes(target, self.scenario.path.read_bytes())
                written = target
            else:
                written = save_scenario(current, target)
        except (InputError, WriteError, OSError) as error:
            self.save_status.value = explorer_html("not_saved", str(error))
            return None
        self.save_status.value = explorer_html("saved", str(written))
        from tbu_analysis.scenarios.files import all_scenario_files

        chosen = self.load_file.value  # a file saved to the own folder can be loaded at once
        self.load_file.options = [(_file_label(p), str(p)) for p in all_scenario_files()]
        self.load_file.value = chosen if chosen in {str(p) for p in all_scenario_files()} \
            else None
        return written

    def export(self, folder: str | Path | None = None) -> list[Path]:
        """The scenario as the controls describe it, as the workbook `make scenario` writes
        for it and one CSV file per sheet (for Norwegian Excel), in ``folder`` (default: the
        folder the scenario is saved to)."""
        if self.result is None:
            self.save_status.value = explorer_html("nothing_to_export")
            return []
        folder = Path(folder) if folder is not None else Path(self.save_path.value).parent
        stem = Path(self.save_path.value).stem
        try:
            # the workbook `make scenario` writes for the scenario the controls describe
            sheets = scenario_sheets(self.current_scenario(), self.baseline_funding, self.index)
            written = [write_workbook(sheets, folder / f"{stem}.xlsx"),
                       *write_csv_files(sheets, folder, stem)]
        except (InputError, WriteError, OSError) as error:
            self.save_status.value = explorer_html("not_exported", str(error))
            return []
        self.save_status.value = explorer_html("exported", str(folder), len(written))
        return written


def with_changed_sources(loaded: Scenario, current: Scenario,
                         today: dt.date | None = None, *, name: str = "",
                         description: str = "") -> Scenario:
    """``current`` with «endret i utforskeren, <dato>» as the source of every part that
    differs from ``loaded``; its name and description say what changed (a name or
    description the reader typed is used as typed), so a saved file never keeps a name or
    description that speaks of the key it no longer uses."""
    typed = {key: value.strip() for key, value in (("name", name), ("description", description))
             if value.strip()}
    if scenario_to_dict(current) == scenario_to_dict(loaded):
        return replace(current, **typed)
    date = (today or dt.date.today()).isoformat()
    note = explorer_text("changed_source", date)
    changes: dict[str, Any] = {}
    what = _what_changed(loaded, current)
    key_changed = current.key_set.id != loaded.key_set.id
    if key_changed:
        changes["name"] = explorer_text("changed_key_name", current.key_set.label, loaded.name)
        if len(changes["name"]) > 200:
            changes["name"] = explorer_text("changed_key_name", current.key_set.label,
                                            loaded.name, short=True)
        # The loaded description speaks of the old key: replaced, not extended.
        changes["description"] = explorer_text("changed_key_description", date, loaded.name,
                                               what)
    else:
        changes["name"] = explorer_text("changed_name", loaded.name)[:200]
        said = explorer_text("changed_description", date, what) if what else ""
        changes["description"] = " ".join(p for p in (loaded.description, said) if p)
    if current.index_rates != loaded.index_rates:
        changes["index_source"] = note
    if (current.efficiency_pct, current.volume_pct) != (loaded.efficiency_pct,
                                                        loaded.volume_pct):
        changes["growth_source"] = note
    if current.deflator is not None and loaded.deflator is not None and (
            current.deflator.rates != loaded.deflator.rates):
        changes["deflator"] = replace(current.deflator, source=note)
    if current.investment_share_pct != loaded.investment_share_pct:
        changes["investment_share_source"] = note
    changes.update(typed)
    return replace(current, **changes)


def _what_changed(loaded: Scenario, current: Scenario) -> list[str]:
    """Each changed choice in a few Norwegian words (``explorer.md.j2``: ``changed``), for
    the saved file's description."""
    kinds: list[tuple[str, Any, Any]] = []
    if current.key_set.id != loaded.key_set.id:
        kinds.append(("key_set", current.key_set.label, loaded.key_set.label))
    before, after = (s.compare_with.label if s.compare_with else None
                     for s in (loaded, current))
    if before != after:
        kinds.append(("compare_with", after, before))
    if current.overrides != loaded.overrides:
        kinds.append(("overrides", None, None))
    if current.extend_last_year != loaded.extend_last_year:
        kinds.append(("extend", current.extend_last_year, loaded.extend_last_year))
    if current.price_basis != loaded.price_basis:
        kinds.append(("price_basis", current.price_basis, loaded.price_basis))
    if current.index_rates != loaded.index_rates:
        kinds.append(("index_rates", None, None))
    for attribute in ("efficiency_pct", "volume_pct", "investment_share_pct"):
        old, new = getattr(loaded, attribute), getattr(current, attribute)
        if old != new:
            kinds.append((attribute, _mean_rate(new), _mean_rate(old)))
    if current.investments != loaded.investments or current.additions != loaded.additions:
        kinds.append(("items", None, None))
    if current.deflator != loaded.deflator:
        kinds.append(("deflator", None, None))
    return [explorer_text("changed", kind, new, old) for kind, new, old in kinds]


#: Room around the numbers in the explorer's tables (JupyterLab's default cells are tight).
_TABLE_CSS = ("<style>.tbu-table td, .tbu-table th {padding: 3px 10px;}"
              ".tbu-table caption {text-align: left; font-weight: bold;}</style>")


def _html(table: pd.DataFrame, title: str) -> str:
    return _TABLE_CSS + table_html(table, title)


def _caption(name: str) -> str:
    """A table's caption in a tab (``captions`` in ``explorer.md.j2``)."""
    return str(words("explorer.md.j2", "captions")[name])


_BAR_COLOURS = ("#1f4e79", "#2e75b6", "#9dc3e6", "#c55a11", "#f4b183", "#7f7f7f", "#a9d18e")


def bills_bars_html(result: ScenarioResult) -> str:
    """Each actor group's bill per year as horizontal bars in HTML, drawn by the browser: a
    matplotlib figure takes 250–700 ms per change here, these bars about 1 ms. The report's
    chart stays ``tables.bills_figure``."""
    bills = result.bills[result.bills["group"].isin(GROUPS)
                         | (result.bills["value_mnok"].abs() > 0.05)]
    largest = max(float(bills["value_mnok"].abs().max()), 1e-9)
    years = sorted(bills["year"].unique())
    colour = {year: _BAR_COLOURS[n % len(_BAR_COLOURS)] for n, year in enumerate(years)}
    rows = []
    for group, frame in bills.groupby("group", sort=False):
        bars = "".join(
            f'<div style="display:flex;align-items:center;height:14px">'
            f'<span style="width:40px;font-size:11px">{year}</span>'
            f'<span style="background:{colour[year]};height:11px;'
            f'width:{abs(value) / largest * 320:.1f}px"></span>'
            f'<span style="font-size:11px;padding-left:6px">{format_number(value)}</span></div>'
            for year, value in zip(frame["year"], frame["value_mnok"], strict=True)
        )
        rows.append(f'<div style="display:flex;margin:4px 0"><b style="width:130px;'
                    f'font-size:12px">{html.escape(GROUP_LABELS[group])}</b>'
                    f'<div>{bars}</div></div>')
    title = explorer_html("bills_title", result.price_label)
    return f'<div><div style="font-weight:bold;margin:8px 0 4px">{title}</div>' + \
        "".join(rows) + "</div>"


def tornado_html(title: str, base: float, swings: Any) -> str:
    """The tornado as bars drawn by the browser: each input's bill at its low and high value
    around the scenario's bill (the line), widest first; the values and sources beside it."""
    ends = [v for s in swings for v in (s.low_mnok, s.high_mnok)] + [base]
    lo, hi = min(ends), max(ends)
    span = (hi - lo) or 1.0

    def x(value: float) -> float:
        return (value - lo) / span * 300

    rows = []
    for s in swings:
        left, right = sorted((x(s.low_mnok), x(s.high_mnok)))
        bar = (f'<div style="position:relative;width:310px;height:14px">'
               f'<div style="position:absolute;left:{x(base):.1f}px;top:0;width:1px;'
               f'height:14px;background:#000"></div>'
               f'<div style="position:absolute;left:{left:.1f}px;top:2px;'
               f'width:{max(right - left, 1):.1f}px;height:10px;background:{_BAR_COLOURS[1]}">'
               f"</div></div>")
        note = f" ({html.escape(s.note)})" if s.note else ""
        rows.append(
            f'<tr><td style="font-size:12px">{html.escape(s.label)}</td><td>{bar}</td>'
            f'<td style="font-size:11px;white-space:nowrap">{html.escape(s.low_text)}: '
            f"{format_number(s.low_mnok)}; {html.escape(s.high_text)}: "
            f"{format_number(s.high_mnok)}{note}</td>"
            f'<td style="font-size:10px">'
            f'{explorer_html("tornado_sources", s.low_source, s.high_source)}</td></tr>')
    return (f'<div style="font-weight:bold;margin:8px 0 4px">{html.escape(title)}</div>'
            f'<table class="tbu-table">{"".join(rows)}</table>{explorer_html("tornado_note")}')


def key_bars_html(comparison: Any) -> str:
    """Key against key as bars drawn by the browser: per actor group and year, both keys'
    bills and the difference (about 1 ms; the report's chart is
    ``tables.key_comparison_figure``)."""
    frame = comparison.frame
    groups = key_chart_groups(comparison)
    rows_of: dict[str, list[tuple[int, float, float, float]]] = {g: [] for g in groups}
    for unit, group, year, a, b, d in zip(
            frame["unit"].tolist(), frame["group"].tolist(), frame["year"].tolist(),
            frame["first_mnok"].tolist(), frame["second_mnok"].tolist(),
            frame["difference_mnok"].tolist(), strict=True):
        if unit == ALL_UNITS and group in rows_of:
            rows_of[group].append((year, a, b, d))
    largest = max([abs(v) for rows in rows_of.values() for _y, a, b, _d in rows
                   for v in (a, b)] or [0.0]) or 1e-9
    first = comparison.first.scenario.key_set.label
    second = comparison.second.scenario.key_set.label
    colours = (_BAR_COLOURS[0], _BAR_COLOURS[3])
    legend = "".join(
        f'<span style="display:inline-block;width:10px;height:10px;background:{colour};'
        f'margin:0 4px 0 12px"></span>{html.escape(label)}'
        for colour, label in zip(colours, (first, second), strict=True))
    blocks = []
    for group in groups:
        lines = []
        for year, a, b, d in sorted(rows_of[group]):
            bars = "".join(
                f'<div style="height:7px;background:{colour};'
                f'width:{abs(value) / largest * 260:.1f}px"></div>'
                for colour, value in zip(colours, (a, b), strict=True))
            lines.append(
                f'<div style="display:flex;align-items:center;margin:1px 0">'
                f'<span style="width:40px;font-size:11px">{year}</span>'
                f'<div style="width:270px">{bars}</div>'
                f'<span style="font-size:11px;width:150px">{format_number(a)} / '
                f'{format_number(b)}</span>'
                f'<span style="font-size:11px">{explorer_html("key_bars_difference", d)}'
                f'</span></div>')
        blocks.append(f'<div style="margin:6px 0"><b style="font-size:12px">'
                      f'{html.escape(GROUP_LABELS[group])}</b>{"".join(lines)}</div>')
    title = explorer_html("key_bars_title", second, first, comparison.basis_label)
    return (f'<div><div style="font-weight:bold;margin:8px 0 4px">{title}</div>'
            f'<div style="font-size:11px">{legend}</div>{"".join(blocks)}</div>')


def _typed_box(slider: Any, decimals: int, on_error: Any) -> Any:
    """A text box beside ``slider``: shows its value in Norwegian (4,121), and a number typed
    there (decimal comma or point, «%» allowed) moves the slider; a value that is no number
    or lies outside the slider's range goes to ``on_error`` and moves nothing."""
    box = w.Text(value=format_number(slider.value, decimals), continuous_update=False,
                 layout=w.Layout(width="80px"))
    showing = {"busy": False}

    def from_slider(change: Any) -> None:
        showing["busy"] = True
        try:
            box.value = format_number(change["new"], decimals)
        finally:
            showing["busy"] = False

    def from_box(change: Any) -> None:
        if showing["busy"]:
            return
        text = change["new"]
        label = slider.description
        try:
            parsed = parse_number(text.replace("%", "").strip())
        except (InputError, ValueError) as error:
            on_error(InputError(f"ikke et tall ({error})", key=label, text=text))
            return
        if parsed.value is None:
            on_error(InputError("skriv et tall, f.eks. 3,5", key=label, text=text))
            return
        value = float(parsed.value)
        if not slider.min <= value <= slider.max:
            on_error(InputError(f"må ligge mellom {format_number(slider.min, decimals)} og "
                                f"{format_number(slider.max, decimals)}", key=label,
                                text=text))
            return
        if value == slider.value:
            from_slider({"new": value})  # shown as the slider has it (3 → 3,0)
            on_error(None)
            return
        slider.value = value

    slider.observe(from_slider, names="value")
    box.observe(from_box, names="value")
    return box


def _outside(override: Override, unit: str, span: YearSpan) -> list[Override]:
    """The parts of a custom share ``override`` outside ``unit``'s ``span`` (for another
    solution: all of it), so a key set for some years replaces only those years."""
    if override.unit != unit or not override.span.overlaps(span):
        return [override]
    pieces = []
    if override.span.first is None or (span.first is not None
                                       and override.span.first < span.first):
        pieces.append(YearSpan(override.span.first, span.first - 1))
    if span.last is not None and (override.span.last is None or override.span.last > span.last):
        pieces.append(YearSpan(span.last + 1, override.span.last))
    return [replace(override, span=piece,
                    keypath=f"utforsker.egen_nøkkel.{override.unit}.{piece.label}")
            for piece in pieces]


def _share_label(value: Any) -> str:
    """A typed share as the reader typed it: a number in Norwegian, «ukjent» or «rest»."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return f"{format_number(value, 2)} %"
    return f"«{value}»"


def _plain(value: float) -> str:
    return f"{value:g}".replace(".", ",")


def _mean_rate(rate: Any) -> float:
    if isinstance(rate, Mapping):
        values = [float(v) for v in rate.values()]
        return sum(values) / len(values) if values else 0.0
    value = float(rate)
    return 0.0 if math.isnan(value) else value


def _shown_path(path: Path | None) -> str:
    """A project file as a reader finds it: relative to the project root."""
    from tbu_analysis.config import project_root

    if path is None:
        return explorer_label("index_file")
    try:
        return path.resolve().relative_to(project_root()).as_posix()
    except ValueError:
        return str(path)


def _file_label(path: Path) -> str:
    """A scenario file as the list shows it: its name, and «egen» for the economist's own."""
    own = user_scenario_dir()
    return (explorer_text("own_file", path.name, own) if path.parent == own
            else f"scenarios/{path.name}")


def _default_save_path(scenario: Scenario) -> Path:
    """In the user's own folder (outside git), named after the loaded file."""
    stem = scenario.path.stem if scenario.path is not None else "scenario"
    return user_scenario_dir() / f"{stem}-eget.yml"


def show_explorer(
    baseline_funding: pd.DataFrame,
    index: PriceIndex,
    scenario: Scenario,
    interactive: bool = True,
) -> ScenarioExplorer | None:
    """Show the explorer in a notebook; a headless run (``interactive=False``) skips it."""
    if not interactive:
        show_markdown(explorer_text("not_interactive"))
        return None

    explorer = ScenarioExplorer(baseline_funding, index, scenario)
    display(explorer.widget)
    return explorer
