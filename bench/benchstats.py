"""What the benchmark scripts in bench/ share: the percentile the benchmark itself reports (Results.java)."""
import math


def nearest_rank(values, p):
    """The nearest-rank percentile p (0-100) of values, as the benchmark's results files compute it; NaN if none."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)] if ordered else float("nan")
