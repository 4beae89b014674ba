"""Figures: checked for their content (bars, labels, counts) on the Agg backend, not pixels."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest
from cli_runner import run_peermatch as run
from matplotlib.collections import LineCollection, PathCollection
from matplotlib.container import BarContainer
from matplotlib.figure import Figure
from matplotlib.image import AxesImage

from peermatch import MatchResult, Participant, PeerLeader, ScoreMatrix, display, match, score
from peermatch.display import _plots
from peermatch.profiles._demo import generate_cohort

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"


@pytest.fixture(scope="module")
def cohort() -> tuple[list[Participant], list[PeerLeader]]:
    ps, ls = generate_cohort(40, 8, seed=11)
    # one participant nobody can match (no shared language), one paused leader
    ps.append(Participant(id="P9999", age=50, languages="fi"))
    ls[2] = ls[2].model_copy(update={"active": False})
    return ps, ls


@pytest.fixture(scope="module")
def result(cohort: tuple[list[Participant], list[PeerLeader]]) -> MatchResult:
    return match(*cohort)


@pytest.fixture(scope="module")
def scores(cohort: tuple[list[Participant], list[PeerLeader]]) -> ScoreMatrix:
    return score(*cohort)


def bars(fig: Figure, ax: int = 0) -> list[BarContainer]:
    return [c for c in fig.axes[ax].containers if isinstance(c, BarContainer)]


def legend_texts(fig: Figure, ax: int = 0) -> list[str]:
    legend = fig.axes[ax].get_legend()
    assert legend is not None
    return [t.get_text() for t in legend.get_texts()]


# -- score distribution -----------------------------------------------------------------------


def test_score_distribution_of_one_result(result: MatchResult) -> None:
    fig = display.plot_score_distribution(result, bins=10)
    assert isinstance(fig, Figure)
    (container,) = bars(fig)
    assert len(container) == 10
    assert sum(b.get_height() for b in container) == len(result.matches)
    mean = np.mean([m.score for m in result.matches])
    assert legend_texts(fig) == [f"hungarian: {len(result.matches)} matched, mean {mean:.3f}"]
    assert fig.axes[0].get_title() == "Scores of matched pairs"


def test_score_distribution_per_solver(cohort: tuple[list[Participant], list[PeerLeader]]) -> None:
    results = [match(*cohort, solver=s) for s in ("hungarian", "stable", "greedy")]
    fig = display.plot_score_distribution(results)
    assert [len(c) for c in bars(fig)] == [20, 20, 20]
    texts = legend_texts(fig)
    assert [t.split(":")[0] for t in texts] == ["hungarian", "stable", "greedy"]
    for c, r in zip(bars(fig), results, strict=True):
        assert sum(b.get_height() for b in c) == len(r.matches)
    named = display.plot_score_distribution({"before": results[0], "after": results[1]})
    assert [t.split(":")[0] for t in legend_texts(named)] == ["before", "after"]
    twice = display.plot_score_distribution([results[0], results[0]])
    assert [t.split(":")[0] for t in legend_texts(twice)] == ["hungarian", "hungarian (2)"]


def test_score_distribution_rejects_bad_input(result: MatchResult) -> None:
    with pytest.raises(ValueError, match="no results"):
        display.plot_score_distribution([])
    with pytest.raises(ValueError, match="bins"):
        display.plot_score_distribution(result, bins=0)
    with pytest.raises(TypeError, match="MatchResult"):
        display.plot_score_distribution([result, "hungarian"])  # type: ignore[list-item]


# -- leader load ------------------------------------------------------------------------------


def test_leader_load_has_capacity_and_assigned_per_leader(result: MatchResult) -> None:
    fig = display.plot_leader_load(result)
    capacity, assigned = bars(fig)
    loads = list(result.peer_load.values())
    assert [b.get_height() for b in capacity] == [p.capacity for p in loads]
    assert [b.get_height() for b in assigned] == [p.assigned for p in loads]
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == [p.peer_id for p in loads]
    assert legend_texts(fig) == ["capacity", "assigned", "paused leader"]
    used = sum(p.assigned for p in loads)
    places = sum(p.capacity for p in loads if p.active)
    assert ax.get_title() == f"Leader load against capacity: {used} of {places} places used"
    # the paused leader's capacity bar is hatched
    paused = [k for k, p in enumerate(loads) if not p.active]
    assert [k for k, b in enumerate(capacity) if b.get_hatch()] == paused


def test_leader_load_sorted_by_load(result: MatchResult) -> None:
    fig = display.plot_leader_load(result, sort="load")
    heights = [b.get_height() for b in bars(fig)[1]]
    assert heights == sorted(heights, reverse=True)
    with pytest.raises(ValueError, match="sort"):
        display.plot_leader_load(result, sort="size")


def test_leader_load_hides_labels_for_many_leaders(result: MatchResult) -> None:
    fig = display.plot_leader_load(result, max_labels=3)
    assert fig.axes[0].get_xticklabels() == []


# -- contributions ----------------------------------------------------------------------------


def test_contributions_of_a_match_sum_to_its_score(result: MatchResult) -> None:
    m = result.matches[0]
    fig = display.plot_contributions(result, m.participant_id)
    (container,) = bars(fig)
    widths = [b.get_width() for b in container]
    assert len(widths) == len(m.contributions)
    assert sum(widths) == pytest.approx(m.score)
    assert widths == sorted(widths, reverse=True)
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert "life stage" in labels and "treatments" in labels
    assert ax.get_title() == (
        f"{m.participant_id} with {m.peer_id}: score {m.score:.3f}, rank {m.rank}"
    )


def test_contributions_versus_another_leader(result: MatchResult, scores: ScoreMatrix) -> None:
    m = result.matches[0]
    other = next(
        lid
        for lid in scores.peer_ids
        if lid != m.peer_id
        and scores.feasible[scores.participant_ids.index(m.participant_id)][
            scores.peer_ids.index(lid)
        ]
    )
    fig = display.plot_contributions(result, m.participant_id, versus=other)
    first, second = bars(fig)
    assert sum(b.get_width() for b in first) == pytest.approx(m.score)
    assert sum(b.get_width() for b in second) == pytest.approx(scores.get(m.participant_id, other))
    assert legend_texts(fig)[1].startswith(f"{other}: ")


def test_contributions_of_unmatched_participant(result: MatchResult) -> None:
    with pytest.raises(ValueError, match="versus=PEER_ID"):
        display.plot_contributions(result, "P9999")
    fig = display.plot_contributions(result, "P9999", versus="L001")
    assert len(bars(fig)) == 1
    assert fig.axes[0].get_title() == "P9999 (unmatched) with L001"
    with pytest.raises(KeyError):
        display.plot_contributions(result, "nobody")
    with pytest.raises(KeyError):
        display.plot_contributions(result, "P9999", versus="L999")


# -- heatmap ----------------------------------------------------------------------------------


def test_score_heatmap_masks_infeasible_pairs_and_marks_matches(
    scores: ScoreMatrix, result: MatchResult
) -> None:
    fig = display.plot_score_heatmap(scores, result=result)
    ax = fig.axes[0]
    (image,) = [a for a in ax.get_children() if isinstance(a, AxesImage)]
    data = image.get_array()
    assert data.shape == scores.shape
    assert np.ma.getmaskarray(data).tolist() == (~scores.feasible).tolist()
    (dots,) = [c for c in ax.collections if isinstance(c, PathCollection)]
    assert len(dots.get_offsets()) == len(result.matches)
    assert [t.get_text() for t in ax.get_xticklabels()] == list(scores.peer_ids)
    assert len(fig.axes) == 2  # with the colour bar
    assert fig.axes[1].get_ylabel() == "score"


def test_score_heatmap_of_a_selection(scores: ScoreMatrix, result: MatchResult) -> None:
    chosen = list(scores.participant_ids[:5])
    fig = display.plot_score_heatmap(
        scores, participants=chosen, peers=["L003", "L001"], result=result
    )
    ax = fig.axes[0]
    (image,) = [a for a in ax.get_children() if isinstance(a, AxesImage)]
    assert image.get_array().shape == (5, 2)
    assert [t.get_text() for t in ax.get_yticklabels()] == chosen
    assert [t.get_text() for t in ax.get_xticklabels()] == ["L003", "L001"]
    expected = sum(
        1 for m in result.matches if m.participant_id in chosen and m.peer_id in ("L003", "L001")
    )
    dots = [c for c in ax.collections if isinstance(c, PathCollection)]
    assert len(dots[0].get_offsets()) == expected


def test_score_heatmap_refuses_large_matrices(scores: ScoreMatrix) -> None:
    with pytest.raises(ValueError, match=r"participants=\[\.\.\.\]"):
        display.plot_score_heatmap(scores, max_size=10)
    fig = display.plot_score_heatmap(scores, participants=scores.participant_ids[:10], max_size=10)
    assert isinstance(fig, Figure)
    with pytest.raises(KeyError, match="P0000"):
        display.plot_score_heatmap(scores, participants=["P0000"])
    with pytest.raises(ValueError, match="nothing to draw"):
        display.plot_score_heatmap(scores, participants=[])


# -- graph ------------------------------------------------------------------------------------


def test_match_graph_draws_one_edge_per_match(result: MatchResult) -> None:
    fig = display.plot_match_graph(result, labels=True)
    ax = fig.axes[0]
    (edges,) = [c for c in ax.collections if isinstance(c, LineCollection)]
    assert len(edges.get_segments()) == len(result.matches)
    nodes = [c for c in ax.collections if isinstance(c, PathCollection)]
    assert [len(c.get_offsets()) for c in nodes] == [
        len(result.participant_ids()),
        len(result.peer_load),
    ]
    texts = {t.get_text() for t in ax.texts}
    assert set(result.participant_ids()) | set(result.peer_load) == texts
    assert ax.get_title() == (
        f"Matches: {len(result.matches)} of {len(result.participant_ids())} participants "
        f"(left) with {len(result.peer_load)} leaders (right)"
    )
    assert "unmatched" in legend_texts(fig) and "paused" in legend_texts(fig)
    assert len(display.plot_match_graph(result, labels=False).axes[0].texts) == 0


# -- summary, ax=, saving ---------------------------------------------------------------------


def test_summary_has_four_panels(result: MatchResult) -> None:
    fig = display.plot_summary(result)
    titles = [ax.get_title() for ax in fig.axes]
    assert titles[:4] == [
        "Outcome per participant",
        "Scores of matched pairs",
        titles[2],
        "What the matches share (mean per criterion)",
    ]
    assert titles[2].startswith("Leader load against capacity")
    outcome = bars(fig, 0)[0]
    assert sum(b.get_height() for b in outcome) == len(result.participant_ids())
    assert fig.get_suptitle().startswith(f"peermatch hungarian: {len(result.matches)} of 41")
    assert display.plot_summary(result, title="Spring cohort").get_suptitle() == "Spring cohort"


def test_drawing_into_a_given_axes_returns_its_figure(result: MatchResult) -> None:
    fig = Figure()
    ax1, ax2 = fig.subplots(1, 2)
    assert display.plot_leader_load(result, ax=ax1) is fig
    assert display.plot_score_distribution(result, ax=ax2) is fig
    assert len(bars(fig, 0)) == 2 and len(bars(fig, 1)) == 1


def test_figures_display_in_notebooks(result: MatchResult) -> None:
    fig = display.plot_leader_load(result)
    assert isinstance(fig, Figure) and repr(fig).startswith("<Figure size")
    png = fig._repr_png_()  # type: ignore[attr-defined]
    assert png.startswith(b"\x89PNG")


def test_save_figure_is_atomic_and_reproducible(result: MatchResult, tmp_path: Path) -> None:
    fig = display.plot_leader_load(result)
    for ext, magic in ((".png", b"\x89PNG"), (".svg", b"<?xml"), (".pdf", b"%PDF")):
        path = tmp_path / f"load{ext}"
        display.save_figure(fig, path)
        first = path.read_bytes()
        assert first.startswith(magic)
        display.save_figure(fig, path)
        assert path.read_bytes() == first
    assert sorted(p.name for p in tmp_path.iterdir()) == ["load.pdf", "load.png", "load.svg"]
    with pytest.raises(ValueError, match=r"\.png"):
        display.save_figure(fig, tmp_path / "load.jpg")


@pytest.fixture
def no_matplotlib(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name in list(sys.modules):
        if name == "matplotlib" or name.startswith("matplotlib."):
            monkeypatch.setitem(sys.modules, name, None)
    _plots._figure_class.cache_clear()
    yield
    _plots._figure_class.cache_clear()


@pytest.mark.usefixtures("no_matplotlib")
@pytest.mark.parametrize(
    "draw",
    [
        lambda r, s: display.plot_summary(r),
        lambda r, s: display.plot_leader_load(r),
        lambda r, s: display.plot_match_graph(r),
        lambda r, s: display.plot_score_heatmap(s, participants=s.participant_ids[:3]),
    ],
)
def test_without_matplotlib_the_message_says_how_to_install(
    result: MatchResult, scores: ScoreMatrix, draw: object
) -> None:
    with pytest.raises(ImportError, match=r"pip install 'peermatch\[plot\]'"):
        draw(result, scores)  # type: ignore[operator]


# -- command line -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def small_files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("plotcohort")
    res = run("demo", "--participants", "30", "--peers", "6", "--seed", "4", "--out", str(folder))
    assert res.returncode == 0, res.stderr
    return folder / "participants.csv", folder / "peers.csv"


def test_cli_match_writes_a_summary_figure(small_files: tuple[Path, Path], tmp_path: Path) -> None:
    p, ls = small_files
    out, fig = tmp_path / "m.csv", tmp_path / "summary.png"
    res = run("match", str(p), str(ls), "-o", str(out), "--plot", str(fig))
    assert res.returncode == 0, res.stderr
    assert fig.read_bytes().startswith(b"\x89PNG")
    assert out.exists()
    assert f"wrote the summary figure {fig}" in res.stderr
    assert sorted(x.name for x in tmp_path.iterdir()) == ["m.csv", "summary.png"]


def test_cli_plot_never_overwrites_an_input_or_the_output(
    small_files: tuple[Path, Path], tmp_path: Path
) -> None:
    p, ls = small_files
    before = p.read_bytes()
    fake = tmp_path / "participants.png"
    fake.write_bytes(before)
    res = run("match", str(fake), str(ls), "--plot", str(fake))
    assert res.returncode == 2 and "input" in res.stderr
    assert fake.read_bytes() == before
    res = run("match", str(p), str(ls), "-o", str(tmp_path / "x.png"), "--format", "csv",
              "--plot", str(tmp_path / "x.png"))  # fmt: skip
    assert res.returncode == 2 and "--plot and --output" in res.stderr
    assert not (tmp_path / "x.png").exists()
    res = run("match", str(p), str(ls), "--plot", str(tmp_path / "fig.jpg"))
    assert res.returncode == 2 and ".png, .svg, .pdf" in res.stderr
    assert res.stdout == ""  # refused before any work
    res = run("match", str(p), str(ls), "--plot", str(tmp_path / "missing" / "fig.png"))
    assert res.returncode == 2 and "does not exist" in res.stderr


def test_cli_plot_without_matplotlib_is_a_usage_error(
    small_files: tuple[Path, Path], tmp_path: Path
) -> None:
    p, ls = small_files
    code = (
        "import sys; sys.modules['matplotlib'] = None; from peermatch.cli._main import main; "
        f"sys.exit(main(['match', {str(p)!r}, {str(ls)!r}, '--plot', "
        f"{str(tmp_path / 'f.png')!r}]))"
    )
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert res.returncode == 2
    assert "pip install 'peermatch[plot]'" in res.stderr and "Traceback" not in res.stderr
    assert not (tmp_path / "f.png").exists()
