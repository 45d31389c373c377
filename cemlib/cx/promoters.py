"""The promoter rule of the Net Promoter Score, in one place.

Promoters answer 9–10 on the 0–10 likelihood-to-recommend question, detractors 0–6 (Reichheld
2003); on any other scale the same fractions of the range. NPS (:mod:`cemlib.cx.metrics`), the
promoter-vs-not driver model (:mod:`cemlib.cx.drivers`) and the synthetic world's planted NPS
(:mod:`cemlib.data.synth`) all use it. A module of its own, free of heavy imports, so the
generator can use it without loading scipy.

References
----------
Reichheld, F. (2003). The one number you need to grow. *Harvard Business Review* 81(12), 46–54.
"""

from __future__ import annotations

__all__ = ["DETRACTOR_MAX", "NPS_SCALE", "PROMOTER_MIN", "detractor_max", "promoter_min"]

NPS_SCALE = (0.0, 10.0)  # the likelihood-to-recommend question (Reichheld 2003)


def promoter_min(scale: tuple[float, float] = NPS_SCALE) -> float:
    """Lowest promoter answer: 9 on the 0–10 NPS scale, the top tenth of any other scale.

    The one promoter rule of the project: NPS, the promoter-vs-not driver model and the
    synthetic world's planted NPS all call it.

    Examples
    --------
    >>> promoter_min(), promoter_min((1, 5))
    (9.0, 4.6)
    """
    low, high = scale
    return low + 0.9 * (high - low)


def detractor_max(scale: tuple[float, float] = NPS_SCALE) -> float:
    """Highest detractor answer: 6 on the 0–10 NPS scale (Reichheld 2003), the same fraction of
    any other scale.

    Examples
    --------
    >>> detractor_max()
    6.0
    """
    low, high = scale
    return low + 0.6 * (high - low)


PROMOTER_MIN, DETRACTOR_MAX = promoter_min(), detractor_max()
