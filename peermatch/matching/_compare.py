"""Compare solvers and configurations on one cohort, side by side (``docs/choice.md``).

Each objective has a cost: ``hungarian`` gives the best total score but may leave blocking
pairs; ``stable`` leaves none and honours ranked choices but may lower the total; ``maximin``
lifts the worst-off participant; ``greedy`` is what a coordinator would do by hand. A
:class:`Comparison` runs several of them (or several configurations) on the same cohort and
shows their metrics next to each other, so a coordinator can see what each choice costs.

Examples
--------
>>> from peermatch import Participant, PeerLeader
>>> ps = [Participant(id="P1", age=30, languages="en", life_stage="student"),
...       Participant(id="P2", age=70, languages="en", life_stage="retired", preferred="L2")]
>>> ls = [PeerLeader(id="L1", age=68, languages="en", life_stage="retired", capacity=1),
...       PeerLeader(id="L2", age=28, languages="en", life_stage="student", capacity=1)]
>>> cmp = compare(ps, ls, solvers=["hungarian", "stable"])
>>> [run.label for run in cmp.runs]
['hungarian', 'stable']
>>> cmp.results["stable"].pairs
{'P1': 'L2', 'P2': 'L1'}
>>> cmp.runs[1].metrics["blocking_pairs"]
0
>>> print(cmp.to_text().splitlines()[2])
matched                                2 of 2    2 of 2
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from os import PathLike
from pathlib import Path
from typing import Any

from peermatch._version import __version__
from peermatch.errors import InputError, Problem
from peermatch.matching._match import solve_scored
from peermatch.matching._results import MatchResult
from peermatch.profiles._models import Participant, PeerLeader
from peermatch.scoring._config import MatchConfig, as_config
from peermatch.scoring._scorer import _as_list, build_scorer
from peermatch.solvers import SOLVERS
from peermatch.solvers._solve import check_solver_name

__all__ = ["TABLE_ROWS", "Comparison", "Run", "compare"]


def _count(value: float | int, mt: Mapping[str, float | int]) -> str:
    return f"{int(value)}"


def _matched(value: float | int, mt: Mapping[str, float | int]) -> str:
    return f"{int(value)} of {int(mt['n_participants'])}"


def _share(value: float | int, mt: Mapping[str, float | int]) -> str:
    return f"{100 * float(value):.1f}%"


def _choice(value: float | int, mt: Mapping[str, float | int]) -> str:
    return _share(value, mt) if mt.get("n_with_preferences") else "-"


def _score(value: float | int, mt: Mapping[str, float | int]) -> str:
    return f"{float(value):.3f}" if mt.get("n_matched") else "-"


Formatter = Callable[[float | int, Mapping[str, float | int]], str]

#: Rows of the text table: (metric key, label, formatter).
TABLE_ROWS: tuple[tuple[str, str, Formatter], ...] = (
    ("n_matched", "matched", _matched),
    ("match_rate", "match rate", _share),
    ("mean_score", "mean score", _score),
    ("min_score", "lowest score", _score),
    ("score_q1", "score, lower quartile", _score),
    ("score_median", "score, median", _score),
    ("score_q3", "score, upper quartile", _score),
    ("rank1_share", "matched to best-scoring leader", _share),
    ("n_with_preferences", "participants who ranked leaders", _count),
    ("first_choice_share", "got their first choice", _choice),
    ("top3_choice_share", "got a top-3 choice", _choice),
    ("blocking_pairs", "blocking pairs", _count),
    ("unmatched_no_feasible_leader", "unmatched: no feasible leader", _count),
    ("unmatched_capacity", "unmatched: feasible leaders full", _count),
    ("leader_utilisation", "leader utilisation", _share),
    ("leaders_used", "leaders used", _count),
)


@dataclass(frozen=True)
class Run:
    """One solver with one configuration, and its result.

    Attributes
    ----------
    label : str
        Column title: the solver, the configuration name, or both.
    solver : str
    config_name : str
    result : MatchResult
    """

    label: str
    solver: str
    config_name: str
    result: MatchResult

    @property
    def metrics(self) -> Mapping[str, float | int]:
        """The result's metrics."""
        return self.result.metrics


@dataclass(frozen=True)
class Comparison:
    """Several runs on one cohort, with their metrics side by side.

    Attributes
    ----------
    runs : tuple of Run
        In the order asked for (configurations, then solvers).
    """

    runs: tuple[Run, ...]

    @property
    def results(self) -> dict[str, MatchResult]:
        """``label -> MatchResult`` of every run."""
        return {run.label: run.result for run in self.runs}

    def to_records(self) -> list[dict[str, Any]]:
        """One dictionary per run: label, solver, config, config hash, then every metric."""
        return [
            {
                "run": run.label,
                "solver": run.solver,
                "config": run.config_name,
                "config_hash": run.result.manifest.config_hash,
                **run.metrics,
            }
            for run in self.runs
        ]

    def to_csv(self, path: str | Path | None = None) -> str:
        """Write one CSV row per run atomically; return the text."""
        from peermatch._core.files import csv_text, write_text_atomic

        records = self.to_records()
        header: list[str] = list(dict.fromkeys(k for r in records for k in r))
        text = csv_text(header, [[r.get(h) for h in header] for r in records])
        if path is not None:
            write_text_atomic(path, text)
        return text

    def to_dict(self) -> dict[str, Any]:
        """Everything in plain JSON-ready form."""
        first = self.runs[0].result.manifest if self.runs else None
        return {
            "peermatch_version": __version__,
            "input_hash": first.input_hash if first else None,
            "runs": [
                {
                    "label": run.label,
                    "solver": run.solver,
                    "config": run.config_name,
                    "config_hash": run.result.manifest.config_hash,
                    "metrics": {
                        k: (None if isinstance(v, float) and not math.isfinite(v) else v)
                        for k, v in run.metrics.items()
                    },
                }
                for run in self.runs
            ],
        }

    def to_json(self, path: str | Path | None = None) -> str:
        """Write the comparison as JSON atomically; return the text."""
        from peermatch._core.files import write_text_atomic

        text = json.dumps(self.to_dict(), indent=2, ensure_ascii=False) + "\n"
        if path is not None:
            write_text_atomic(path, text)
        return text

    def to_text(self) -> str:
        """A readable table: one column per run, one row per metric."""
        header = ["", *(run.label for run in self.runs)]
        body: list[list[str]] = []
        if any(run.label != run.solver for run in self.runs):
            body.append(["solver", *(run.solver for run in self.runs)])
        if any(run.config_name != "default" for run in self.runs):
            body.append(["config", *(run.config_name for run in self.runs)])
        for key, label, fmt in TABLE_ROWS:
            body.append([label, *(fmt(run.metrics.get(key, 0), run.metrics) for run in self.runs)])
        widths = [max(len(row[c]) for row in [header, *body]) for c in range(len(header))]
        rule = ["-" * w for w in widths]

        def line(row: list[str]) -> str:
            cells = [row[0].ljust(widths[0] + 2)]
            cells += [cell.rjust(max(widths[c], 8) + 2) for c, cell in enumerate(row[1:], 1)]
            return "".join(cells).rstrip()

        return "\n".join(line(row) for row in [header, rule, *body]) + "\n"

    def __str__(self) -> str:
        return self.to_text()

    def __repr__(self) -> str:
        labels = ", ".join(run.label for run in self.runs)
        return f"<Comparison of {len(self.runs)} runs: {labels}>"

    def _repr_html_(self) -> str:  # pragma: no cover - notebook display
        import html

        return f"<pre>{html.escape(self.to_text())}</pre>"


def _named_configs(
    configs: MatchConfig | Mapping[str, MatchConfig] | Sequence[MatchConfig],
) -> list[tuple[str, MatchConfig]]:
    if isinstance(configs, MatchConfig | str | PathLike):
        configs = [as_config(configs, "configs")]
    if isinstance(configs, Mapping):
        items = [(str(name), cfg) for name, cfg in configs.items()]
    else:
        items = []
        seen: dict[str, int] = {}
        for cfg in configs:
            base = cfg.preset if isinstance(cfg, MatchConfig) else "config"
            seen[base] = seen.get(base, 0) + 1
            items.append((base if seen[base] == 1 else f"{base}-{seen[base]}", cfg))
    bad = [name for name, cfg in items if not isinstance(cfg, MatchConfig)]
    if bad:
        raise InputError(
            [Problem(None, None, "configs", f"{name!r} is not a MatchConfig") for name in bad]
        )
    if not items:
        raise InputError([Problem(None, None, "configs", "give at least one configuration")])
    return items


def compare(
    participants: Iterable[Participant],
    peers: Iterable[PeerLeader],
    *,
    solvers: Sequence[str] | None = None,
    configs: MatchConfig | Mapping[str, MatchConfig] | Sequence[MatchConfig] | None = None,
) -> Comparison:
    """Run several solvers and/or configurations on one cohort and compare their metrics.

    Parameters
    ----------
    participants : iterable of Participant
    peers : iterable of PeerLeader
    solvers : sequence of str, keyword-only, optional
        Registered solver names. Default: every registered solver when no ``configs`` are
        given, else each configuration's own solver.
    configs : MatchConfig, mapping of str to MatchConfig, or sequence of MatchConfig, \
keyword-only, optional
        Named configurations (a sequence is named after each preset). Default: the
        ``participant_centred`` preset. With both ``solvers`` and ``configs``, every solver
        runs with every configuration.

    Returns
    -------
    Comparison
        One run per (configuration, solver), each with the same :class:`MatchResult` (and so
        the same metrics) that :func:`peermatch.match` gives for it.

    Raises
    ------
    InputError
        An unknown solver (the valid ones are listed), an item of ``configs`` that is not a
        :class:`MatchConfig`, duplicate ids or items that are not profiles.

    Notes
    -----
    The cohort is encoded once per configuration. Labels are the solver names when only
    solvers vary, the configuration names when only configurations vary, else
    ``"config / solver"``.
    """
    if solvers is not None:
        if isinstance(solvers, str):
            solvers = [solvers]
        names = list(dict.fromkeys(check_solver_name(s) for s in solvers))
        if not names:
            raise InputError([Problem(None, None, "solvers", "give at least one solver")])
    named = [("default", MatchConfig())] if configs is None else _named_configs(configs)
    ps = _as_list(participants, Participant, "participants")
    ls = _as_list(peers, PeerLeader, "peers")
    plan: list[tuple[str, MatchConfig, str]] = []
    for cname, cfg in named:
        if solvers is not None:
            plan += [(cname, cfg, s) for s in names]
        elif configs is None:
            plan += [(cname, cfg, s) for s in sorted(SOLVERS)]
        else:
            plan.append((cname, cfg, cfg.solver))
    runs: list[Run] = []
    scorers = {}
    for cname, cfg, solver in plan:
        if cname not in scorers:
            scorers[cname] = build_scorer(ps, ls, cfg)
        if configs is None or (solvers is not None and len(named) == 1):
            label = solver
        elif solvers is None or len(names) == 1:
            label = cname
        else:
            label = f"{cname} / {solver}"
        runs.append(Run(label, solver, cname, solve_scored(scorers[cname], solver)))
    return Comparison(tuple(runs))
