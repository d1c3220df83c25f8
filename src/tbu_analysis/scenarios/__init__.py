"""Beside the stages, scenarios: a round's funding need → each actor group's bill.

In: the cleaned round (the primary overview's funding need), a scenario file
(``scenarios/*.yml``), cost-sharing keys (``data/raw/cost_sharing/*.yaml``) and index rates.
Out: a :class:`ScenarioResult` with every step shown, tables and charts for the explorer in
``notebooks/03_scenarios.ipynb`` and the scenario PDF. ``keys`` reads cost-sharing keys,
``scenario`` reads, computes and saves scenarios, ``explorer`` is the interactive explorer.
"""
