"""cemlib: customer-experience research on voice-of-the-customer data.

``import cemlib as cx`` gives the functions a researcher calls on a DataFrame of their own; each
takes column names as arguments and returns a tidy DataFrame (or a fitted estimator with
scikit-learn conventions), and is the very computation the pipeline's stages run.

Data in
    :func:`read_folder`, :func:`clean`, :func:`redact_pii`
How customers feel
    :func:`nps`, :func:`top_box`, :func:`cronbach_alpha`, :func:`emotion_curve`
What drives advocacy
    :func:`relative_importance` (``lmg``, ``relative_weight``, ``pratt``, ``beta``,
    ``correlation``), :func:`importance_performance`, :func:`kano`, :func:`cei_bei_map`
Who matters
    :func:`rfm_summary`, :class:`BetaGeoFitter`, :class:`GammaGammaFitter`,
    :class:`ShiftedBetaGeometricFitter`, :func:`customer_lifetime_value`, :func:`archetypes`
What customers say
    :func:`sentiment`, :func:`code_themes`, :func:`discover_themes`

The sub-packages show the architecture (``docs/architecture.md``): :mod:`cemlib.data` (the data
model, reading, the synthetic world and the bundled real data sets), :mod:`cemlib.cleaning`,
:mod:`cemlib.text`, :mod:`cemlib.stats` (LMG, weights, bootstrap, lifetime models, mixtures),
:mod:`cemlib.cx` (metrics, drivers, priorities, segments), :mod:`cemlib.stages` (what each stage
runs, skips and writes) and :mod:`cemlib.report` (figures and the whitepaper).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

__version__ = "0.2.0"

# name -> module defining it. Imported on first use (PEP 562), so `import cemlib.config` (every
# stage notebook) stays light and a stage depends only on the modules it really runs.
_EXPORTS = {
    "BetaGeoFitter": "cemlib.stats.lifetime",
    "CleanResult": "cemlib.cleaning.folder",
    "GammaGammaFitter": "cemlib.stats.lifetime",
    "RawFolder": "cemlib.data.io",
    "ShiftedBetaGeometricFitter": "cemlib.stats.lifetime",
    "XVOCError": "cemlib.errors",
    "archetypes": "cemlib.cx.segments.pipeline",
    "cei_bei_map": "cemlib.cx.analyses",
    "clean": "cemlib.cleaning.folder",
    "code_themes": "cemlib.text.codeframe",
    "cronbach_alpha": "cemlib.cx.metrics",
    "customer_lifetime_value": "cemlib.stats.lifetime",
    "discover_themes": "cemlib.text.discover",
    "emotion_curve": "cemlib.cx.analyses",
    "importance_performance": "cemlib.cx.analyses",
    "kano": "cemlib.cx.analyses",
    "nps": "cemlib.cx.metrics",
    "read_folder": "cemlib.data.io",
    "redact_pii": "cemlib.text",
    "relative_importance": "cemlib.cx.drivers.analysis",
    "rfm_summary": "cemlib.stats.lifetime",
    "sentiment": "cemlib.text.sentiment",
    "top_box": "cemlib.cx.metrics",
}
__all__ = [
    "BetaGeoFitter",
    "CleanResult",
    "GammaGammaFitter",
    "RawFolder",
    "ShiftedBetaGeometricFitter",
    "XVOCError",
    "archetypes",
    "cei_bei_map",
    "clean",
    "code_themes",
    "cronbach_alpha",
    "customer_lifetime_value",
    "discover_themes",
    "emotion_curve",
    "importance_performance",
    "kano",
    "nps",
    "read_folder",
    "redact_pii",
    "relative_importance",
    "rfm_summary",
    "sentiment",
    "top_box",
]

if TYPE_CHECKING:  # the same names, for type checkers and IDEs (a test keeps the three lists equal)
    from cemlib.cleaning.folder import CleanResult, clean
    from cemlib.cx.analyses import cei_bei_map, emotion_curve, importance_performance, kano
    from cemlib.cx.drivers.analysis import relative_importance
    from cemlib.cx.metrics import cronbach_alpha, nps, top_box
    from cemlib.cx.segments.pipeline import archetypes
    from cemlib.data.io import RawFolder, read_folder
    from cemlib.errors import XVOCError
    from cemlib.stats.lifetime import (
        BetaGeoFitter,
        GammaGammaFitter,
        ShiftedBetaGeometricFitter,
        customer_lifetime_value,
        rfm_summary,
    )
    from cemlib.text import redact_pii
    from cemlib.text.codeframe import code_themes
    from cemlib.text.discover import discover_themes
    from cemlib.text.sentiment import sentiment


def __getattr__(name: str) -> object:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'cemlib' has no attribute {name!r}")
    value = getattr(importlib.import_module(_EXPORTS[name]), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_EXPORTS})
