"""The checks a rendered paper must pass, whatever the data: what the summary says agrees with
the body, and every verdict with its evidence. Each check takes the paper's HTML (and its
``findings.json`` record) and returns human-readable violations, empty when the paper is
consistent; :func:`paper_violations` runs them all. The tests run them over the synthetic paper,
every bundled data set and randomised partial folders; ``make check-whitepaper`` runs them on
``reports/whitepaper.html``.

The rules:

* every internal link lands on something in the paper (no link to a skipped or withheld part);
* every finding's evidence anchor is in the paper (no finding about an analysis that did not
  run);
* the concentration adjective is the one its number earns
  (:func:`~cemlib.report.wording.concentration_word`);
* a card's verdict agrees with its reflection and its action (a quadrant that says "do not
  invest more" never ends in an investment);
* Methods describes only analyses whose evidence is in the paper
  (:data:`~cemlib.report.methods.METHOD_ANCHORS`);
* a withheld finding never reaches the summary, and every caveated one carries its caveat.
"""

from __future__ import annotations

import re

from bs4 import BeautifulSoup

from cemlib.report.cards import HOLD_QUADRANTS, QUADRANT_MEANING
from cemlib.report.methods import METHOD_ANCHORS
from cemlib.report.wording import concentration_word
from cemlib.text import strip_html

__all__ = [
    "broken_links",
    "missing_evidence",
    "adjective_mismatches",
    "card_contradictions",
    "methods_not_run",
    "summary_grades",
    "paper_violations",
]


def _soup(html: str) -> BeautifulSoup:
    return BeautifulSoup(html, "html.parser")


def _ids(soup: BeautifulSoup) -> set[str]:
    return {str(tag["id"]) for tag in soup.find_all(id=True)}


def broken_links(html: str) -> list[str]:
    """Internal links whose target is not in the paper.

    >>> broken_links('<p id="a"></p><a href="#a">x</a><a href="#sec-act">y</a>')
    ['link to #sec-act, which is not in the paper']
    """
    soup = _soup(html)
    ids = _ids(soup)
    targets = [str(a["href"]) for a in soup.find_all("a", href=True)]
    return [
        f"link to {target}, which is not in the paper"
        for target in targets
        if target.startswith("#") and target[1:] not in ids
    ]


def missing_evidence(html: str, findings: list[dict]) -> list[str]:
    """Findings whose evidence anchor is not in the paper (an analysis that did not run)."""
    ids = _ids(_soup(html))
    return [
        f"finding {f['id']!r} cites #{f['anchor']}, which is not in the paper"
        for f in findings
        if f["anchor"] not in ids
    ]


def adjective_mismatches(findings: list[dict]) -> list[str]:
    """Findings whose adjective is not the one their number earns.

    >>> adjective_mismatches([{"id": "concentration", "text": "Value is concentrated: the top "
    ...     "20% of customers bring 33% of the positive revenue (n = 10 customers)."}])
    ["finding 'concentration' says 'Value is concentrated' of 33%, which earns 'Value is fairly evenly spread'"]
    """
    out = []
    for f in findings:
        if f["id"] != "concentration":
            continue
        match = re.match(r"(.*?): the top 20% of customers bring (\d+)%", f["text"])
        if match is None:
            out.append(f"finding 'concentration' does not read as the rule expects: {f['text']}")
            continue
        said, share = match[1], int(match[2])
        # the text rounds the share; the adjective was chosen on the exact one
        earned = {concentration_word((share + d) / 100) for d in (-0.5, 0, 0.49)}
        if said not in earned:
            out.append(
                f"finding 'concentration' says {said!r} of {share}%, which earns "
                f"{concentration_word(share / 100)!r}"
            )
    return out


def card_contradictions(html: str) -> list[str]:
    """Cards whose reflection or action disagrees with their quadrant."""
    out = []
    for card in _soup(html).find_all("article", class_="wp-card"):
        tag = card.find(class_="wp-tag")
        quadrant = re.sub(r" \(borderline\)$", "", tag.get_text()) if tag else ""
        fields = {
            dt.get_text(): dd.get_text()
            for dt, dd in zip(card.find_all("dt"), card.find_all("dd"), strict=True)
        }
        name = card.get("id", "card")
        meaning = QUADRANT_MEANING.get(quadrant)
        if meaning is None:
            out.append(f"{name}: unknown quadrant {quadrant!r}")
            continue
        if not fields.get("Reflect", "").lower().startswith(meaning.lower()):
            out.append(f"{name}: the reflection does not say what {quadrant!r} means")
        act = fields.get("Act", "")
        holds = act.startswith(("Hold the current level", "No action"))
        if quadrant in HOLD_QUADRANTS and not holds:
            out.append(f"{name}: {quadrant!r} says not to invest more, but the action is {act!r}")
        if quadrant not in HOLD_QUADRANTS and act.startswith("Hold the current level"):
            out.append(f"{name}: {quadrant!r} calls for action, but the card says to hold")
    return out


def methods_not_run(html: str) -> list[str]:
    """Methods entries about analyses whose evidence is not in the paper."""
    soup = _soup(html)
    heading = soup.find(id="sec-methods")
    if heading is None:
        return []
    ids = _ids(soup)
    out = []
    for item in heading.find_parent("section").find_all("li"):
        term = item.find("b")
        anchor = METHOD_ANCHORS.get(term.get_text()) if term else None
        if anchor is not None and anchor not in ids:
            out.append(f"Methods describes {term.get_text()!r}, which did not run (no #{anchor})")
    return out


def summary_grades(html: str, findings: list[dict]) -> list[str]:
    """The summary states no withheld finding, and each caveated one with its caveat."""
    soup = _soup(html)
    heading = soup.find(id="sec-summary")
    if heading is None:
        return []
    items = heading.find_parent("section").find_all("li")
    shown = [
        (strip_html(str(li))[0], li.find(class_="wp-caveat") is not None)
        for li in items
        if li.find(class_="wp-evidence") is not None
    ]
    out = []
    for f in findings:
        hits = [caveat for text, caveat in shown if text.startswith(f["text"])]
        if f["grade"] == "withheld" and hits:
            out.append(f"withheld finding {f['id']!r} is in the summary")
        if f["grade"] == "caveated" and hits and not all(hits):
            out.append(f"caveated finding {f['id']!r} is in the summary without its caveat")
    return out


def paper_violations(html: str, record: dict) -> list[str]:
    """Every violation of the rules above in one rendered paper and its ``findings.json``."""
    findings = record.get("findings", [])
    return [
        *broken_links(html),
        *missing_evidence(html, findings),
        *adjective_mismatches(findings),
        *card_contradictions(html),
        *methods_not_run(html),
        *summary_grades(html, findings),
    ]
