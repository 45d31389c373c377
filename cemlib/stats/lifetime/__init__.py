r"""Customer-lifetime models: RFM summaries, BG/NBD, Gamma-Gamma spend, sBG retention and CLV.

The behavioural "projected relationship duration" axis of the segments stage
(:mod:`cemlib.cx.segments`) needs, per customer, the probability that the customer is still
active and the number of purchases to expect; the value axis needs the spend to expect per
purchase. This sub-package implements with numpy/scipy the two standard probability models for
non-contractual settings, and the standard one for contractual settings:

* **BG/NBD** (Fader, Hardie & Lee 2005a) for the purchase process and dropout:
  :class:`BetaGeoFitter` (:mod:`.bgnbd`);
* **Gamma-Gamma** (Fader, Hardie & Lee 2005b; Fader & Hardie 2013) for the spend per purchase:
  :class:`GammaGammaFitter` (:mod:`.gamma_gamma`);
* **sBG** (shifted-beta-geometric; Fader & Hardie 2007, 2010) for retention in *contractual*
  settings, where churn is observed at each renewal: :class:`ShiftedBetaGeometricFitter`
  (:mod:`.sbg`), fitted on a cohort's survivor counts or individual tenures, with survival,
  retention and discounted expected residual lifetime;

and the glue around them: :func:`rfm_summary` (transactions → repeat purchases, recency, age,
monetary value, with a calibration/holdout split by date) and :func:`compress_rfm` (group identical
triples so a million customers fit in seconds) in :mod:`.rfm`; :func:`customer_lifetime_value`
(discounted expected value over a horizon), :func:`holdout_check` (predicted vs actual holdout
purchases by calibration repeat purchases) and :func:`holdout_validation` in :mod:`.clv`; the
CDNOW sample reader used to check the implementation against the published estimates in
:mod:`.cdnow`. All three models are fitted by the maximum-likelihood machinery of :mod:`._fit`,
and each can be built from known parameters with ``from_params``.

Time is measured in *units* of ``time_unit_days`` days (weeks by default, as in the papers). The
papers' summary :math:`(x, t_x, T)` is named ``repeat_purchases``, ``recency`` and ``age``.

References
----------
Fader, P. S., Hardie, B. G. S. & Lee, K. L. (2005a). "Counting your customers" the easy way: an
alternative to the Pareto/NBD model. *Marketing Science* 24(2), 275–284.

Fader, P. S., Hardie, B. G. S. & Lee, K. L. (2005b). RFM and CLV: using iso-value curves for
customer base analysis. *Journal of Marketing Research* 42(4), 415–430.

Fader, P. S. & Hardie, B. G. S. (2013). The Gamma-Gamma model of monetary value. Note,
http://brucehardie.com/notes/025/.

Fader, P. S., Hardie, B. G. S. & Lee, K. L. (2007). Creating a fit histogram for the BG/NBD model.
Note, http://brucehardie.com/notes/014/.

Fader, P. S. & Hardie, B. G. S. (2007). How to project customer retention. *Journal of Interactive
Marketing* 21(1), 76–90.

Fader, P. S. & Hardie, B. G. S. (2010). Customer-base valuation in a contractual setting: the
perils of ignoring heterogeneity. *Marketing Science* 29(1), 85–93.
"""

from cemlib.stats.lifetime._fit import LifetimeModelWarning
from cemlib.stats.lifetime.bgnbd import BetaGeoFitter
from cemlib.stats.lifetime.cdnow import cdnow_sample_path, read_cdnow
from cemlib.stats.lifetime.clv import customer_lifetime_value, holdout_check, holdout_validation
from cemlib.stats.lifetime.gamma_gamma import GammaGammaFitter
from cemlib.stats.lifetime.rfm import compress_rfm, rfm_summary
from cemlib.stats.lifetime.sbg import ShiftedBetaGeometricFitter

__all__ = [
    "BetaGeoFitter",
    "GammaGammaFitter",
    "LifetimeModelWarning",
    "ShiftedBetaGeometricFitter",
    "cdnow_sample_path",
    "compress_rfm",
    "customer_lifetime_value",
    "holdout_check",
    "holdout_validation",
    "read_cdnow",
    "rfm_summary",
]
