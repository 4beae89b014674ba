"""Self-contained HTML pages for people to read and print (internal).

One file, no network, no script: the styles are inline, figures are inline SVG, and a
Content-Security-Policy forbids anything else (a page that tried to load a font, an image or a
script from elsewhere would show without it). The print stylesheet keeps cards and tables
whole, starts each document part where asked on a new page and prints colours as shown.
"""

from __future__ import annotations

from peermatch._core.html import escape

__all__ = ["CSP", "page"]

#: Nothing but the page's own styles and inline images.
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"

_CSS = """
:root { --ink: #1d1d1f; --muted: #5f6368; --line: #d0d4d9; --accent: #2f5d8a;
  --good: #3c7d4a; --warn: #a35d00; --soft: #f3f5f7; }
* { box-sizing: border-box; }
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial,
  sans-serif; color: var(--ink); margin: 0; background: #fff; }
main { max-width: 60rem; margin: 0 auto; padding: 1.5rem 1.5rem 3rem; }
h1 { font-size: 1.6rem; margin: 0 0 .3rem; }
h2 { font-size: 1.25rem; margin: 1.6rem 0 .5rem; border-bottom: 2px solid var(--line);
  padding-bottom: .2rem; }
h3 { font-size: 1.05rem; margin: 1rem 0 .3rem; }
p { margin: .35rem 0; }
.muted, .meta { color: var(--muted); font-size: .9em; }
.say { background: var(--soft); border-left: 4px solid var(--accent); padding: .45rem .7rem;
  margin: .5rem 0; }
.note { border-left: 4px solid var(--warn); padding: .3rem .7rem; margin: .5rem 0; }
table { border-collapse: collapse; width: 100%; margin: .4rem 0 1rem; font-size: .92em; }
th, td { border-bottom: 1px solid var(--line); padding: .3rem .5rem; text-align: left;
  vertical-align: top; }
th { background: var(--soft); }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.figures { display: flex; flex-wrap: wrap; gap: .6rem; margin: .6rem 0 1rem; }
.figure { border: 1px solid var(--line); border-radius: 6px; padding: .5rem .8rem;
  min-width: 9.5rem; }
.figure .value { font-size: 1.5rem; font-weight: 600; display: block; }
.figure .what { color: var(--muted); font-size: .85em; }
.card { border: 1px solid var(--line); border-radius: 8px; padding: .2rem 1rem .4rem;
  margin: .8rem 0; }
.card table { margin: .2rem 0; }
.card th { width: 15rem; }
.option { border-top: 1px dashed var(--line); padding-top: .4rem; margin-top: .5rem; }
.option h3 { margin-top: .2rem; }
.record { font-weight: 600; margin-top: .6rem; }
.explanation { white-space: pre-wrap; font-family: ui-monospace, "SF Mono", Menlo, Consolas,
  monospace; font-size: .82em; background: var(--soft); padding: .5rem; border-radius: 4px; }
.badge { display: inline-block; padding: 0 .45rem; border-radius: 4px; font-size: .85em;
  background: var(--soft); border: 1px solid var(--line); }
.badge.matched { color: var(--good); border-color: var(--good); }
.badge.unmatched { color: var(--warn); border-color: var(--warn); }
svg { max-width: 100%; height: auto; }
@page { margin: 14mm; }
@media print {
  body { font-size: 11pt; }
  main { max-width: none; padding: 0; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  .card, .figure, tr, .option, .keep { break-inside: avoid; page-break-inside: avoid; }
  .new-page { break-before: page; page-break-before: always; }
  h2, h3 { break-after: avoid; page-break-after: avoid; }
}
"""


def page(title: str, body: str, *, lang: str = "en") -> str:
    """A whole HTML document: ``title`` (escaped here) and ``body`` (trusted HTML)."""
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{escape(lang)}">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="generator" content="peermatch">\n'
        f"<title>{escape(title)}</title>\n<style>{_CSS}</style>\n</head>\n"
        f"<body>\n<main>\n{body}\n</main>\n</body>\n</html>\n"
    )
