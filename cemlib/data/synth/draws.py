"""Small helpers shared by the simulators: random picks, categorical and Beta draws, the
observation window and its timestamps."""

from __future__ import annotations

import numpy as np

__all__ = [
    "beta_mean",
    "choice_rows",
    "half_year_wave",
    "iso_datetimes",
    "observation_window",
    "pick_str",
    "random_digits",
]


def pick_str(rng: np.random.Generator, options) -> str:
    """One element of a tuple of strings."""
    return options[int(rng.integers(len(options)))]


def random_digits(rng: np.random.Generator, k: int, first: str = "0123456789") -> str:
    """k random decimal digits, the first drawn from ``first``."""
    if k <= 0:
        return ""
    head = first[int(rng.integers(len(first)))]
    return head + "".join(str(d) for d in rng.integers(0, 10, k - 1))


def observation_window(start: str, end: str) -> tuple[np.datetime64, int]:
    """First day of the window and its length in days (``end`` inclusive)."""
    first, last = np.datetime64(start, "D"), np.datetime64(end, "D")
    if last < first:
        raise ValueError(f"end {end} is before start {start}")
    return first, int((last - first).astype(int)) + 1


def choice_rows(rng: np.random.Generator, probs: np.ndarray) -> np.ndarray:
    """One categorical draw per row of a matrix of probabilities."""
    cum = np.cumsum(probs, axis=1)
    u = rng.random(len(probs))[:, None] * cum[:, -1:]
    return np.minimum((u > cum).sum(axis=1), probs.shape[1] - 1)


def beta_mean(rng: np.random.Generator, mean: np.ndarray, conc: float) -> np.ndarray:
    """Beta draws parameterised by mean and concentration."""
    return rng.beta(mean * conc, (1 - mean) * conc)


def iso_datetimes(seconds: np.ndarray, first: np.datetime64) -> np.ndarray:
    """ISO datetimes (``YYYY-MM-DDTHH:MM:SS``) from seconds since the window start."""
    return np.datetime_as_string(np.datetime64(first, "s") + seconds.astype(np.int64), unit="s")


def half_year_wave(iso: np.ndarray) -> np.ndarray:
    """Half-year wave label (``2024H1``) of ISO datetimes."""
    year = np.array([s[:4] for s in iso])
    half = np.where(np.array([int(s[5:7]) for s in iso]) <= 6, "H1", "H2")
    return np.char.add(year, half)
