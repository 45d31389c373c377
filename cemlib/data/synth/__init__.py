"""Seeded synthetic X-VOC world: customers, transactions, surveys and feedback, with planted truth.

The world
---------
Every customer belongs to one of the four archetypes of Reinartz & Kumar (2002):
``strategic`` (~15 %, high value, long life), ``butterfly`` (~20 %, high value but transient,
deal-chasing), ``barnacle`` (~30 %, low value, long life) and ``stranger`` (~35 %, low value,
short life). Archetypes set the *means* of per-customer latent parameters, which lie well apart
on the value x loyalty plane (an oracle given the true parameters separates the archetypes almost
perfectly); the archetypes still overlap on every single observed feature through Poisson
purchase noise, the two-year window (a relationship shows its length only once it has ended)
and spread-out acquisition dates. Butterflies buy often and spend much while active, largely on
promotion, but leave after months; barnacles stay for years with small baskets; strangers buy
once or twice and leave; strategic customers buy large baskets for years.

Purchases follow a buy-till-you-die process in the style of the BG/NBD model of Fader, Hardie &
Lee (2005): each customer has a purchase rate ``lambda_ ~ Gamma`` and a dropout probability
``dropout_p ~ logit-normal``; after the first purchase on ``first_seen``, purchases arrive as a Poisson
process and the customer becomes inactive after each purchase with probability ``dropout_p``.
Spend per purchase is lognormal, the margin rate differs by archetype and is lower on promotions.

Survey answers come from a latent model: the 12 driver items share a common factor (real
multicollinearity) plus touchpoint and item-specific parts, and are cut into 1-5 answers with
fixed thresholds. Outcomes (``ltr`` 0-10, ``osat`` 1-5, ``ces`` 1-7) are linear in the latent
drivers with *planted* weights plus an archetype shift and noise. Stated importance is drawn from
its own means, deliberately unlike the derived importance. ``truth/drivers.parquet`` holds, for
every outcome x driver, the planted weight and the exact LMG share of R² of the observed
canonical-scale answers in a large clean simulation of the same model: what a key-driver analysis
of clean data should recover.

Free text -- survey comments and unsolicited feedback -- is written about planted reasons
(themes) of one taxonomy with a polarity each: eight complaints, four kinds of praise and a
feature suggestion. Promoters praise the touchpoint they rated best, detractors complain about
the driver they rated worst, passives say both; feedback draws its reason from its kind. Each
sentence comes from the reason's phrase bank in English or Chinese, some of the Chinese in
Traditional characters and some texts code-mixed. The written tables do not carry the reason;
``truth/verbatims.parquet`` holds the themes of every text and ``truth/themes.parquet`` each
theme's planted effect on NPS.

Defects (duplicates, speeders, straight-liners, failed attention checks, test records,
out-of-range answers, full-width characters, malformed customer ids, personal data and HTML in
free text, empty texts, orphan transactions) are planted on otherwise clean rows and logged one
per row in ``truth/defects.parquet`` with the 1-based data-record number of the written file.

Modules
-------
* :mod:`~cemlib.data.synth.planted` -- every planted parameter: defect rates, archetypes, the
  buying process, the survey design and the planted driver weights, the feedback mix.
* :mod:`~cemlib.data.synth.codebook` -- the survey's codebook and its YAML form.
* :mod:`~cemlib.data.synth.phrases` -- frames of comments and feedback (openers, closers,
  prefixes by kind) (data).
* :mod:`~cemlib.data.synth.phrases_reasons` -- the phrase bank of every planted reason (data).
* :mod:`~cemlib.data.synth.verbatims` -- drawing a text for a reason (script, code-mixing) and
  the truth of the texts and themes.
* :mod:`~cemlib.data.synth.pii` -- planted personal data, HTML and decoy numbers.
* :mod:`~cemlib.data.synth.draws` -- small random and time helpers shared by the simulators.
* :mod:`~cemlib.data.synth.world` -- customers, transactions and unsolicited feedback.
* :mod:`~cemlib.data.synth.survey` -- the latent survey model, responses, population truth.
* :mod:`~cemlib.data.synth.defects` -- planting defects and logging them.
* :mod:`~cemlib.data.synth.write` -- :func:`generate`: simulate, spoil and write it all.

References
----------
Fader, P. S., Hardie, B. G. S. & Lee, K. L. (2005). "Counting your customers" the easy way: an
alternative to the Pareto/NBD model. *Marketing Science*, 24(2), 275-284.

Reinartz, W. & Kumar, V. (2002). The mismanagement of customer loyalty. *Harvard Business
Review*, 80(7), 86-94.
"""

from __future__ import annotations

from cemlib.data.schema import ARCHETYPES
from cemlib.data.synth.codebook import ITEM_IDS, codebook
from cemlib.data.synth.planted import (
    ACQ_CHANNELS,
    ARCHETYPE_SHARES,
    ATTENTION_EXPECT,
    DEFAULT_DEFECT_RATES,
    DRIVERS,
    OUTCOMES,
    POPULATION_DRAWS,
    REASON_LABELS,
    REASON_POLARITY,
    REASONS,
    REGIONS,
    REVERSE_DRIVERS,
    SURVEYS,
    TOUCHPOINTS,
    TX_CHANNELS,
)
from cemlib.data.synth.write import (
    CUSTOMER_COLUMNS,
    FEEDBACK_COLUMNS,
    RESPONSE_COLUMNS,
    TRANSACTION_COLUMNS,
    generate,
)

__all__ = [
    "ACQ_CHANNELS",
    "ARCHETYPES",
    "ARCHETYPE_SHARES",
    "ATTENTION_EXPECT",
    "CUSTOMER_COLUMNS",
    "DEFAULT_DEFECT_RATES",
    "DRIVERS",
    "FEEDBACK_COLUMNS",
    "ITEM_IDS",
    "OUTCOMES",
    "POPULATION_DRAWS",
    "REASONS",
    "REASON_LABELS",
    "REASON_POLARITY",
    "REGIONS",
    "RESPONSE_COLUMNS",
    "REVERSE_DRIVERS",
    "SURVEYS",
    "TOUCHPOINTS",
    "TRANSACTION_COLUMNS",
    "TX_CHANNELS",
    "codebook",
    "generate",
]
