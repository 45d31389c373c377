"""How much a finding may claim: the evidence behind it and its grade.

Every finding of the paper is built with the :class:`Evidence` it rests on and graded by
:func:`grade` under the rules of ``params.yaml`` (``whitepaper.evidence``):

- **stated** — the evidence carries the claim as written;
- **caveated** — stated, followed by a caveat sentence that says why it needs care (a small
  sample, an interval that straddles the cut the verdict uses, many rows lost to listwise
  deletion, many provisional labels, a model that fits poorly);
- **withheld** — not stated at all; Methods lists it once with the reason (too few observations,
  a model that failed its diagnostics, nearly every row lost).

The rules are deliberately few and explicit so a reader can check each grade by hand. The idea
of grading a claim by the quality of its evidence follows the GRADE approach of evidence-based
medicine (Guyatt et al. 2008), reduced to what a survey or a customer base can tell.

References
----------
Guyatt, G. H., Oxman, A. D., Vist, G. E., et al. (2008). GRADE: an emerging consensus on rating
quality of evidence and strength of recommendations. *BMJ*, 336(7650), 924-926.

Kish, L. (1965). *Survey Sampling*. New York: Wiley (the effective sample size).
"""

from __future__ import annotations

from dataclasses import dataclass, fields

from cemlib.report.messages import say

__all__ = [
    "Finding",
    "GRADES",
    "DEFAULT_RULES",
    "Evidence",
    "EvidenceRules",
    "grade",
    "caveat_sentence",
]

GRADES = ("stated", "caveated", "withheld")


@dataclass(frozen=True)
class EvidenceRules:
    """The thresholds of :func:`grade` (``params.yaml``: ``whitepaper.evidence``)."""

    min_n: int = 30  # fewer observations: withheld
    caveat_n: int = 100  # fewer: caveated (a small sample)
    caveat_listwise_loss: float = 0.2  # share of rows lost to listwise deletion: caveated above
    withhold_listwise_loss: float = 0.8  # ... withheld above
    caveat_thin_share: float = 0.3  # share of customers with a thin history: caveated above
    withhold_thin_share: float = 0.8  # ... withheld above
    caveat_r2_shrinkage: float = 0.05  # in-sample minus cross-validated R²: caveated above

    @classmethod
    def from_params(cls, params: dict | None) -> EvidenceRules:
        """Rules from a ``params.yaml`` mapping; an unknown key is an error, a missing one keeps
        its default."""
        params = dict(params or {})
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(params) - known)
        if unknown:
            raise ValueError(
                f"whitepaper.evidence: unknown rule(s) {unknown}; known: {sorted(known)}"
            )
        return cls(**params)


DEFAULT_RULES = EvidenceRules()


@dataclass(frozen=True)
class Evidence:
    """What one claim rests on. Leave a field ``None`` (or empty) where it does not apply.

    ``n``: observations behind the claim (answers, customers), Kish's effective n where the
    estimate is weighted; ``listwise_loss``: share of rows dropped by listwise deletion;
    ``thin_share``: share of customers whose label is provisional (thin history);
    ``borderline``: one phrase per verdict whose interval contains the cut it is made at;
    ``r2`` and ``r2_cv``: the in-sample and the cross-validated R² of the model the claim
    comes from (a model that predicts left-out responses no better than their mean withholds
    it); ``failures``: model diagnostics that fail, each a phrase (the claim is withheld);
    ``cautions``: other reasons for care, each a phrase (the claim is caveated).
    """

    n: float | None = None
    listwise_loss: float | None = None
    thin_share: float | None = None
    borderline: tuple[str, ...] = ()
    r2: float | None = None
    r2_cv: float | None = None
    failures: tuple[str, ...] = ()
    cautions: tuple[str, ...] = ()


@dataclass(frozen=True)
class Finding:
    """One key finding: a sentence (escaped HTML), the anchor of its evidence in the paper, the
    metric keys it cites (``file.key.key``), what it rests on, and — once graded — its grade
    and the reasons for it."""

    id: str
    text: str
    anchor: str
    cites: tuple[str, ...] = ()
    evidence: Evidence = Evidence()
    grade: str = "stated"
    reasons: tuple[str, ...] = ()


def grade(evidence: Evidence, rules: EvidenceRules = DEFAULT_RULES) -> tuple[str, tuple[str, ...]]:
    """The grade of a claim and the reasons for it (empty when stated).

    Parameters
    ----------
    evidence : Evidence
        What the claim rests on.
    rules : EvidenceRules
        The thresholds (``params.yaml``: ``whitepaper.evidence``).

    Returns
    -------
    tuple
        ``(grade, reasons)``: ``grade`` is one of :data:`GRADES`; ``reasons`` are short phrases
        for the caveat sentence or for Methods' list of withheld findings — for a withheld
        claim only the reasons that withhold it.

    Examples
    --------
    >>> grade(Evidence(n=2500))
    ('stated', ())
    >>> grade(Evidence(n=60, borderline=("importance 16% (95% interval 12%–21%) around the 17% cut",)))
    ('caveated', ('small sample (n = 60)', 'importance 16% (95% interval 12%–21%) around the 17% cut'))
    >>> grade(Evidence(n=900, failures=("the BG/NBD model ran to a degenerate extreme",)))
    ('withheld', ('the BG/NBD model ran to a degenerate extreme',))
    >>> grade(Evidence(n=400, r2=0.60, r2_cv=0.48))[0]
    'caveated'
    >>> grade(Evidence(n=400, r2=0.60, r2_cv=0.58))[0]
    'stated'

    """
    withhold: list[str] = list(evidence.failures)
    caution: list[str] = []
    if evidence.n is not None:
        n = evidence.n
        if n < rules.min_n:
            withhold.append(say("grade.too_few", n=f"{n:,.0f}", min_n=rules.min_n))
        elif n < rules.caveat_n:
            caution.append(say("grade.small_sample", n=f"{n:,.0f}"))
    # shares that weaken a claim above one cut and void it above a higher one
    for share, caveat_above, withhold_above, weakens, voids in (
        (
            evidence.listwise_loss,
            rules.caveat_listwise_loss,
            rules.withhold_listwise_loss,
            "grade.listwise_caveat",
            "grade.listwise_withhold",
        ),
        (
            evidence.thin_share,
            rules.caveat_thin_share,
            rules.withhold_thin_share,
            "grade.thin_caveat",
            "grade.thin_withhold",
        ),
    ):
        if share is None:
            continue
        if share > withhold_above:
            withhold.append(say(voids, share=f"{share:.0%}", kept=f"{1 - share:.0%}"))
        elif share > caveat_above:
            caution.append(say(weakens, share=f"{share:.0%}", kept=f"{1 - share:.0%}"))
    if evidence.r2 is not None and evidence.r2_cv is not None:
        if evidence.r2_cv <= 0:
            withhold.append(say("grade.no_prediction", r2_cv=f"{evidence.r2_cv:.2f}"))
        elif evidence.r2 - evidence.r2_cv > rules.caveat_r2_shrinkage:
            caution.append(
                say("grade.shrinkage", r2=f"{evidence.r2:.0%}", r2_cv=f"{evidence.r2_cv:.0%}")
            )
    caution += [*evidence.borderline, *evidence.cautions]
    if withhold:
        return "withheld", tuple(withhold)
    if caution:
        return "caveated", tuple(caution)
    return "stated", ()


def caveat_sentence(reasons: tuple[str, ...] | list[str]) -> str:
    """The sentence that follows a caveated claim (plain text; escape before HTML).

    >>> caveat_sentence(["small sample (n = 60)", "the model fits poorly"])
    'Read with care: small sample (n = 60); the model fits poorly.'
    """
    return say("caveat", reasons="; ".join(reasons)) if reasons else ""
