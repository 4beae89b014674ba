"""Small inline SVG charts for reports (internal): no matplotlib, no script, print-ready.

Each function returns an ``<svg>`` element as text, sized in user units with a ``viewBox`` so
that it scales with the page. Every label is escaped. A value may be shown with its own text
(``"<5"`` for a suppressed count): the bar then has the length given, and the text says what
it stands for.

Examples
--------
>>> svg = bars([("L1", 3, 5, "3 of 5"), ("L2", 5, 5, "5 of 5")], top=5)
>>> svg.startswith("<svg") and svg.count("<rect") == 4
True
"""

from __future__ import annotations

from collections.abc import Sequence

from peermatch._core.html import escape

__all__ = ["COLOURS", "bars", "stacked"]

#: Colours of chart series, in order (colour-blind safe: Okabe–Ito).
COLOURS = ("#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#f0e442")
_TRACK = "#e6e9ed"
_ROW = 20
_LABEL_W = 150
_BAR_W = 420
_TEXT_W = 110
_FONT = 'font-family="system-ui, sans-serif" font-size="12"'


def _svg(height: int, body: str, title: str) -> str:
    width = _LABEL_W + _BAR_W + _TEXT_W
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}"><title>{escape(title)}</title>{body}</svg>'
    )


def bars(rows: Sequence[tuple[str, float, float, str]], *, top: float, title: str = "chart") -> str:
    """Horizontal bars: per row ``(label, value, track, text)``.

    The track (light) shows ``track`` (e.g. a capacity), the bar ``value``, both against
    ``top``; ``text`` is written after the bar.
    """
    parts = []
    scale = _BAR_W / top if top > 0 else 0.0
    for k, (label, value, track, text) in enumerate(rows):
        y = k * _ROW
        parts.append(
            f'<text x="{_LABEL_W - 6}" y="{y + 14}" text-anchor="end" {_FONT}>'
            f"{escape(label)}</text>"
            f'<rect x="{_LABEL_W}" y="{y + 3}" width="{max(track, 0) * scale:.1f}" height="14" '
            f'fill="{_TRACK}"/>'
            f'<rect x="{_LABEL_W}" y="{y + 3}" width="{max(value, 0) * scale:.1f}" height="14" '
            f'fill="{COLOURS[0]}"/>'
            f'<text x="{_LABEL_W + max(track, value, 0) * scale + 6:.1f}" y="{y + 14}" {_FONT}>'
            f"{escape(text)}</text>"
        )
    return _svg(max(len(rows), 1) * _ROW + 4, "".join(parts), title)


def stacked(
    rows: Sequence[tuple[str, Sequence[tuple[float, str]]]],
    series: Sequence[str],
    *,
    title: str = "chart",
) -> str:
    """Stacked horizontal bars: per row ``(label, [(value, text), ...])`` in ``series`` order.

    Each segment carries its text as a tooltip (``<title>``); a legend names the series.
    """
    top = max((sum(max(v, 0) for v, _ in parts) for _, parts in rows), default=0)
    scale = _BAR_W / top if top > 0 else 0.0
    out = []
    legend_x = 0.0
    for s, name in enumerate(series):
        colour = COLOURS[s % len(COLOURS)]
        out.append(
            f'<rect x="{legend_x:.0f}" y="2" width="12" height="12" fill="{colour}"/>'
            f'<text x="{legend_x + 16:.0f}" y="12" {_FONT}>{escape(name)}</text>'
        )
        legend_x += 24 + 7 * len(name)
    for k, (label, parts) in enumerate(rows):
        y = (k + 1) * _ROW + 4
        out.append(
            f'<text x="{_LABEL_W - 6}" y="{y + 14}" text-anchor="end" {_FONT}>'
            f"{escape(label)}</text>"
        )
        x = float(_LABEL_W)
        for s, (value, text) in enumerate(parts):
            w = max(value, 0) * scale
            if w <= 0:
                continue
            colour = COLOURS[s % len(COLOURS)]
            out.append(
                f'<rect x="{x:.1f}" y="{y + 3}" width="{w:.1f}" height="14" fill="{colour}">'
                f"<title>{escape(series[s])}: {escape(text)}</title></rect>"
            )
            x += w
    return _svg((len(rows) + 1) * _ROW + 8, "".join(out), title)
