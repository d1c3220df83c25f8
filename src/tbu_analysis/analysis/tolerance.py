"""Tell rounding from real errors: tolerances follow the printed precision of every figure.

A printed figure with d decimals may differ from its exact value by half a unit in its last
digit (0,05 for one decimal, 0,5 for integers). A sum of printed parts compared with a printed
total may therefore be off by the half-units of all the parts plus that of the total; a ratio
propagates the half-units of numerator and denominator. Anything beyond is a discrepancy.

Worst cases almost never happen: rounding errors add up like independent uniform errors, so a
sum of n figures rounded to half-unit h_i has standard deviation sqrt(Σ h_i² / 3). A difference
within the worst case but more than ``UNLIKELY_SIGMAS`` such deviations from zero (by chance
about 1 in 20) is «usannsynlig avrunding»: possible, but a question to put to the source.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

from tbu_analysis.vocab import Status

# Plain strings, so that frames hold str: the codes are the vocabulary's.
OK, ROUNDING, DISCREPANCY = Status.OK.value, Status.ROUNDING.value, Status.DISCREPANCY.value
UNLIKELY = Status.UNLIKELY.value
# Two standard deviations of the summed uniform rounding errors: about 1 in 20 by chance.
UNLIKELY_SIGMAS = 2.0

# One row per check, whoever makes it (the reconciliation of the tables, or the claims).
CHECK_COLUMNS = [
    "check_id", "check_type", "table", "table_number", "solution", "item", "check", "computed",
    "printed", "difference", "tolerance", "status", "involves_correction", "message", "section",
    "quote", "spread",
]
_EPSILON = 1e-9


def half_unit(decimals: int) -> float:
    return 0.5 * 10 ** (-int(decimals))


def round_half_up(value: float, decimals: int) -> float:
    quantum = Decimal(1).scaleb(-int(decimals))
    return float(Decimal(repr(value)).quantize(quantum, rounding=ROUND_HALF_UP))


def sum_tolerance(part_decimals: Iterable[int], result_decimals: int) -> float:
    return sum(half_unit(d) for d in part_decimals) + half_unit(result_decimals)


def sum_spread(part_decimals: Iterable[int], result_decimals: int) -> float:
    """Standard deviation of a sum's rounding error: each printed figure is off by a uniform
    error on ±half a unit (variance h²/3), independent of the others."""
    halves = [half_unit(d) for d in [*part_decimals, result_decimals]]
    return math.sqrt(sum(h * h for h in halves) / 3)


def ratio_spread(numerator: float, numerator_spread: float, denominator: float,
                 denominator_spread: float, result_decimals: int) -> float:
    """Standard deviation of 100 × numerator / denominator printed with ``result_decimals``,
    to first order."""
    if denominator == 0:
        return float("inf")
    relative = math.hypot(100 * numerator_spread / abs(denominator),
                          100 * abs(numerator) * denominator_spread / denominator**2)
    return math.hypot(relative, half_unit(result_decimals) / math.sqrt(3))


def sigmas(difference: float, spread: float) -> float:
    """How many standard deviations of rounding the difference is."""
    return abs(difference) / spread if spread > 0 else float("inf")


def refine(status: str, difference: float, spread: float) -> str:
    """A «rounding» whose difference is beyond ``UNLIKELY_SIGMAS`` deviations is unlikely."""
    if status == ROUNDING and sigmas(difference, spread) > UNLIKELY_SIGMAS:
        return UNLIKELY
    return status


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
