"""Small HTML helpers for notebook display (internal).

Plain tables with a few inline styles, so they read the same in Jupyter, VS Code and exported
notebooks. Every value is escaped unless it is wrapped in :class:`Raw`.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

__all__ = ["MUTED", "Raw", "bar", "escape", "num", "pct", "table"]

TABLE_STYLE = 'style="border-collapse:collapse;font-size:0.9em"'
CELL_STYLE = "padding:1px 8px;text-align:{align}"
MUTED = "color:#777"
BAR_COLOUR = "#4c72b0"


def escape(value: object) -> str:
    return html.escape(str(value), quote=True)


def num(value: float | None, digits: int = 3) -> str:
    return "" if value is None else f"{value:.{digits}f}"


def table(
    header: Sequence[str],
    rows: Iterable[Sequence[object]],
    *,
    align: Sequence[str] | None = None,
    index: bool = False,
) -> str:
    """An HTML table; cells are escaped unless they are :class:`Raw`."""
    al = list(align) if align is not None else ["left"] * len(header)
    out = [f"<table {TABLE_STYLE}>", "<thead><tr>"]
    for h, a in zip(header, al, strict=True):
        out.append(f'<th style="{CELL_STYLE.format(align=a)}">{escape(h)}</th>')
    out.append("</tr></thead><tbody>")
    for row in rows:
        cells = []
        for k, (value, a) in enumerate(zip(row, al, strict=True)):
            text = value.html if isinstance(value, Raw) else escape(value)
            tag = "th" if index and k == 0 else "td"
            cells.append(f'<{tag} style="{CELL_STYLE.format(align=a)}">{text}</{tag}>')
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</tbody></table>")
    return "".join(out)


@dataclass(frozen=True, slots=True)
class Raw:
    """Trusted HTML for one table cell."""

    html: str


def bar(value: float, top: float) -> Raw:
    width = 0.0 if top <= 0 else max(0.0, min(1.0, value / top)) * 100
    return Raw(
        '<div style="width:8em;background:#eee">'
        f'<div style="background:{BAR_COLOUR};height:0.7em;width:{width:.1f}%;min-width:1px"></div>'
        "</div>"
    )


def pct(x: float) -> str:
    return f"{100 * x:.0f}%"
