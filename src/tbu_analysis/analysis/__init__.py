"""Stage 2, analysis: ``figures.csv`` → levels, growth, drivers and reconciliation.

In: the cleaned figures of a round, the manifest, the round's index rates
(``data/raw/<round>/index.csv``) or a run's own, the claims, findings and scope registers.
Out: ``levels.csv``, ``growth.csv``,
``drivers.csv``, ``reconciliation.csv``, ``underlying.csv`` and the round's workbook.
``indexing`` chains index rates, ``series`` picks one figure per quantity, ``growth`` computes
change and drivers, ``scope`` splits growth into index, scope changes and underlying growth,
``tolerance`` tells rounding from error, ``reconciliation`` and ``claims`` check the source
against itself, and ``analyse`` runs it all for a round.
"""
