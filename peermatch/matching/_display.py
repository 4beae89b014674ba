"""Notebook display and pandas export of results and explanations (internal).

The HTML is plain tables with a few inline styles, so it reads the same in Jupyter, VS Code and
exported notebooks. Every value shown is escaped. Profile contents appear only in explanations,
which a coordinator asks for explicitly; result and score tables show ids and numbers.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from peermatch._core.html import MUTED, bar, escape, num, pct, table
from peermatch._core.optional import require

if TYPE_CHECKING:
    import pandas as pd

    from peermatch.matching._results import MatchResult

__all__ = [
    "HTML_MAX_ROWS",
    "Explanation",
    "explanation_html",
    "result_html",
    "result_to_pandas",
]

#: Rows of a result table shown in a notebook before the rest is summarised.
HTML_MAX_ROWS = 30

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
                (f"+{float(m.group(1)):.3f}", bar(float(m.group(1)), top), m.group(2))
                for m in parsed
                if m
            ]
            out.append(table(["share", "", "criterion"], rows, align=["right", "left", "left"]))
        else:
            out.append(
                '<ul style="margin-top:0">'
                + "".join(f"<li>{escape(i)}</li>" for i in items)
                + "</ul>"
            )
        items.clear()

    for k, line in enumerate(lines):
        stripped = line.strip()
        if not stripped:
            continue
        indent = len(line) - len(line.lstrip(" "))
        if k == 0 and indent == 0:
            out.append(f"<p><strong>{escape(stripped)}</strong></p>")
        elif indent <= 2:
            flush()
            out.append(f'<p style="margin-bottom:0.2em">{escape(stripped)}</p>')
        else:
            items.append(stripped)
    flush()
    out.append("</div>")
    return "".join(out)


# -- results --------------------------------------------------------------------------------


def result_html(result: MatchResult, *, max_rows: int = HTML_MAX_ROWS) -> str:
    """A match result as HTML: a summary line, the unmatched, the matches and leader load."""
    mt = result.metrics
    n, k = int(mt.get("n_participants", 0)), int(mt.get("n_matched", 0))
    parts = ['<div class="peermatch-result">']
    summary = (
        f"<strong>MatchResult</strong> &mdash; solver <code>{escape(result.solver)}</code>: "
        f"{k} of {n} participants matched ({pct(k / n if n else 0.0)})"
    )
    if k:
        summary += (
            f", mean score {float(mt.get('mean_score', 0.0)):.3f}, "
            f"lowest {float(mt.get('min_score', 0.0)):.3f}, "
            f"{pct(float(mt.get('rank1_share', 0.0)))} with their best-scoring leader"
        )
    summary += f"; {len(result.unmatched)} unmatched."
    parts.append(f"<p>{summary}</p>")
    if result.unmatched:
        rows = [(u.participant_id, u.reason, u.text) for u in result.unmatched[:max_rows]]
        parts.append(f"<p>Unmatched ({len(result.unmatched)}):</p>")
        parts.append(table(["participant_id", "reason", "why"], rows))
        if len(result.unmatched) > max_rows:
            parts.append(f'<p style="{MUTED}">... {len(result.unmatched) - max_rows} more</p>')
    if result.matches:
        shown = result.matches[:max_rows]
        rows2 = [
            (
                m.participant_id,
                m.peer_id,
                num(m.score),
                m.rank,
                "" if m.preferred_rank is None else m.preferred_rank,
            )
            for m in shown
        ]
        parts.append(f"<p>Matches ({len(result.matches)}):</p>")
        parts.append(
            table(
                ["participant_id", "peer_id", "score", "rank", "preferred_rank"],
                rows2,
                align=["left", "left", "right", "right", "right"],
            )
        )
        if len(result.matches) > max_rows:
            parts.append(
                f'<p style="{MUTED}">... {len(result.matches) - max_rows} more matches; '
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
                bar(p.assigned, max(p.capacity, 1)),
                "" if p.active else "paused",
            )
            for p in loads
        ]
        parts.append(
            f"<details><summary>Leader load: {used} of {places} active places used "
            f"by {sum(1 for p in loads if p.assigned)} of {len(loads)} leaders</summary>"
        )
        parts.append(
            table(
                ["peer_id", "assigned", "capacity", "", ""],
                rows3,
                align=["left", "right", "right", "left", "left"],
            )
        )
        parts.append("</details>")
    man = result.manifest
    parts.append(
        f'<p style="{MUTED};font-size:0.8em">peermatch {escape(man.version)} &middot; '
        f"config {escape(man.config_hash[:12])} &middot; input {escape(man.input_hash[:12])}</p>"
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
