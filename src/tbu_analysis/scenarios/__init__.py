"""Beside the stages, scenarios: a round's funding need → each actor group's bill.

In: the cleaned round (the primary overview's funding need, ``series.funding_by_unit``), a
scenario file (``scenarios/*.yml``), cost-sharing keys (``data/raw/cost_sharing/*.yaml``) and
index rates (the round's ``data/raw/<round>/index.csv``, replaced year by year by the
scenario's own).
Out: a :class:`~tbu_analysis.scenarios.model.ScenarioResult` with every step shown (tables of
bills per actor group, per solution, against the baseline and the deflator), the scenario
PDF rendered from ``notebooks/03_scenarios.ipynb`` and the explorer in that notebook.

- ``model``: what a scenario and its result are (frozen dataclasses);
- ``files``: reading, checking and saving scenario files, finding a round's baseline;
- ``keys``: cost-sharing keys, their shares per solution, year and actor group;
- ``projection``: ``compute`` in named steps (restate, project, convert, allocate, compare,
  deflate);
- ``tables``: the tables and charts the report and the explorer share;
- ``explorer``: the ipywidgets explorer only;
- ``labels``: every Norwegian word the scenarios show.
"""
