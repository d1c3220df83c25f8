"""What the reports and the scenarios both show readers: charts (``charts``), tables
(``tables``) and the shipped font (``fonts``). Below both, above the analysis; it knows no
report and no scenario."""
