"""Notebook display and pandas export of score matrices (internal)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from peermatch._core.html import MUTED, Raw, escape, pct, table
from peermatch._core.optional import require
from peermatch._core.order import best_first

if TYPE_CHECKING:
    import pandas as pd

    from peermatch.scoring._scorer import ScoreMatrix

__all__ = ["SCORE_TABLE_MAX", "scores_html", "scores_to_pandas"]

#: Largest number of participants (rows) and leaders (columns) a score matrix shows as a full
#: table in a notebook; larger matrices are summarised.
SCORE_TABLE_MAX = 20


def _short_reason(name: str) -> str:
    return name.split(":", 1)[1] if name.startswith("hard_criterion:") else name


def scores_html(scores: ScoreMatrix, *, max_size: int = SCORE_TABLE_MAX) -> str:
    """A score matrix as HTML: the full table when small, else a summary."""
    n, m = scores.shape
    feasible = int(scores.feasible.sum())
    parts = ['<div class="peermatch-scores">']
    parts.append(
        f"<p><strong>ScoreMatrix</strong> &mdash; {n} participants &times; {m} peer leaders, "
        f"{feasible} feasible pairs ({pct(feasible / (n * m) if n * m else 0.0)}); "
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
                        Raw(
                            f'<span style="{MUTED};text-decoration:line-through" '
                            f'title="{escape(reason)}">{value}</span>'
                        )
                    )
            rows.append(row)
        parts.append(
            table(["", *scores.peer_ids], rows, align=["left"] + ["right"] * m, index=True)
        )
        parts.append(
            f'<p style="{MUTED};font-size:0.8em">Struck-through scores are infeasible pairs '
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
            for c in best_first(counts).tolist()
            if c and counts[c]
        ]
        if reason_rows:
            parts.append("<p>Excluded pairs by first reason:</p>")
            parts.append(table(["reason", "pairs"], reason_rows, align=["left", "right"]))
        parts.append(
            f'<p style="{MUTED};font-size:0.8em">Too large to show as a table (more than '
            f"{max_size} rows or columns): <code>to_pandas()</code> gives every pair, and "
            "<code>peermatch.plot_score_heatmap</code> draws a selection.</p>"
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
