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

__all__ = [
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
    ``borderline``: one phrase per verdict whose interval contains the cut it is made at; ``failures``: model diagnostics that fail, each a phrase (the claim is
    withheld); ``cautions``: other reasons for care, each a phrase (the claim is caveated).
    """

    n: float | None = None
    listwise_loss: float | None = None
    thin_share: float | None = None
    borderline: tuple[str, ...] = ()
    failures: tuple[str, ...] = ()
    cautions: tuple[str, ...] = ()


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
    """
    withhold: list[str] = list(evidence.failures)
    caution: list[str] = []
    if evidence.n is not None:
        n = evidence.n
        if n < rules.min_n:
            withhold.append(f"only {n:,.0f} observations (at least {rules.min_n} are needed)")
        elif n < rules.caveat_n:
            caution.append(f"small sample (n = {n:,.0f})")
    # shares that weaken a claim above one cut and void it above a higher one
    for share, caveat_above, withhold_above, weakens, voids in (
        (
            evidence.listwise_loss,
            rules.caveat_listwise_loss,
            rules.withhold_listwise_loss,
            "it rests on the {kept:.0%} of rows that answered every item",
            "{share:.0%} of the rows were lost to listwise deletion",
        ),
        (
            evidence.thin_share,
            rules.caveat_thin_share,
            rules.withhold_thin_share,
            "{share:.0%} of customers have a thin history (provisional labels)",
            "{share:.0%} of customers have too short a history to be placed",
        ),
    ):
        if share is None:
            continue
        if share > withhold_above:
            withhold.append(voids.format(share=share, kept=1 - share))
        elif share > caveat_above:
            caution.append(weakens.format(share=share, kept=1 - share))
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
    return "Read with care: " + "; ".join(reasons) + "." if reasons else ""
