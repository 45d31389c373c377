"""Numbering and cross-references over the whole paper: sections (1, 1.1; appendices A, B),
figures and tables are numbered in reading order, every reference is resolved (a reference to
nothing is an error) and the table of contents is written into :data:`TOC_SLOT`."""

from __future__ import annotations

import re

__all__ = ["TOC_SLOT", "number_document"]


_NUMBERED = re.compile(
    r'<(?P<tag>h2|h3|figure) id="(?P<id>(?:sec|fig|tab)-[a-z0-9_-]+)"(?: class="(?P<cls>[^"]*)")?'
)
_NUM_SLOT = re.compile(r'<span class="wp-num" data-for="(?P<id>[a-z0-9_-]+)"></span>')
_REF_SLOT = re.compile(r'<a class="wp-ref" href="#(?P<id>[a-z0-9_-]+)"></a>')
TOC_SLOT = '<nav class="wp-toc" aria-label="Contents"></nav>'


def number_document(parts: list[str]) -> list[str]:
    """Number sections (1, 1.1; appendices A, B), figures and tables across ``parts`` in order,
    fill every number slot and cross-reference, and write the table of contents.

    A reference to an anchor that does not exist raises ``ValueError``: a broken link in a paper
    is a bug, not something to ship.
    """
    labels: dict[str, str] = {}
    numbers: dict[str, str] = {}
    toc: list[tuple[int, str, str]] = []
    main = sub = appendix = figures = tables = 0
    for match in _NUMBERED.finditer("".join(parts)):
        tag, anchor, cls = match["tag"], match["id"], match["cls"] or ""
        if tag == "h2":
            sub = 0
            if "wp-appendix" in cls:
                appendix += 1
                number = chr(ord("A") + appendix - 1)
                labels[anchor], numbers[anchor] = f"Appendix {number}", f"Appendix {number}."
            else:
                main += 1
                number = str(main)
                labels[anchor], numbers[anchor] = f"Section {number}", f"{number}."
        elif tag == "h3":
            sub += 1
            parent = chr(ord("A") + appendix - 1) if appendix else str(main)
            number = f"{parent}.{sub}"
            labels[anchor], numbers[anchor] = f"Section {number}", number
        elif anchor.startswith("fig-"):
            figures += 1
            labels[anchor] = numbers[anchor] = f"Figure {figures}"
        else:
            tables += 1
            labels[anchor] = numbers[anchor] = f"Table {tables}"
        if tag in ("h2", "h3"):
            toc.append((2 if tag == "h2" else 3, anchor, numbers[anchor]))

    def fill_number(match: re.Match) -> str:
        anchor = match["id"]
        if anchor not in numbers:
            raise ValueError(f"number slot for unknown anchor '{anchor}'")
        return f'<span class="wp-num">{numbers[anchor]}</span>'

    def fill_ref(match: re.Match) -> str:
        anchor = match["id"]
        if anchor not in labels:
            raise ValueError(f"cross-reference to unknown anchor '{anchor}'")
        return f'<a class="wp-ref" href="#{anchor}">{labels[anchor]}</a>'

    titles = _heading_titles("".join(parts))
    toc_html = TOC_SLOT.replace(
        "></nav>",
        '><h2 class="wp-toc-title">Contents</h2><ol>'
        + "".join(
            f'<li class="wp-toc-{level}"><a href="#{anchor}">{number} {titles[anchor]}</a></li>'
            for level, anchor, number in toc
        )
        + "</ol></nav>",
    )
    out = []
    for part in parts:
        part = _REF_SLOT.sub(fill_ref, _NUM_SLOT.sub(fill_number, part))
        out.append(part.replace(TOC_SLOT, toc_html))
    return out


def _heading_titles(html: str) -> dict[str, str]:
    """The (already escaped) text of every numbered heading, by anchor."""
    pattern = re.compile(
        r'<h[23] id="(?P<id>sec-[a-z0-9_-]+)"[^>]*><span class="wp-num"[^>]*></span> (?P<t>.*?)</h[23]>'
    )
    return {m["id"]: m["t"] for m in pattern.finditer(html)}
