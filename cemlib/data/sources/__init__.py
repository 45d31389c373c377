"""Bundled real data sets, mapped faithfully into the X-VOC data model (docs/data-model.md).

Synthetic data proves the methods recover what was planted; real data proves the pipeline copes
with what researchers actually hold: one table and not another, odd scales, short histories, real
collinearity. Every data set here installs with a package and needs no network at run time.

``ingest.source: NAME`` selects one of :data:`SOURCES`. Each adapter is a pure function of the
data set as its package ships it (``raw``; loaded from the installed package when omitted) and
returns a :class:`SourceData`: the data-model tables, the codebook (when there is a survey),
labels kept for validation only, and a provenance note (citation, licence, and one sentence per
derivation, assumption or limitation). :func:`write_source` writes them in the data-model file
formats.

================================  ===========================================================
source                            tables
================================  ===========================================================
``attitude``                      responses (30 departments) + codebook
``cms_patient_experience``        responses (95 medical groups) + codebook
``cdnow``                         transactions (6,919 purchases of 2,357 customers)
``telco_churn``                   customers (7,043) + derived monthly bills; churn kept apart
``cracker``                       transactions (3,292 purchase occasions of 136 households)
``fine_food_reviews``             feedback (992 Amazon reviews, 5 stars or not; no dates)
================================  ===========================================================

References
----------
Chatterjee, S. & Price, B. (1977). *Regression Analysis by Example*. New York: Wiley
(Section 3.7).

Centers for Medicare & Medicaid Services. Doctors and Clinicians Quality Payment Program, PY 2020
virtual group public reporting (CAHPS for MIPS). https://data.cms.gov, as shipped in the R package
tidyr (Wickham, Vaughan & Girlich).

Fader, P. S., Hardie, B. G. S. & Lee, K. L. (2005). "Counting your customers" the easy way: an
alternative to the Pareto/NBD model. *Marketing Science* 24(2), 275–284.

IBM Watson Analytics sample data: Telco customer churn (2018), as shipped in the R package
modeldata (Kuhn).

Jain, D. C., Vilcassim, N. J. & Chintagunta, P. K. (1994). A random-coefficients logit
brand-choice model applied to panel data. *Journal of Business & Economic Statistics* 12(3),
317–328, as shipped in the R package Ecdat (Croissant & Graves).

McAuley, J. J. & Leskovec, J. (2013). From amateurs to connoisseurs: modeling the evolution of
user expertise through online reviews. *Proceedings of the 22nd International Conference on World
Wide Web* (WWW '13), 897–908. Amazon Fine Food Reviews (Stanford Network Analysis Project,
https://snap.stanford.edu/data/web-FineFoods.html), as shipped in the R package modeldata (Kuhn;
``small_fine_foods``, ``testing_data``).

Paap, R. & Franses, P. H. (2000). A dynamic multinomial probit model for brand choices with
different short-run effects of marketing-mix variables. *Journal of Applied Econometrics* 15(6),
717–744.
"""

from __future__ import annotations

from collections.abc import Callable

from cemlib.data.sources.base import (
    VALIDATION_DIR,
    SourceData,
    provenance_record,
    write_no_truth,
    write_source,
)
from cemlib.data.sources.panels import (
    CRACKER_BRANDS,
    PANEL_DAYS,
    PANEL_START,
    brand_choice_panel,
    cracker,
    place_occasions,
)
from cemlib.data.sources.reviews import (
    REVIEW_RATING,
    REVIEW_RATING_SCALE,
    fine_food_reviews,
    seen_in_training,
)
from cemlib.data.sources.surveys import (
    ATTITUDE_ITEMS,
    CMS_OUTCOME,
    attitude,
    cms_patient_experience,
)
from cemlib.data.sources.transactions import (
    TELCO_LAST_BILL,
    TELCO_PROFILE,
    cdnow,
    monthly_bills,
    telco_churn,
)

__all__ = [
    "ATTITUDE_ITEMS",
    "CMS_OUTCOME",
    "CRACKER_BRANDS",
    "PANEL_DAYS",
    "PANEL_START",
    "REVIEW_RATING",
    "REVIEW_RATING_SCALE",
    "SOURCES",
    "TELCO_LAST_BILL",
    "TELCO_PROFILE",
    "VALIDATION_DIR",
    "attitude",
    "brand_choice_panel",
    "cdnow",
    "cms_patient_experience",
    "cracker",
    "fine_food_reviews",
    "monthly_bills",
    "place_occasions",
    "provenance_record",
    "seen_in_training",
    "SourceData",
    "telco_churn",
    "write_no_truth",
    "write_source",
]

# The registry: `ingest.source: NAME` in params.yaml

SOURCES: dict[str, Callable[..., SourceData]] = {
    "attitude": attitude,
    "cms_patient_experience": cms_patient_experience,
    "cdnow": cdnow,
    "telco_churn": telco_churn,
    "cracker": cracker,
    "fine_food_reviews": fine_food_reviews,
}
