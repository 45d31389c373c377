r"""Customer segments: value × loyalty archetypes, natural clusters, profiles and treatments.

The question a CX director asks is *who are our strategic customers, who are the butterflies, and
what should we stop and start doing for each?* Reinartz & Kumar (2002) place customers on two
behavioural axes, **profitability** × **projected relationship duration**, and name the quadrants:

================  ==================  =====================  ==========================
archetype         value               loyalty (duration)     Reinartz & Kumar's name
================  ==================  =====================  ==========================
``strategic``     high                long                   true friends
``butterfly``     high                short                  butterflies
``barnacle``      low                 long                   barnacles
``stranger``      low                 short                  strangers
================  ==================  =====================  ==========================

Survey attitudes (would recommend, treats us as the standard, pays a premium, helps improve) are
a *third*, attitudinal axis — Dick & Basu (1994) cross relative attitude with repeat patronage
(loyalty, latent, spurious, no loyalty) — and never replace the two behavioural axes here; they
are carried as features (``ltr``, the loyalty items, ``emotional_loyalty``) for that grid.

Pipeline of :func:`segment_customers` (:mod:`.pipeline`)
--------------------------------------------------------
1. :func:`customer_features` (:mod:`.features`) — vectorised per-customer features from
   transactions (recency, purchase occasions, spend, margin net of cost to serve, tenure,
   regularity, promo share, brand switching where a ``brand`` column exists) and from linked
   surveys.
2. :func:`detect_business_model` (:mod:`.contractual`) — contractual (bills on one cycle) or
   non-contractual, from the data or as set (``business_model``), with the reason.
3. :func:`lifetime_columns` (:mod:`.lifetime_columns`) — BG/NBD and Gamma-Gamma
   (:mod:`cemlib.stats.lifetime`): probability alive, expected purchases over a horizon, expected
   spend, discounted margin CLV, the purchase rate while active and the projected active time;
   for a contractual base :func:`contractual_columns`, the same columns from the
   shifted-beta-geometric model (Fader & Hardie 2007, 2010).
4. :func:`score_customers` (:mod:`.scores`) — ``value_score`` (annual contribution while active)
   and ``loyalty_score`` (projected relationship duration: observed behaviour first — recency
   against the customer's own rhythm, tenure, deal-proneness — the lifetime model second, with a
   weight set by its diagnostics), both z-scores.
5. :func:`assign_archetypes` (:mod:`.grid`) — quadrant of the grid, each axis cut at the median
   boundary of two-component Gaussian mixtures fitted on bootstrap resamples (or medians, or
   numbers), ``archetype_confidence``, ``archetype_agreement`` and ``thin_history``.
6. :func:`cluster_customers` (:mod:`.clusters`) — Gaussian mixtures on the standardised features,
   number of clusters by BIC, clusters named by where they sit on the grid, bootstrap stability
   (ARI).
7. :func:`profile_segments` and :func:`treatment` (:mod:`.profiles`, :mod:`.grid`) — what
   each group is worth and what to do.

:func:`cemlib.stages.recovery.archetype_recovery` compares the archetypes with what the synthetic
world planted. What the stage can run on the tables at hand (:func:`plan_stage`), its empty
result tables, the holdout check and the brand table live in :mod:`cemlib.stages.segments_plan`
and are re-exported here.

References
----------
Batislam, E. P., Denizel, M. & Filiztekin, A. (2007). Empirical validation and comparison of
models for customer base analysis. *International Journal of Research in Marketing* 24(3),
201–209.

Biernacki, C., Celeux, G. & Govaert, G. (2000). Assessing a mixture model for clustering with the
integrated completed likelihood. *IEEE Transactions on Pattern Analysis and Machine
Intelligence* 22(7), 719–725.

Dick, A. S. & Basu, K. (1994). Customer loyalty: toward an integrated conceptual framework.
*Journal of the Academy of Marketing Science* 22(2), 99–113.

Fader, P. S., Hardie, B. G. S. & Lee, K. L. (2005a). "Counting your customers" the easy way: an
alternative to the Pareto/NBD model. *Marketing Science* 24(2), 275–284.

Fader, P. S., Hardie, B. G. S. & Lee, K. L. (2005b). RFM and CLV: using iso-value curves for
customer base analysis. *Journal of Marketing Research* 42(4), 415–430.

Fraley, C. & Raftery, A. E. (2002). Model-based clustering, discriminant analysis, and density
estimation. *Journal of the American Statistical Association* 97(458), 611–631.

Gupta, S. (1988). Impact of sales promotions on when, what, and how much to buy. *Journal of
Marketing Research* 25(4), 342–355.

Hubert, L. & Arabie, P. (1985). Comparing partitions. *Journal of Classification* 2, 193–218.

Kleinman, J. C. (1973). Proportions with extraneous variance: single and independent samples.
*Journal of the American Statistical Association* 68(341), 46–54.

McLachlan, G. & Peel, D. (2000). *Finite Mixture Models*. Wiley.

Reinartz, W. & Kumar, V. (2002). The mismanagement of customer loyalty. *Harvard Business
Review* 80(7), 86–94.

Rousseeuw, P. J. (1987). Silhouettes: a graphical aid to the interpretation and validation of
cluster analysis. *Journal of Computational and Applied Mathematics* 20, 53–65.

Schwarz, G. (1978). Estimating the dimension of a model. *Annals of Statistics* 6(2), 461–464.
"""

from cemlib.cx.segments._common import SegmentWarning
from cemlib.cx.segments.clusters import archetype_stability, cluster_customers
from cemlib.cx.segments.contractual import contractual_columns, detect_business_model
from cemlib.cx.segments.features import customer_features
from cemlib.cx.segments.grid import (
    ARCHETYPES,
    TREATMENTS,
    AxisThresholds,
    assign_archetypes,
    treatment,
)
from cemlib.cx.segments.lifetime_columns import lifetime_columns
from cemlib.cx.segments.pipeline import DEFAULT_PARAMS, archetypes, segment_customers
from cemlib.cx.segments.profiles import (
    archetype_confidence_table,
    attitudinal_grid,
    profile_segments,
)
from cemlib.cx.segments.scores import score_customers, shrink_share
from cemlib.stages.segments_plan import (
    brand_behaviour,
    empty_results,
    holdout_or_reason,
    plan_stage,
)

__all__ = [
    "archetypes",
    "ARCHETYPES",
    "DEFAULT_PARAMS",
    "TREATMENTS",
    "AxisThresholds",
    "SegmentWarning",
    "archetype_confidence_table",
    "archetype_stability",
    "assign_archetypes",
    "attitudinal_grid",
    "brand_behaviour",
    "cluster_customers",
    "contractual_columns",
    "detect_business_model",
    "customer_features",
    "empty_results",
    "holdout_or_reason",
    "lifetime_columns",
    "plan_stage",
    "profile_segments",
    "score_customers",
    "segment_customers",
    "shrink_share",
    "treatment",
]
