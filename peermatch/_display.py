"""Notebook display and pandas export of results, score matrices and explanations (internal).

The HTML is plain tables with a few inline styles, so it reads the same in Jupyter, VS Code and
exported notebooks. Every value shown is escaped. Profile contents appear only in explanations,
which a coordinator asks for explicitly; result and score tables show ids and numbers.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from peermatch._optional import require

if TYPE_CHECKING:
    import pandas as pd

    from peermatch.results import MatchResult
    from peermatch.scoring import ScoreMatrix

__all__ = [
    "HTML_MAX_ROWS",
    "SCORE_TABLE_MAX",
    "Explanation",
    "explanation_html",
    "result_html",
    "result_to_pandas",
    "scores_html",
    "scores_to_pandas",
]

#: Rows of a result table shown in a notebook before the rest is summarised.
HTML_MAX_ROWS = 30
#: Largest number of participants (rows) and leaders (columns) a score matrix shows as a full
#: table in a notebook; larger matrices are summarised.
SCORE_TABLE_MAX = 20

_TABLE = 'style="border-collapse:collapse;font-size:0.9em"'
_CELL = "padding:1px 8px;text-align:{align}"
_MUTED = "color:#777"
_BAR = "#4c72b0"


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _num(value: float | None, digits: int = 3) -> str:
    return "" if value is None else f"{value:.{digits}f}"


def _table(
    header: Sequence[str],
    rows: Iterable[Sequence[object]],
    *,
    align: Sequence[str] | None = None,
    index: bool = False,
) -> str:
    """An HTML table; cells are escaped unless they are :class:`_Raw`."""
    al = list(align) if align is not None else ["left"] * len(header)
    out = [f"<table {_TABLE}>", "<thead><tr>"]
    for h, a in zip(header, al, strict=True):
        out.append(f'<th style="{_CELL.format(align=a)}">{_e(h)}</th>')
    out.append("</tr></thead><tbody>")
    for row in rows:
        cells = []
        for k, (value, a) in enumerate(zip(row, al, strict=True)):
            text = value.html if isinstance(value, _Raw) else _e(value)
            tag = "th" if index and k == 0 else "td"
            cells.append(f'<{tag} style="{_CELL.format(align=a)}">{text}</{tag}>')
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</tbody></table>")
    return "".join(out)


@dataclass(frozen=True, slots=True)
class _Raw:
    """Trusted HTML for one table cell."""

    html: str


def _bar(value: float, top: float) -> _Raw:
    width = 0.0 if top <= 0 else max(0.0, min(1.0, value / top)) * 100
    return _Raw(
        '<div style="width:8em;background:#eee">'
        f'<div style="background:{_BAR};height:0.7em;width:{width:.1f}%;min-width:1px"></div>'
        "</div>"
    )


# -- explanations ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Explanation:
    """One participant's outcome in plain words, for reading in a notebook or printing.

    ``str(explanation)`` is exactly the text :meth:`MatchResult.explain` returns; in a notebook
    the explanation renders as HTML (the contributions as bars).

    Attributes
    ----------
    participant_id : str
    text : str
        The plain-text explanation.
    peer_id : str or None
        The matched leader, ``None`` when the participant is unmatched.
    score : float or None
        The pair's score, ``None`` when unmatched.
    contributions : mapping of str to float
        Each criterion's share of the score (empty when unmatched).
    """

    participant_id: str
    text: str
    peer_id: str | None = None
    score: float | None = None
    contributions: Mapping[str, float] = field(default_factory=dict)

    @property
    def matched(self) -> bool:
        """Whether the participant is matched."""
        return self.peer_id is not None

    def __str__(self) -> str:
        return self.text

    def __repr__(self) -> str:
        if self.peer_id is None:
            return f"<Explanation of {self.participant_id}: unmatched>"
        return (
            f"<Explanation of {self.participant_id}: matched with {self.peer_id} "
            f"(score {self.score:.3f})>"
        )

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(self.text)

    def _repr_html_(self) -> str:
        return explanation_html(self.text)


_CONTRIBUTION = re.compile(r"^\+(\d+(?:\.\d+)?)\s+(.*)$")


def explanation_html(text: str) -> str:
    """Render an explanation's text as HTML.

    The text's indentation gives its structure: the unindented first line is the heading,
    lines indented by two spaces are statements or section titles (ending with ``:``), and
    lines indented further are the items of the section above. Items of the form
    ``+0.123  words`` (a criterion's contribution) become rows with a bar.
    """
    lines = text.splitlines()
    out = ['<div class="peermatch-explanation">']
    items: list[str] = []

    def flush() -> None:
        if not items:
            return
        parsed = [_CONTRIBUTION.match(i) for i in items]
        if all(parsed):
            values = [float(m.group(1)) for m in parsed if m]
            top = max(values, default=0.0)
            rows = [
                (f"+{float(m.group(1)):.3f}", _bar(float(m.group(1)), top), m.group(2))
                for m in parsed
                if m
            ]
            out.append(_table(["share", "", "criterion"], rows, align=["right", "left", "left"]))
        else:
            out.append(
                '<ul style="margin-top:0">' + "".join(f"<li>{_e(i)}</li>" for i in items) + "</ul>"
            )
        items.clear()

    for k, line in enumerate(lines):
        stripped = line.strip()
        if not stripped:
            continue
        indent = len(line) - len(line.lstrip(" "))
        if k == 0 and indent == 0:
            out.append(f"<p><strong>{_e(stripped)}</strong></p>")
        elif indent <= 2:
            flush()
            out.append(f'<p style="margin-bottom:0.2em">{_e(stripped)}</p>')
        else:
            items.append(stripped)
    flush()
    out.append("</div>")
    return "".join(out)


# -- results --------------------------------------------------------------------------------


def _pct(x: float) -> str:
    return f"{100 * x:.0f}%"


def result_html(result: MatchResult, *, max_rows: int = HTML_MAX_ROWS) -> str:
    """A match result as HTML: a summary line, the unmatched, the matches and leader load."""
    mt = result.metrics
    n, k = int(mt.get("n_participants", 0)), int(mt.get("n_matched", 0))
    parts = ['<div class="peermatch-result">']
    summary = (
        f"<strong>MatchResult</strong> &mdash; solver <code>{_e(result.solver)}</code>: "
        f"{k} of {n} participants matched ({_pct(k / n if n else 0.0)})"
    )
    if k:
        summary += (
            f", mean score {float(mt.get('mean_score', 0.0)):.3f}, "
            f"lowest {float(mt.get('min_score', 0.0)):.3f}, "
            f"{_pct(float(mt.get('rank1_share', 0.0)))} with their best-scoring leader"
        )
    summary += f"; {len(result.unmatched)} unmatched."
    parts.append(f"<p>{summary}</p>")
    if result.unmatched:
        rows = [(u.participant_id, u.reason, u.text) for u in result.unmatched[:max_rows]]
        parts.append(f"<p>Unmatched ({len(result.unmatched)}):</p>")
        parts.append(_table(["participant_id", "reason", "why"], rows))
        if len(result.unmatched) > max_rows:
            parts.append(f'<p style="{_MUTED}">... {len(result.unmatched) - max_rows} more</p>')
    if result.matches:
        shown = result.matches[:max_rows]
        rows2 = [
            (
                m.participant_id,
                m.peer_id,
                _num(m.score),
                m.rank,
                "" if m.preferred_rank is None else m.preferred_rank,
            )
            for m in shown
        ]
        parts.append(f"<p>Matches ({len(result.matches)}):</p>")
        parts.append(
            _table(
                ["participant_id", "peer_id", "score", "rank", "preferred_rank"],
                rows2,
                align=["left", "left", "right", "right", "right"],
            )
        )
        if len(result.matches) > max_rows:
            parts.append(
                f'<p style="{_MUTED}">... {len(result.matches) - max_rows} more matches; '
                "<code>to_pandas()</code> or <code>to_records()</code> give them all</p>"
            )
    loads = list(result.peer_load.values())
    if loads:
        used = sum(p.assigned for p in loads if p.active)
        places = sum(p.capacity for p in loads if p.active)
        rows3 = [
            (
                p.peer_id,
                p.assigned,
                p.capacity,
                _bar(p.assigned, max(p.capacity, 1)),
                "" if p.active else "paused",
            )
            for p in loads
        ]
        parts.append(
            f"<details><summary>Leader load: {used} of {places} active places used "
            f"by {sum(1 for p in loads if p.assigned)} of {len(loads)} leaders</summary>"
        )
        parts.append(
            _table(
                ["peer_id", "assigned", "capacity", "", ""],
                rows3,
                align=["left", "right", "right", "left", "left"],
            )
        )
        parts.append("</details>")
    man = result.manifest
    parts.append(
        f'<p style="{_MUTED};font-size:0.8em">peermatch {_e(man.version)} &middot; '
        f"config {_e(man.config_hash[:12])} &middot; input {_e(man.input_hash[:12])}</p>"
    )
    parts.append("</div>")
    return "".join(parts)


def result_to_pandas(result: MatchResult, *, contributions: bool = False) -> pd.DataFrame:
    """The body of :meth:`MatchResult.to_pandas`."""
    pd = require("pandas", extra="pandas", purpose="MatchResult.to_pandas()")
    records = result.to_records()
    frame = pd.DataFrame.from_records(
        records,
        columns=[
            "participant_id",
            "peer_id",
            "status",
            "score",
            "rank",
            "reason",
            "preferred_rank",
        ],
    )
    frame["score"] = frame["score"].astype("float64")
    for col in ("rank", "preferred_rank"):
        frame[col] = frame[col].astype("Int64")
    if contributions:
        names = list(result.config.criteria)
        by_id = {m.participant_id: m.contributions for m in result.matches}
        for name in names:
            frame[f"contribution_{name}"] = [
                float(by_id[pid].get(name, 0.0)) if pid in by_id else np.nan
                for pid in frame["participant_id"]
            ]
    return frame


# -- score matrices -------------------------------------------------------------------------


def _short_reason(name: str) -> str:
    return name.split(":", 1)[1] if name.startswith("hard_criterion:") else name


def scores_html(scores: ScoreMatrix, *, max_size: int = SCORE_TABLE_MAX) -> str:
    """A score matrix as HTML: the full table when small, else a summary."""
    n, m = scores.shape
    feasible = int(scores.feasible.sum())
    parts = ['<div class="peermatch-scores">']
    parts.append(
        f"<p><strong>ScoreMatrix</strong> &mdash; {n} participants &times; {m} peer leaders, "
        f"{feasible} feasible pairs ({_pct(feasible / (n * m) if n * m else 0.0)}); "
        f"{len(scores.criteria)} criteria.</p>"
    )
    if n and m and n <= max_size and m <= max_size:
        rows: list[list[object]] = []
        for i, pid in enumerate(scores.participant_ids):
            row: list[object] = [pid]
            for j in range(m):
                value = f"{scores.values[i, j]:.3f}"
                if scores.feasible[i, j]:
                    row.append(value)
                else:
                    reason = scores.reason_names[int(scores.reasons[i, j])]
                    row.append(
                        _Raw(
                            f'<span style="{_MUTED};text-decoration:line-through" '
                            f'title="{_e(reason)}">{value}</span>'
                        )
                    )
            rows.append(row)
        parts.append(
            _table(["", *scores.peer_ids], rows, align=["left"] + ["right"] * m, index=True)
        )
        parts.append(
            f'<p style="{_MUTED};font-size:0.8em">Struck-through scores are infeasible pairs '
            "(hover for the reason).</p>"
        )
    elif n and m:
        vals = scores.values[scores.feasible]
        if vals.size:
            q = np.quantile(vals, [0.0, 0.25, 0.5, 0.75, 1.0]).tolist()
            labels = ["min", "q1", "median", "q3", "max"]
            stats = ", ".join(f"{a} {v:.3f}" for a, v in zip(labels, q, strict=True))
            parts.append(f"<p>Scores of feasible pairs: {stats}.</p>")
        none = int((~scores.feasible.any(axis=1)).sum())
        if none:
            parts.append(f"<p>{none} participants have no feasible leader.</p>")
        counts = np.bincount(scores.reasons.ravel(), minlength=len(scores.reason_names))
        reason_rows = [
            (scores.reason_names[c], int(counts[c]))
            for c in np.argsort(-counts, kind="stable").tolist()
            if c and counts[c]
        ]
        if reason_rows:
            parts.append("<p>Excluded pairs by first reason:</p>")
            parts.append(_table(["reason", "pairs"], reason_rows, align=["left", "right"]))
        parts.append(
            f'<p style="{_MUTED};font-size:0.8em">Too large to show as a table (more than '
            f"{max_size} rows or columns): <code>to_pandas()</code> gives every pair, and "
            "<code>peermatch.plots.score_heatmap</code> draws a selection.</p>"
        )
    parts.append("</div>")
    return "".join(parts)


def scores_to_pandas(
    scores: ScoreMatrix,
    *,
    form: Literal["long", "wide"] = "long",
    mask_infeasible: bool = False,
) -> pd.DataFrame:
    """The body of :meth:`ScoreMatrix.to_pandas`."""
    if form not in ("long", "wide"):
        raise ValueError(f"form must be 'long' or 'wide', not {form!r}")
    pd = require("pandas", extra="pandas", purpose="ScoreMatrix.to_pandas()")
    n, m = scores.shape
    if form == "wide":
        values = np.where(scores.feasible, scores.values, np.nan) if mask_infeasible else None
        frame = pd.DataFrame(
            scores.values.copy() if values is None else values,
            index=pd.Index(list(scores.participant_ids), name="participant_id"),
            columns=pd.Index(list(scores.peer_ids), name="peer_id"),
        )
        return frame
    names = np.asarray(scores.reason_names, dtype=object)
    data: dict[str, Any] = {
        "participant_id": np.repeat(np.asarray(scores.participant_ids, dtype=object), m),
        "peer_id": np.tile(np.asarray(scores.peer_ids, dtype=object), n),
        "score": scores.values.ravel().copy(),
        "feasible": scores.feasible.ravel().copy(),
        "reason": names[scores.reasons.ravel().astype(np.int64)],
    }
    if mask_infeasible:
        data["score"] = np.where(data["feasible"], data["score"], np.nan)
    if scores.components is not None:
        for name, comp in scores.components.items():
            data[f"similarity_{name}"] = comp.ravel().copy()
    return pd.DataFrame(data)
