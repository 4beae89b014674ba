"""Figures of scores and match results (needs the ``plot`` extra: matplotlib).

Every function returns a :class:`matplotlib.figure.Figure`; pass ``ax=`` to draw into an axes of
your own figure instead (the function then returns that figure). The figures are not managed by
``pyplot``: nothing global changes, and a script or server can create many of them. In a
notebook a returned figure shows as the cell's output. Save one with
``fig.savefig("name.png")`` or :func:`save_figure` (atomic, by extension).

matplotlib is imported when a function is first called, not when peermatch is imported; without
it the call raises an :class:`ImportError` that gives the install command
(``pip install 'peermatch[plot]'``).

Examples
--------
>>> import peermatch
>>> import peermatch
>>> from peermatch.profiles._demo import generate_cohort
>>> participants, peers = generate_cohort(30, 6, seed=1)
>>> result = peermatch.match(participants, peers)
>>> fig = peermatch.plot_leader_load(result)
>>> len(fig.axes[0].containers[-1])  # one bar per leader
6
"""

from __future__ import annotations

import functools
import io
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from peermatch._core.commit import write_files
from peermatch._core.optional import require

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from peermatch.matching._results import MatchResult
    from peermatch.scoring._scorer import ScoreMatrix

__all__ = [
    "HEATMAP_MAX_SIZE",
    "plot_contributions",
    "plot_leader_load",
    "plot_match_graph",
    "plot_score_distribution",
    "plot_score_heatmap",
    "plot_summary",
    "save_figure",
]

#: Largest number of participants (rows) or leaders (columns) :func:`plot_score_heatmap` draws
#: without an explicit selection.
HEATMAP_MAX_SIZE = 80

#: Formats :func:`save_figure` writes, by file extension.
FORMATS = {".png": "png", ".svg": "svg", ".pdf": "pdf"}

_BLUE = "#4c72b0"
_ORANGE = "#dd8452"
_GREY = "#b0b0b0"
_RED = "#c44e52"


# -- figure plumbing ------------------------------------------------------------------------


@functools.cache
def _figure_class() -> type[Figure]:
    """A Figure that notebooks display (once) without pyplot or ``%matplotlib inline``."""
    require("matplotlib.figure", extra="plot", purpose="peermatch.display")
    from matplotlib.figure import Figure as MplFigure

    class _NotebookFigure(MplFigure):
        """A :class:`matplotlib.figure.Figure` with a PNG form for notebooks."""

        def _repr_png_(self) -> bytes:
            buf = io.BytesIO()
            self.savefig(buf, format="png", bbox_inches="tight")
            return buf.getvalue()

    _NotebookFigure.__name__ = _NotebookFigure.__qualname__ = "Figure"
    return _NotebookFigure


def _new(
    nrows: int = 1, ncols: int = 1, *, figsize: tuple[float, float] = (7.0, 4.5)
) -> tuple[Figure, Any]:
    fig = _figure_class()(figsize=figsize, layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=True)
    return fig, axes


def _target(ax: Axes | None, figsize: tuple[float, float]) -> tuple[Figure, Axes]:
    """The figure and axes to draw into: the caller's, or a new figure."""
    if ax is None:
        fig, axes = _new(figsize=figsize)
        return fig, axes
    require("matplotlib", extra="plot", purpose="peermatch.display")
    root = ax.get_figure(root=True)
    if root is None:  # pragma: no cover - an axes always belongs to a figure
        raise ValueError("ax belongs to no figure")
    return root, ax


def _label(name: str) -> str:
    from peermatch.matching._explain import LABELS

    return LABELS.get(name, name.replace("_", " "))


# -- score distribution ---------------------------------------------------------------------


def _named_results(
    results: MatchResult | Sequence[MatchResult] | Mapping[str, MatchResult],
) -> list[tuple[str, MatchResult]]:
    from peermatch.matching._results import MatchResult

    if isinstance(results, MatchResult):
        return [(results.solver, results)]
    if isinstance(results, Mapping):
        items = [(str(k), v) for k, v in results.items()]
    else:
        items = []
        seen: dict[str, int] = {}
        for r in results:
            if not isinstance(r, MatchResult):
                raise TypeError(f"expected MatchResult objects, found {type(r).__name__}")
            seen[r.solver] = seen.get(r.solver, 0) + 1
            name = r.solver if seen[r.solver] == 1 else f"{r.solver} ({seen[r.solver]})"
            items.append((name, r))
    if not items:
        raise ValueError("no results to plot: give one MatchResult or several")
    for _, r in items:
        if not isinstance(r, MatchResult):
            raise TypeError(f"expected MatchResult objects, found {type(r).__name__}")
    return items


def plot_score_distribution(
    results: MatchResult | Sequence[MatchResult] | Mapping[str, MatchResult],
    *,
    bins: int = 20,
    ax: Axes | None = None,
) -> Figure:
    """Histogram of the scores of matched pairs, one series per result (e.g. per solver).

    Parameters
    ----------
    results : MatchResult, sequence of MatchResult, or mapping of str to MatchResult
        One result, or several to compare. A sequence is labelled by each result's solver; a
        mapping by its keys.
    bins : int, keyword-only
        Number of equal-width bins between 0 and 1.
    ax : matplotlib Axes, optional
        Draw into this axes instead of a new figure.

    Returns
    -------
    matplotlib.figure.Figure
        One bar container per result, each with ``bins`` bars; the legend gives each
        result's name, number matched and mean score.

    Raises
    ------
    ValueError
        If no result is given or ``bins`` is below 1.
    """
    named = _named_results(results)
    if bins < 1:
        raise ValueError(f"bins must be at least 1, not {bins}")
    fig, axes = _target(ax, (7.0, 4.5))
    edges = np.linspace(0.0, 1.0, bins + 1)
    width = (edges[1] - edges[0]) / len(named)
    for k, (name, r) in enumerate(named):
        scores = np.array([m.score for m in r.matches], dtype=np.float64)
        counts, _ = np.histogram(scores, bins=edges)
        mean = f", mean {scores.mean():.3f}" if scores.size else ""
        axes.bar(
            edges[:-1] + k * width,
            counts,
            width=width,
            align="edge",
            label=f"{name}: {scores.size} matched{mean}",
        )
    axes.set_xlim(0.0, 1.0)
    axes.set_xlabel("score of the matched pair")
    axes.set_ylabel("participants")
    axes.set_title("Scores of matched pairs")
    axes.legend(loc="upper left", fontsize="small")
    return fig


# -- leader load ----------------------------------------------------------------------------


def plot_leader_load(
    result: MatchResult, *, sort: str = "id", max_labels: int = 60, ax: Axes | None = None
) -> Figure:
    """Each leader's assigned participants against its capacity.

    Parameters
    ----------
    result : MatchResult
    sort : {"id", "load"}, keyword-only
        Order of the leaders: by id (default) or by number assigned, most first.
    max_labels : int, keyword-only
        Label each bar with its leader id when there are at most this many leaders.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.figure.Figure
        Two bar containers with one bar per leader: capacity (outline) and assigned (filled;
        grey for paused leaders).

    Raises
    ------
    ValueError
        If ``sort`` is not ``"id"`` or ``"load"``.
    """
    if sort not in ("id", "load"):
        raise ValueError(f"sort must be 'id' or 'load', not {sort!r}")
    loads = list(result.peer_load.values())
    if sort == "load":
        loads.sort(key=lambda p: (-p.assigned, p.peer_id))
    patches = require("matplotlib.patches", extra="plot", purpose="peermatch.display")
    fig, axes = _target(ax, (max(6.0, min(16.0, 0.3 * len(loads) + 2)), 4.5))
    x = np.arange(len(loads))
    capacity = [p.capacity for p in loads]
    assigned = [p.assigned for p in loads]
    axes.bar(
        x,
        capacity,
        width=0.8,
        fill=False,
        edgecolor=["#555555" if p.active else _GREY for p in loads],
        hatch=[None if p.active else "//" for p in loads],
    )
    axes.bar(x, assigned, width=0.8, color=_BLUE)
    handles = [
        patches.Patch(facecolor="none", edgecolor="#555555", label="capacity"),
        patches.Patch(facecolor=_BLUE, label="assigned"),
    ]
    if any(not p.active for p in loads):
        handles.append(
            patches.Patch(facecolor="none", edgecolor=_GREY, hatch="//", label="paused leader")
        )
    axes.set_ylim(0, max([*capacity, *assigned, 1]) * 1.2)
    if 0 < len(loads) <= max_labels:
        axes.set_xticks(x, [p.peer_id for p in loads], rotation=90, fontsize="small")
    else:
        axes.set_xticks([])
    used = sum(assigned)
    places = sum(p.capacity for p in loads if p.active)
    axes.set_xlabel(f"peer leaders ({len(loads)})")
    axes.set_ylabel("participants")
    axes.set_title(f"Leader load against capacity: {used} of {places} places used")
    axes.legend(handles=handles, loc="upper center", ncols=len(handles), fontsize="small")
    return fig


# -- contributions of one pair ---------------------------------------------------------------


def _pair_contributions(result: MatchResult, participant_id: str, peer_id: str) -> dict[str, float]:
    ctx = result._context
    if ctx is None:
        raise ValueError("this result keeps no scores to compare other leaders with")
    co = ctx.scorer.cohort
    if peer_id not in co.l_index:
        raise KeyError(f"peer leader {peer_id!r} is not part of this result")
    i, j = co.p_index[participant_id], co.l_index[peer_id]
    contrib = ctx.scorer.contributions(i)
    return {name: float(values[j]) for name, values in contrib.items()}


def plot_contributions(
    result: MatchResult,
    participant_id: str,
    *,
    versus: str | None = None,
    ax: Axes | None = None,
) -> Figure:
    """Each criterion's share of a matched pair's score, optionally against another leader.

    Parameters
    ----------
    result : MatchResult
    participant_id : str
    versus : str, keyword-only, optional
        A leader id to compare with: its bars are drawn beside the match's (for an unmatched
        participant, only this leader's bars are drawn).
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.figure.Figure
        One horizontal bar per criterion for each pair shown, largest share at the top; the
        bar lengths of a pair sum to its score.

    Raises
    ------
    KeyError
        If the participant (or the ``versus`` leader) is not part of the result.
    ValueError
        If the participant is unmatched and no ``versus`` leader is given.
    """
    if participant_id not in result.participant_ids():
        raise KeyError(f"participant {participant_id!r} is not part of this result")
    m = result.match_for(participant_id)
    if m is None and versus is None:
        raise ValueError(
            f"participant {participant_id!r} is unmatched, so there is no match to show; pass "
            "versus=PEER_ID to see how a leader would score"
        )
    series: list[tuple[str, dict[str, float]]] = []
    if m is not None:
        shares = dict(m.contributions)
        series.append((f"{m.peer_id} (matched): {m.score:.3f}", shares))
    if versus is not None:
        other = _pair_contributions(result, participant_id, versus)
        series.append((f"{versus}: {sum(other.values()):.3f}", other))
    names = sorted(
        {n for _, s in series for n in s},
        key=lambda n: (-series[0][1].get(n, 0.0), n),
    )
    fig, axes = _target(ax, (7.0, max(3.0, 0.32 * len(names) + 1.5)))
    y = np.arange(len(names))
    height = 0.8 / len(series)
    for k, (label, shares) in enumerate(series):
        axes.barh(
            y + k * height - 0.4 + height / 2,
            [shares.get(n, 0.0) for n in names],
            height=height,
            color=[_BLUE, _ORANGE][k],
            label=label,
        )
    axes.set_yticks(y, [_label(n) for n in names])
    axes.invert_yaxis()
    axes.set_xlabel("share of the score")
    if m is not None:
        title = f"{participant_id} with {m.peer_id}: score {m.score:.3f}, rank {m.rank}"
    else:
        title = f"{participant_id} (unmatched) with {versus}"
    axes.set_title(title)
    axes.legend(loc="lower right", fontsize="small")
    return fig


# -- heatmap --------------------------------------------------------------------------------


def _select(ids: Sequence[str], chosen: Sequence[str] | None, what: str) -> list[int]:
    index = {v: k for k, v in enumerate(ids)}
    if chosen is None:
        return list(range(len(ids)))
    missing = [c for c in chosen if c not in index]
    if missing:
        shown = ", ".join(repr(c) for c in missing[:5])
        raise KeyError(f"unknown {what} id{'s' if len(missing) > 1 else ''}: {shown}")
    return [index[c] for c in chosen]


def plot_score_heatmap(
    scores: ScoreMatrix,
    *,
    participants: Sequence[str] | None = None,
    peers: Sequence[str] | None = None,
    result: MatchResult | None = None,
    max_size: int = HEATMAP_MAX_SIZE,
    ax: Axes | None = None,
) -> Figure:
    """Heatmap of pair scores for a small cohort or a chosen part of one.

    Infeasible pairs are grey; with ``result`` each matched pair is marked with a dot.

    Parameters
    ----------
    scores : ScoreMatrix
    participants, peers : sequence of str, keyword-only, optional
        The ids to show, in this order (default: all).
    result : MatchResult, keyword-only, optional
        Mark its matches.
    max_size : int, keyword-only
        Largest number of rows or columns drawn (default 80); beyond it the function refuses
        and asks for a selection, since the cells would be too small to read.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.figure.Figure
        Rows are participants, columns leaders, with a colour bar of the score.

    Raises
    ------
    ValueError
        If the selection has more than ``max_size`` rows or columns, or is empty.
    KeyError
        If a selected id is not in the matrix.
    """
    rows = _select(scores.participant_ids, participants, "participant")
    cols = _select(scores.peer_ids, peers, "peer leader")
    if len(rows) > max_size or len(cols) > max_size:
        raise ValueError(
            f"score_heatmap draws at most {max_size} participants and {max_size} leaders, "
            f"and this selection has {len(rows)} x {len(cols)}; choose some with "
            "participants=[...] and peers=[...] (e.g. participants=scores.participant_ids[:40]) "
            "or raise max_size"
        )
    if not rows or not cols:
        raise ValueError("nothing to draw: the selection has no participants or no leaders")
    colors = require("matplotlib.colors", extra="plot", purpose="peermatch.display")
    r_idx, c_idx = np.ix_(rows, cols)
    values = scores.values[r_idx, c_idx]
    feasible = scores.feasible[r_idx, c_idx]
    fig, axes = _target(ax, (min(14.0, 0.28 * len(cols) + 3.5), min(14.0, 0.2 * len(rows) + 2.5)))
    cmap = colors.LinearSegmentedColormap.from_list(
        "peermatch", ["#f7fbff", "#08306b"]
    ).with_extremes(bad=_GREY)
    image = axes.imshow(
        np.ma.masked_array(values, mask=~feasible),
        cmap=cmap,
        vmin=0.0,
        vmax=1.0,
        aspect="auto",
        interpolation="nearest",
    )
    fig.colorbar(image, ax=axes, label="score")
    p_ids = [scores.participant_ids[i] for i in rows]
    l_ids = [scores.peer_ids[j] for j in cols]
    if result is not None:
        pos = {pid: k for k, pid in enumerate(p_ids)}
        col = {lid: k for k, lid in enumerate(l_ids)}
        marks = [
            (col[m.peer_id], pos[m.participant_id])
            for m in result.matches
            if m.participant_id in pos and m.peer_id in col
        ]
        xs = [x for x, _ in marks]
        ys = [y for _, y in marks]
        axes.scatter(xs, ys, s=12, color=_ORANGE, label="matched pair")
        if marks:
            axes.legend(loc="upper right", fontsize="small", framealpha=0.9)
    axes.set_xticks(range(len(cols)), l_ids, rotation=90, fontsize="x-small")
    if len(rows) <= 40:
        axes.set_yticks(range(len(rows)), p_ids, fontsize="x-small")
    else:
        axes.set_yticks([])
    axes.set_xlabel("peer leader")
    axes.set_ylabel(f"participant ({len(rows)})")
    axes.set_title("Pair scores (grey: infeasible pair)")
    return fig


# -- bipartite graph ------------------------------------------------------------------------


def plot_match_graph(
    result: MatchResult, *, labels: bool | None = None, ax: Axes | None = None
) -> Figure:
    """The match as a bipartite graph: participants on the left, leaders on the right.

    Built from :meth:`MatchResult.to_networkx`. Edges are coloured by score; unmatched
    participants are red, paused leaders grey.

    Parameters
    ----------
    result : MatchResult
    labels : bool, keyword-only, optional
        Write the ids beside the nodes (default: when there are at most 60 nodes).
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.figure.Figure
        Node collections for participants and leaders, one line per match.
    """
    mpl = require("matplotlib", extra="plot", purpose="peermatch.display")
    require("matplotlib.cm", extra="plot", purpose="peermatch.display")
    require("matplotlib.lines", extra="plot", purpose="peermatch.display")
    import networkx as nx

    g = result.to_networkx()
    left = [n for n, d in g.nodes(data=True) if d["bipartite"] == 0]
    right = [n for n, d in g.nodes(data=True) if d["bipartite"] == 1]
    fig, axes = _target(ax, (7.0, max(4.5, min(16.0, 0.12 * max(len(left), len(right)) + 2))))
    pos: dict[str, tuple[float, float]] = {}
    for x, nodes in ((0.0, left), (1.0, right)):
        k = len(nodes)
        for idx, node in enumerate(nodes):
            pos[node] = (x, 1.0 - (idx + 0.5) / k)
    matched = set(result.pairs)
    p_colors = [_BLUE if g.nodes[n]["id"] in matched else _RED for n in left]
    l_colors = [_ORANGE if g.nodes[n]["active"] else _GREY for n in right]
    size = 30 if len(left) <= 200 else 8
    nx.draw_networkx_nodes(
        g, pos, nodelist=left, node_color=p_colors, node_size=size, ax=axes, label="participant"
    )
    nx.draw_networkx_nodes(
        g,
        pos,
        nodelist=right,
        node_color=l_colors,
        node_size=size * 2,
        node_shape="s",
        ax=axes,
        label="peer leader",
    )
    edges = list(g.edges(data=True))
    if edges:
        nx.draw_networkx_edges(
            g,
            pos,
            edgelist=[(u, v) for u, v, _ in edges],
            edge_color=[d["score"] for _, _, d in edges],
            edge_cmap=mpl.colormaps["viridis"],
            edge_vmin=0.0,
            edge_vmax=1.0,
            width=0.8,
            ax=axes,
        )
        mappable = mpl.cm.ScalarMappable(
            norm=mpl.colors.Normalize(0.0, 1.0), cmap=mpl.colormaps["viridis"]
        )
        fig.colorbar(mappable, ax=axes, label="score", shrink=0.6)
    handles = [
        mpl.lines.Line2D([], [], ls="", marker="o", color=_BLUE, label="participant"),
        mpl.lines.Line2D([], [], ls="", marker="o", color=_RED, label="unmatched"),
        mpl.lines.Line2D([], [], ls="", marker="s", color=_ORANGE, label="peer leader"),
    ]
    if any(not g.nodes[n]["active"] for n in right):
        handles.append(mpl.lines.Line2D([], [], ls="", marker="s", color=_GREY, label="paused"))
    axes.legend(
        handles=handles,
        loc="upper center",
        bbox_to_anchor=(0.5, 0.0),
        ncols=len(handles),
        fontsize="small",
        frameon=False,
    )
    show = labels if labels is not None else len(left) + len(right) <= 60
    if show:
        for n in left:
            x, y = pos[n]
            axes.text(x - 0.03, y, g.nodes[n]["id"], ha="right", va="center", fontsize="x-small")
        for n in right:
            x, y = pos[n]
            axes.text(x + 0.03, y, g.nodes[n]["id"], ha="left", va="center", fontsize="x-small")
    axes.set_xlim(-0.35, 1.35)
    axes.set_ylim(0.0, 1.0)
    axes.set_axis_off()
    axes.set_title(
        f"Matches: {len(result.matches)} of {len(left)} participants (left) "
        f"with {len(right)} leaders (right)"
    )
    return fig


# -- summary --------------------------------------------------------------------------------


def _mean_contributions(result: MatchResult, axes: Axes) -> None:
    names = list(result.config.criteria)
    k = len(result.matches)
    means = {
        n: (sum(m.contributions.get(n, 0.0) for m in result.matches) / k if k else 0.0)
        for n in names
    }
    order = sorted((n for n in names if means[n] > 0), key=lambda n: (-means[n], n))
    y = np.arange(len(order))
    axes.barh(y, [means[n] for n in order], color=_BLUE)
    axes.set_yticks(y, [_label(n) for n in order], fontsize="small")
    axes.invert_yaxis()
    axes.set_xlabel("mean share of the score")
    axes.set_title("What the matches share (mean per criterion)")


def _outcomes(result: MatchResult, axes: Axes) -> None:
    ranks = [m.rank for m in result.matches]
    groups = {
        "best-scoring\nleader": sum(1 for r in ranks if r == 1),
        "2nd-3rd\nbest": sum(1 for r in ranks if 2 <= r <= 3),
        "4th or\nlower": sum(1 for r in ranks if r >= 4),
        "unmatched:\ncapacity": sum(1 for u in result.unmatched if u.reason == "capacity"),
        "unmatched:\nno feasible": sum(
            1 for u in result.unmatched if u.reason == "no_feasible_leader"
        ),
    }
    other = len(result.unmatched) - groups["unmatched:\ncapacity"]
    other -= groups["unmatched:\nno feasible"]
    if other:
        groups["unmatched:\nother"] = other
    colors = [_BLUE, _BLUE, _BLUE, _RED, _RED, _RED][: len(groups)]
    bars = axes.bar(range(len(groups)), list(groups.values()), color=colors)
    axes.bar_label(bars, fontsize="small")
    axes.set_xticks(range(len(groups)), list(groups), fontsize="small")
    axes.set_ylabel("participants")
    axes.set_title("Outcome per participant")


def plot_summary(result: MatchResult, *, title: str | None = None) -> Figure:
    """A 2 × 2 overview of one run: outcomes, score distribution, leader load, criteria.

    This is the figure ``peermatch match ... --plot FILE`` writes.

    Parameters
    ----------
    result : MatchResult
    title : str, keyword-only, optional
        Figure title (default: solver, numbers matched and mean score).

    Returns
    -------
    matplotlib.figure.Figure
        Four axes: outcome per participant (matched with their best-scoring leader, 2nd-3rd,
        lower, unmatched by reason), scores of matched pairs, leader load against capacity,
        and the mean share of each criterion in the matched pairs' scores.
    """
    n_leaders = len(result.peer_load)
    fig, axes = _new(2, 2, figsize=(13.0, 9.0))
    _outcomes(result, axes[0, 0])
    plot_score_distribution(result, ax=axes[0, 1])
    plot_leader_load(result, ax=axes[1, 0], max_labels=40 if n_leaders <= 40 else 0)
    _mean_contributions(result, axes[1, 1])
    mt = result.metrics
    fig.suptitle(
        title
        or (
            f"peermatch {result.solver}: {mt.get('n_matched', 0)} of "
            f"{mt.get('n_participants', 0)} participants matched, mean score "
            f"{float(mt.get('mean_score', 0.0)):.3f}"
        )
    )
    return fig


# -- saving ---------------------------------------------------------------------------------


def figure_bytes(fig: Figure, path: str | Path, *, dpi: int = 110) -> bytes:
    """The bytes :func:`save_figure` writes for ``path`` (the format follows the extension).

    Raises
    ------
    ValueError
        If the extension is not one of those formats.
    """
    target = Path(path)
    fmt = FORMATS.get(target.suffix.lower())
    if fmt is None:
        raise ValueError(
            f"cannot tell the figure format of {str(target)!r}: use a file name ending in "
            + ", ".join(FORMATS)
        )
    metadata: dict[str, Any] = {"png": {}, "svg": {"Date": None}, "pdf": {"CreationDate": None}}[
        fmt
    ]
    mpl = require("matplotlib", extra="plot", purpose="peermatch.display")
    buf = io.BytesIO()
    with mpl.rc_context({"svg.hashsalt": "peermatch"}):
        fig.savefig(buf, format=fmt, dpi=dpi, metadata=metadata)
    return buf.getvalue()


def save_figure(fig: Figure, path: str | Path, *, dpi: int = 110) -> None:
    """Write a figure to ``path`` atomically; the format follows the extension.

    PNG, SVG and PDF are written without a creation date and with fixed SVG ids, so the same
    figure gives the same bytes. A pipe or device is written in place, never replaced.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
    path : str or Path
        Ends in ``.png``, ``.svg`` or ``.pdf``.
    dpi : int, keyword-only
        Resolution of a PNG.

    Raises
    ------
    ValueError
        If the extension is not one of those formats.
    OSError
        If the file cannot be written (nothing is left behind).
    """
    write_files([(path, figure_bytes(fig, path, dpi=dpi))])
