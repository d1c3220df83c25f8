"""Tell rounding from real errors: tolerances follow the printed precision of every figure.

A printed figure with d decimals may differ from its exact value by half a unit in its last
digit (0,05 for one decimal, 0,5 for integers). A sum of printed parts compared with a printed
total may therefore be off by the half-units of all the parts plus that of the total; a ratio
propagates the half-units of numerator and denominator. Anything beyond is a discrepancy.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

from tbu_analysis.vocab import Status

# Plain strings, so that frames hold str: the codes are the vocabulary's.
OK, ROUNDING, DISCREPANCY = Status.OK.value, Status.ROUNDING.value, Status.DISCREPANCY.value

# One row per check, whoever makes it (the reconciliation of the tables, or the claims).
CHECK_COLUMNS = [
    "check_id", "check_type", "table", "table_number", "solution", "item", "check", "computed",
    "printed", "difference", "tolerance", "status", "involves_correction", "message", "section",
    "quote",
]
_EPSILON = 1e-9


def half_unit(decimals: int) -> float:
    return 0.5 * 10 ** (-int(decimals))


def round_half_up(value: float, decimals: int) -> float:
    quantum = Decimal(1).scaleb(-int(decimals))
    return float(Decimal(repr(value)).quantize(quantum, rounding=ROUND_HALF_UP))


def sum_tolerance(part_decimals: Iterable[int], result_decimals: int) -> float:
    return sum(half_unit(d) for d in part_decimals) + half_unit(result_decimals)


def ratio_tolerance(numerator: float, numerator_error: float, denominator: float,
                    denominator_error: float, result_decimals: int) -> float:
    """Tolerance of 100 × numerator / denominator printed with ``result_decimals``."""
    if denominator == 0:
        return float("inf")
    spread = 100 * (numerator_error / abs(denominator)
                    + abs(numerator) * denominator_error / denominator**2)
    return spread + half_unit(result_decimals)


def classify(computed: float, printed: float, printed_decimals: int, tolerance: float) -> str:
    if round_half_up(computed, printed_decimals) == round_half_up(printed, printed_decimals):
        return OK
    # Strict: two half-up roundings of consistent values differ by less than the half-units.
    if abs(computed - printed) < tolerance - _EPSILON:
        return ROUNDING
    return DISCREPANCY
