"""Sphinx extension: generate peermatch's reference pages and example outputs at build time.

On ``builder-inited`` it writes into ``docs/_generated/``:

- the reference pages of ``peermatch_docgen`` beside this file (data dictionary, criteria
  kinds, presets, default configuration, solvers, command line, API directives), built from
  the code itself;
- example outputs of the bundled cohort: what the command line prints for ``validate``,
  ``match`` and ``explain``, the first rows of the match CSV, and the figures of
  :mod:`peermatch.display._plots`;
- the planning page's outputs (:func:`planning`): ``gaps`` and ``simulate`` on the bundled
  cohort, and the table of caseloads under ``balance``.

Pages include these files, so the documentation always shows what this version does. A file is
rewritten only when its content changes.
"""

from __future__ import annotations

import contextlib
import io
import tempfile
from pathlib import Path
from typing import Any

EXAMPLE_PARTICIPANT = "P0001"


def solver_order() -> list[str]:
    """Registered solvers, the default first."""
    from peermatch import SOLVERS

    return sorted(SOLVERS, key=lambda n: (n != "hungarian", n))


def _write(path: Path, data: str | bytes) -> None:
    old = path.read_bytes() if path.exists() else None
    new = data.encode("utf-8") if isinstance(data, str) else data
    if old != new:
        path.write_bytes(new)


def _cli(args: list[str], root: Path, *, expect: int = 0) -> tuple[str, str]:
    """Run the command line in-process from the repository root; return (stdout, stderr)."""
    from peermatch.cli._main import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.chdir(root), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(args)
    if code != expect:
        raise RuntimeError(f"peermatch {' '.join(args)} exited with {code}: {err.getvalue()}")
    return out.getvalue(), err.getvalue()


#: A configuration with mistakes, to show the error messages.
BAD_CONFIG = """\
solver = "fastest"

[criteria.age]
wieght = 0.5
"""


def _config_error(root: Path) -> str:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "config.toml"
        path.write_text(BAD_CONFIG, encoding="utf-8")
        args = ["validate", "examples/participants.csv", "examples/peers.csv"]
        _, err = _cli([*args, "--config", str(path)], root, expect=2)
    shown = " ".join([*args, "--config", "config.toml"])
    return f"$ cat config.toml\n{BAD_CONFIG}\n$ peermatch {shown}\n" + err.replace(
        str(path), "config.toml"
    )


def _examples(folder: Path, root: Path) -> None:
    import peermatch

    p_csv, l_csv = "examples/participants.csv", "examples/peers.csv"
    out, _ = _cli(["validate", p_csv, l_csv], root)
    _write(folder / "validate.txt", out)
    with tempfile.TemporaryDirectory() as tmp:
        csv_path, png_path = str(Path(tmp) / "matches.csv"), str(Path(tmp) / "summary.png")
        _, err = _cli(["match", p_csv, l_csv, "-o", csv_path, "--plot", png_path], root)
        head = Path(csv_path).read_text(encoding="utf-8").splitlines()[:4]
        _write(folder / "summary.png", Path(png_path).read_bytes())
    err = err.replace(csv_path, "matches.csv").replace(png_path, "summary.png")
    _write(folder / "match-stderr.txt", err)
    _write(folder / "matches-head.csv", "\n".join(head) + "\n")
    out, _ = _cli(["explain", p_csv, l_csv, "--participant", EXAMPLE_PARTICIPANT], root)
    _write(folder / "explain.txt", out)

    _write(folder / "config-error.txt", _config_error(root))

    participants = peermatch.read_participants(root / p_csv)
    peers = peermatch.read_peers(root / l_csv)
    result = peermatch.match(participants, peers)
    results = {name: peermatch.match(participants, peers, solver=name) for name in solver_order()}
    scores = peermatch.score(participants, peers)
    match = result.match_for(EXAMPLE_PARTICIPANT)
    assert match is not None
    rival = next(
        (m.peer_id for m in results["stable"].matches if m.participant_id == EXAMPLE_PARTICIPANT),
        match.peer_id,
    )
    rows = [
        "| solver | matched | mean score | lowest score | best-scoring leader | blocking pairs |",
        "|---|---|---|---|---|---|",
    ]
    for name, r in results.items():
        mt = r.metrics
        rows.append(
            f"| `{name}` | {mt['n_matched']} of {mt['n_participants']} "
            f"| {mt['mean_score']:.3f} | {mt['min_score']:.3f} "
            f"| {100 * mt['rank1_share']:.0f}% | {mt['blocking_pairs']} |"
        )
    _write(folder / "solver-comparison.md", "\n".join(rows) + "\n")

    figures = {
        "distribution.png": peermatch.plot_score_distribution(results),
        "load.png": peermatch.plot_leader_load(result),
        "contributions.png": peermatch.plot_contributions(
            result, EXAMPLE_PARTICIPANT, versus=None if rival == match.peer_id else rival
        ),
        "heatmap.png": peermatch.plot_score_heatmap(
            scores, participants=scores.participant_ids[:30], result=result
        ),
        "graph.png": peermatch.plot_match_graph(peermatch.match(participants[:24], peers[:6])),
    }
    for name, fig in figures.items():
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=80)
        _write(folder / name, buf.getvalue())


#: The ``simulate`` run shown on the planning page.
SIMULATE_ARGS = ["--reps", "10", "--seed", "1"]

#: The ``balance`` values of the planning page's table.
BALANCES = (0.0, 0.1, 0.2, 0.5, 2.0)


def balance_rows(participants: Any, peers: Any) -> list[dict[str, Any]]:
    """One row per value of :data:`BALANCES`: what ``hungarian`` does with it."""
    import numpy as np

    import peermatch

    rows = []
    for b in BALANCES:
        result = peermatch.match(participants, peers, peermatch.MatchConfig(balance=b))
        loads = [x for x in result.peer_load.values() if x.active and x.capacity > 0]
        shares = np.array([x.assigned / x.capacity for x in loads])
        lightest = sorted(loads, key=lambda x: (x.assigned / x.capacity, x.peer_id))[:2]
        rows.append(
            {
                "balance": b,
                "matched": int(result.metrics["n_matched"]),
                "participants": int(result.metrics["n_participants"]),
                "mean_score": float(result.metrics["mean_score"]),
                "spread": float(shares.std()),
                "full": sum(x.assigned >= x.capacity for x in loads),
                "active": len(loads),
                "lightest": [(x.assigned, x.capacity) for x in lightest],
            }
        )
    return rows


def balance_md(rows: list[dict[str, Any]]) -> str:
    """The rows of :func:`balance_rows` as a Markdown table."""
    out = [
        "| `balance` | matched | mean score | spread of load / capacity | leaders full "
        "| two lightest loads |",
        "|---|---|---|---|---|---|",
    ]
    for r in rows:
        light = ", ".join(f"{a} of {c}" for a, c in r["lightest"])
        out.append(
            f"| {r['balance']:g} | {r['matched']} of {r['participants']} | {r['mean_score']:.4f} "
            f"| {r['spread']:.3f} | {r['full']} of {r['active']} | {light} |"
        )
    return "\n".join(out) + "\n"


def planning(folder: Path, root: Path) -> None:
    """Write the planning page's outputs: ``gaps``, ``simulate`` and the ``balance`` table."""
    import peermatch

    p_csv, l_csv = "examples/participants.csv", "examples/peers.csv"
    out, _ = _cli(["gaps", p_csv, l_csv], root)
    _write(folder / "gaps.txt", out)
    out, _ = _cli(["simulate", p_csv, l_csv, *SIMULATE_ARGS], root)
    _write(folder / "simulate.txt", out)
    participants = peermatch.read_participants(root / p_csv)
    peers = peermatch.read_peers(root / l_csv)
    _write(folder / "balance.md", balance_md(balance_rows(participants, peers)))


def generate(app: Any) -> None:
    """Write every generated file (connected to ``builder-inited``)."""
    from peermatch_docgen import write_all

    folder = Path(app.srcdir) / "_generated"
    write_all(folder)
    _examples(folder, Path(app.srcdir).parent)
    planning(folder, Path(app.srcdir).parent)


def setup(app: Any) -> dict[str, Any]:
    """Register the generator with Sphinx."""
    app.connect("builder-inited", generate)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
