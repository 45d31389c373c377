"""Open the whitepaper in headless Chromium, offline, as a reviewer would from a file share.

    python pipeline/check_whitepaper.py reports/whitepaper.html --out build/whitepaper-check

Checks that the page loads from ``file://`` with no console error and no request for anything
but the file itself, that every link of the table of contents and every cross-reference lands
on an element, and that every figure has a non-zero size; writes a PNG of the first screen page
and an A4 PDF print as artefacts. Prints one line per check; exits non-zero on a failure.

Chromium comes from the system packages (``/usr/bin/chromium``); Playwright only drives it.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path

# Without these, Chromium phones home at start and, on a closed network, logs failures.
CHROMIUM_FLAGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
A4_AT_96_DPI = {"width": 794, "height": 1123}


def find_chromium() -> str | None:
    """The system Chromium (``CHROMIUM`` overrides), or ``None`` when none is installed."""
    candidates = [os.environ.get("CHROMIUM"), "chromium", "chromium-browser", "google-chrome"]
    for name in filter(None, candidates):
        path = shutil.which(name)
        if path:
            return path
    return None


@dataclass
class BrowserReport:
    console_errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    broken_links: list[str] = field(default_factory=list)
    toc_links: int = 0
    cross_references: int = 0
    figures: list[dict] = field(default_factory=list)
    title: str = ""
    screenshot: Path | None = None
    pdf: Path | None = None
    pdf_pages: int = 0

    @property
    def empty_figures(self) -> list[dict]:
        return [
            f for f in self.figures if not (f["natural"] > 0 and f["width"] > 0 and f["height"] > 0)
        ]

    def failures(self) -> list[str]:
        out = []
        if self.console_errors:
            out.append(f"console errors: {self.console_errors}")
        if self.requests:
            out.append(f"requests beyond the file itself: {self.requests}")
        if self.broken_links:
            out.append(f"links to no element: {self.broken_links}")
        if self.toc_links == 0:
            out.append("no table of contents")
        if not self.figures:
            out.append("no figures")
        if self.empty_figures:
            out.append(f"figures of zero size: {[f['id'] for f in self.empty_figures]}")
        return out


_INSPECT = """() => {
  const exists = (href) => !!document.getElementById(decodeURIComponent(href.slice(1)));
  const toc = [...document.querySelectorAll("nav.wp-toc a")].map(a => a.getAttribute("href"));
  const local = [...document.querySelectorAll('a[href^="#"]')].map(a => a.getAttribute("href"));
  const refs = [...document.querySelectorAll("a.wp-ref")].length;
  const figures = [...document.querySelectorAll("figure.wp-figure")].map(f => {
    const img = f.querySelector("img"); const box = img ? img.getBoundingClientRect() : {width: 0, height: 0};
    return {id: f.id, natural: img ? img.naturalWidth : 0, width: box.width, height: box.height,
            complete: img ? img.complete : false};
  });
  return {toc: toc.length, refs, broken: local.filter(h => !exists(h)), figures, title: document.title};
}"""


def check(html: Path, out_dir: Path, chromium: str) -> BrowserReport:
    """Open ``html`` and collect what :class:`BrowserReport` holds; artefacts go to ``out_dir``."""
    from playwright.sync_api import sync_playwright

    html, out_dir = Path(html).resolve(), Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    url = html.as_uri()
    report = BrowserReport()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=list(CHROMIUM_FLAGS))
        context = browser.new_context(viewport=A4_AT_96_DPI, offline=True)
        page = context.new_page()
        page.on("console", lambda m: m.type == "error" and report.console_errors.append(m.text))
        page.on("pageerror", lambda e: report.console_errors.append(str(e)))

        def record(request):
            if request.url != url and not request.url.startswith("data:"):
                report.requests.append(request.url)

        page.on("request", record)
        page.goto(url, wait_until="load")
        page.wait_for_load_state("networkidle")
        found = page.evaluate(_INSPECT)
        report.toc_links, report.cross_references = found["toc"], found["refs"]
        report.broken_links, report.figures, report.title = (
            found["broken"],
            found["figures"],
            found["title"],
        )
        report.screenshot = out_dir / "whitepaper-first-page.png"
        page.screenshot(path=str(report.screenshot))
        report.pdf = out_dir / "whitepaper-a4.pdf"
        page.emulate_media(media="print")
        page.pdf(path=str(report.pdf), format="A4", print_background=True)
        report.pdf_pages = pdf_page_count(report.pdf.read_bytes())
        browser.close()
    return report


def pdf_page_count(pdf: bytes) -> int:
    """Pages of a PDF as Chromium writes it (uncompressed page dictionaries)."""
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("html", type=Path)
    parser.add_argument("--out", type=Path, default=Path("build/whitepaper-check"))
    args = parser.parse_args(argv)
    chromium = find_chromium()
    if chromium is None:
        sys.exit("error: no Chromium found (install the system package 'chromium' or set CHROMIUM)")
    report = check(args.html, args.out, chromium)
    print(f"title: {report.title}")
    print(
        f"table of contents: {report.toc_links} links; cross-references: {report.cross_references}"
    )
    print(
        f"figures: {len(report.figures)}, smallest {min((f['width'] for f in report.figures), default=0):.0f} px wide"
    )
    print(
        f"console errors: {len(report.console_errors)}; requests beyond the file: {len(report.requests)}"
    )
    print(f"artefacts: {report.screenshot}, {report.pdf} ({report.pdf_pages} A4 pages)")
    failures = report.failures()
    for failure in failures:
        print(f"FAIL: {failure}")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
