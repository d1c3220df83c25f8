"""Stage 1, reading and cleaning a round: ``data/raw/<round>/`` → ``data/processed/<round>/``.

In: the raw tables exactly as printed (``tables/*.tsv``), the manifest saying what each table
and column is, the names map and the corrections register. Out: ``figures.csv`` (one row per
printed number, checked by the schema in ``schema``), ``corrections_applied.csv`` and
``clean_log.csv``. ``numbers`` parses Norwegian numbers, ``raw_tables`` reads cells,
``names`` maps spellings to canonical names, ``manifest`` and ``corrections`` read their
registers, ``cleaning`` turns it all into figures and ``pipeline`` writes them.
"""
