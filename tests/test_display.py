"""Notebook display (HTML), readable reprs, explanations as objects and pandas export."""

from __future__ import annotations

import sys
from html.parser import HTMLParser

import numpy as np
import pytest

from peermatch import Explanation, MatchResult, Participant, PeerLeader, match, score
from peermatch.matching._display import explanation_html, result_html
from peermatch.profiles._demo import generate_cohort
from peermatch.scoring._view import SCORE_TABLE_MAX


class _Cells(HTMLParser):
    """Collect table rows and check that tags nest properly."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.rows: list[list[str]] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.stack.append(tag)
        if tag == "tr":
            self.rows.append([])
        if tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        assert self.stack and self.stack[-1] == tag, (self.stack, tag)
        self.stack.pop()
        if tag in ("td", "th") and self._cell is not None:
            self.rows[-1].append("".join(self._cell).strip())
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def parse(html: str) -> _Cells:
    p = _Cells()
    p.feed(html)
    p.close()
    assert p.stack == []
    return p


def small() -> tuple[list[Participant], list[PeerLeader]]:
    ps = [
        Participant(id="P1", age=30, languages="en", life_stage="student", preferred="L2;L1"),
        Participant(id="P2", age=70, languages="en", life_stage="retired"),
        Participant(id="P3", age=45, languages="fr", life_stage="working_full_time"),
    ]
    ls = [
        PeerLeader(id="L1", age=68, languages="en", life_stage="retired", capacity=1),
        PeerLeader(id="L2", age=28, languages="en", life_stage="student", capacity=1),
        PeerLeader(id="L3", age=50, languages="en", capacity=2, active=False),
    ]
    return ps, ls


@pytest.fixture(scope="module")
def result() -> MatchResult:
    return match(*small())


# -- reprs ----------------------------------------------------------------------------------


def test_reprs_are_one_readable_line(result: MatchResult) -> None:
    assert repr(result) == (
        "<MatchResult solver='hungarian': 2 of 3 matched, mean score "
        f"{result.metrics['mean_score']:.3f}, 1 unmatched>"
    )
    sm = score(*small())
    assert repr(sm).startswith("<ScoreMatrix 3 participants x 3 peer leaders, ")
    assert "\n" not in repr(sm)
    e = result.explanation("P1")
    assert repr(e) == f"<Explanation of P1: matched with L2 (score {e.score:.3f})>"
    assert repr(result.explanation("P3")) == "<Explanation of P3: unmatched>"
    m = result.match_for("P1")
    assert m is not None and m.contributions
    assert repr(m) == (
        f"Match(participant_id='P1', peer_id='L2', score={m.score!r}, rank=1, preferred_rank=1)"
    )


def test_unmatched_text_reads_well_for_one_leader() -> None:
    ps = [Participant(id=f"P{i}", age=40, languages="en") for i in range(3)]
    r = match(ps, [PeerLeader(id="L1", age=40, languages="en", capacity=2)])
    assert r.unmatched[0].text == "the only feasible leader was full"


# -- MatchResult HTML -------------------------------------------------------------------------


def test_result_html_lists_unmatched_matches_and_load(result: MatchResult) -> None:
    html = result._repr_html_()
    rows = parse(html).rows
    assert ["P3", "no_feasible_leader", result.unmatched[0].text] in rows
    matched = [r for r in rows if r[:2] in (["P1", "L2"], ["P2", "L1"])]
    assert len(matched) == 2
    assert matched[0][2] == f"{result.match_for('P1').score:.3f}"  # type: ignore[union-attr]
    assert any(r[0] == "L3" and r[-1] == "paused" for r in rows)
    assert "2 of 3 participants matched" in html
    assert result.manifest.config_hash[:12] in html


def test_result_html_truncates_long_tables() -> None:
    ps, ls = generate_cohort(70, 10, seed=3)
    r = match(ps, ls)
    html = result_html(r, max_rows=10)
    assert f"{len(r.matches) - 10} more matches" in html
    rows = parse(html).rows
    assert len([row for row in rows if row and row[0].startswith("P")]) <= 20


def test_result_html_escapes_everything() -> None:
    r = match(*small())
    html = result_html(r)
    assert "<script" not in html
    text = explanation_html("Participant <b>&</b> is matched.\n  Why:\n    +0.100  a <i>")
    assert "&lt;b&gt;&amp;&lt;/b&gt;" in text and "a &lt;i&gt;" in text


# -- explanations -----------------------------------------------------------------------------


def test_explanation_is_the_explain_text_with_structure(result: MatchResult) -> None:
    for pid in result.participant_ids():
        e = result.explanation(pid, alternatives=2)
        assert isinstance(e, Explanation)
        assert str(e) == result.explain(pid, alternatives=2)
        assert isinstance(result.explain(pid), str)
    e = result.explanation("P1")
    m = result.match_for("P1")
    assert m is not None and e.matched and e.peer_id == "L2" and e.score == m.score
    assert dict(e.contributions) == dict(m.contributions)
    un = result.explanation("P3")
    assert not un.matched and un.score is None and un.contributions == {}
    with pytest.raises(KeyError):
        result.explanation("nobody")


def test_explanation_html_renders_contributions_as_bars(result: MatchResult) -> None:
    e = result.explanation("P1")
    html = e._repr_html_()
    rows = parse(html).rows
    shares = [r for r in rows if r and r[0].startswith("+")]
    n_lines = sum(1 for line in e.text.splitlines() if line.strip().startswith("+"))
    assert len(shares) == n_lines > 0
    assert html.count("background:#4c72b0") == n_lines
    assert "<strong>Participant P1 is matched with peer leader L2.</strong>" in html
    un = parse(result.explanation("P3")._repr_html_())
    assert un.stack == []


def test_explanation_pretty_prints_its_text(result: MatchResult) -> None:
    class Printer:
        def __init__(self) -> None:
            self.out: list[str] = []

        def text(self, s: str) -> None:
            self.out.append(s)

    p = Printer()
    e = result.explanation("P2")
    e._repr_pretty_(p, False)
    assert p.out == [e.text]


# -- ScoreMatrix HTML -------------------------------------------------------------------------


def test_small_score_matrix_shows_every_pair() -> None:
    sm = score(*small())
    rows = parse(sm._repr_html_()).rows
    assert rows[0] == ["", "L1", "L2", "L3"]
    body = {r[0]: r[1:] for r in rows[1:]}
    assert set(body) == {"P1", "P2", "P3"}
    for i, pid in enumerate(sm.participant_ids):
        assert body[pid] == [f"{v:.3f}" for v in sm.values[i]]
    html = sm._repr_html_()
    # infeasible pairs carry their reason as a tooltip
    assert html.count("line-through") == int((~sm.feasible).sum())
    assert 'title="leader_inactive"' in html and 'title="hard_criterion:languages"' in html


def test_large_score_matrix_is_summarised() -> None:
    ps, ls = generate_cohort(SCORE_TABLE_MAX + 5, 6, seed=2)
    sm = score(ps, ls)
    html = sm._repr_html_()
    rows = parse(html).rows
    assert len(rows) < 10  # only the exclusion-reason table
    assert "median" in html and "Too large to show as a table" in html
    counts = {r[0]: int(r[1]) for r in rows[1:]}
    assert sum(counts.values()) == int((~sm.feasible).sum())


# -- pandas -----------------------------------------------------------------------------------


def test_result_to_pandas_matches_records(result: MatchResult) -> None:
    df = result.to_pandas()
    assert list(df.columns) == [
        "participant_id",
        "peer_id",
        "status",
        "score",
        "rank",
        "reason",
        "preferred_rank",
    ]
    assert df["participant_id"].tolist() == ["P1", "P2", "P3"]
    assert df["status"].tolist() == ["matched", "matched", "unmatched"]
    assert str(df["rank"].dtype) == "Int64" and df["rank"].isna().tolist() == [False, False, True]
    assert np.isnan(df["score"].iloc[2])
    assert df["preferred_rank"].iloc[0] == 1
    records = result.to_records()
    assert df["score"].iloc[:2].tolist() == [r["score"] for r in records[:2]]


def test_result_to_pandas_with_contributions_sums_to_score(result: MatchResult) -> None:
    df = result.to_pandas(contributions=True)
    cols = [c for c in df.columns if c.startswith("contribution_")]
    assert cols == [f"contribution_{n}" for n in result.config.criteria]
    sums = df[cols].sum(axis=1, skipna=False)
    assert sums.iloc[:2].tolist() == pytest.approx(df["score"].iloc[:2].tolist())
    assert df[cols].iloc[2].isna().all()


def test_score_matrix_to_pandas_long_and_wide() -> None:
    ps, ls = small()
    sm = score(ps, ls, components=True)
    long = sm.to_pandas()
    assert len(long) == 9
    assert list(long.columns[:5]) == ["participant_id", "peer_id", "score", "feasible", "reason"]
    assert list(long.columns[5:]) == [f"similarity_{n}" for n in sm.criteria]
    row = long[(long.participant_id == "P3") & (long.peer_id == "L1")].iloc[0]
    assert row["reason"] == sm.reason("P3", "L1") and not row["feasible"]
    assert row["score"] == sm.get("P3", "L1")
    wide = sm.to_pandas("wide")
    assert wide.shape == (3, 3)
    assert wide.index.name == "participant_id" and wide.columns.name == "peer_id"
    assert wide.loc["P2", "L1"] == sm.get("P2", "L1")
    masked = sm.to_pandas("wide", mask_infeasible=True)
    assert masked.isna().to_numpy().tolist() == (~sm.feasible).tolist()
    assert sm.to_pandas(mask_infeasible=True)["score"].isna().sum() == int((~sm.feasible).sum())
    plain = score(ps, ls).to_pandas()
    assert list(plain.columns) == ["participant_id", "peer_id", "score", "feasible", "reason"]
    with pytest.raises(ValueError, match="'long' or 'wide'"):
        sm.to_pandas("tall")  # type: ignore[arg-type]


def test_pandas_frames_do_not_share_memory_with_the_matrix() -> None:
    sm = score(*small())
    wide = sm.to_pandas("wide")
    wide.iloc[0, 0] = -1.0
    long = sm.to_pandas()
    long.loc[0, "score"] = -1.0
    assert sm.values.min() >= 0.0


@pytest.mark.parametrize(
    "call",
    [
        lambda r, sm: r.to_pandas(),
        lambda r, sm: sm.to_pandas(),
        lambda r, sm: sm.to_pandas("wide"),
    ],
)
def test_to_pandas_without_pandas_says_how_to_install(
    monkeypatch: pytest.MonkeyPatch, call: object
) -> None:
    ps, ls = small()
    r, sm = match(ps, ls), score(ps, ls)
    monkeypatch.setitem(sys.modules, "pandas", None)
    with pytest.raises(ImportError, match=r"pip install 'peermatch\[pandas\]'"):
        call(r, sm)  # type: ignore[operator]


def test_display_needs_no_optional_dependency(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pandas", None)
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    ps, ls = small()
    assert "<table" in match(ps, ls)._repr_html_()
    assert "<table" in score(ps, ls)._repr_html_()
