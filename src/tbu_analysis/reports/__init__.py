"""Stage 3, reports: analysis results → the PDFs a committee reads.

``execute`` runs the round's notebooks with papermill in one kernel and hands executed
notebooks to ``render`` (nbconvert HTML with the project's print template, then WeasyPrint).
The notebooks call ``context`` for every number they show, ``views`` for tables with
Norwegian headings, ``narrative`` for sentences and ``presentation.charts`` for figures.
"""
