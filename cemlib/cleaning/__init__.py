"""Clean the X-VOC: every input row ends in exactly one place, the clean table or the rejects.

Each rule has a reason code and a parameter (``params.yaml`` → ``clean``). Rules that reject a
row are listed in :data:`REJECT_RULES` in the order they are applied: a row failing several
is rejected for the first, and the others are named in its ``detail``. Rules that repair a
value (Unicode normalisation, out-of-range answers set missing, scale harmonisation, redaction)
are counted as ``fixes``. Sources of the survey-quality rules: Meade & Craig (2012), "Identifying
careless responses in survey data", Psychological Methods 17(3) — long-string index, attention
checks; Greszki, Meyer & Schoen (2015), "Exploring the effects of removing 'too fast'
responses", Public Opinion Quarterly 79(2) — speeders relative to the median duration.

Modules:

* :mod:`cemlib.cleaning.rules` -- the reject rules, their order and parameters, one detector each.
* :mod:`cemlib.cleaning.values` -- reading and repairing values (ids, Unicode, types, dates,
  channels, answer scales, free text).
* :mod:`cemlib.cleaning.table` -- :func:`clean_table`: one table through every rule.
* :mod:`cemlib.cleaning.folder` -- :func:`clean_folder`: a whole input folder, the checks it does
  not allow (:func:`skipped_checks`) and :func:`write_outputs`.
* :mod:`cemlib.cleaning.quality` -- ``quality.json`` and its tables, codebook gaps.

How well each rule finds the defects a synthetic world planted: :mod:`cemlib.stages.recovery`.
"""

from __future__ import annotations

from cemlib.cleaning.folder import CleanResult, clean_folder, skipped_checks, write_outputs
from cemlib.cleaning.quality import (
    codebook_gaps,
    fixes_table,
    quality_summary,
    quality_table,
)
from cemlib.cleaning.rules import DEFAULT_PARAMS, REJECT_RULES, longest_run
from cemlib.cleaning.table import FREE_TEXT, TableResult, clean_table
from cemlib.cleaning.values import (
    canonical_customer_id,
    clean_text,
    harmonise_items,
    normalise_channel,
    normalise_strings,
    parse_datetimes,
    parse_values,
)

__all__ = [
    "DEFAULT_PARAMS",
    "FREE_TEXT",
    "REJECT_RULES",
    "CleanResult",
    "TableResult",
    "canonical_customer_id",
    "clean_folder",
    "clean_table",
    "clean_text",
    "codebook_gaps",
    "fixes_table",
    "harmonise_items",
    "longest_run",
    "normalise_channel",
    "normalise_strings",
    "parse_datetimes",
    "parse_values",
    "quality_summary",
    "quality_table",
    "skipped_checks",
    "write_outputs",
]
