r"""Programme simulations for comparing matching policies (``docs/planning.md``).

:func:`simulate` draws many cohorts — bootstrap resamples of a given cohort, or cohorts of the
demo generator with a stated mix — and runs every *policy* (a configuration with a solver, or
with participant choice) on each, then reports, per policy, the mean and the 5th–95th
percentile band over the replicates of: the match rate, the share of participants whose
``must`` and ``high`` criteria are met, the first-choice rate under choice, the spread of
leaders' load relative to capacity, what a year of endings and re-matching leaves, and how
many leaders are needed to match 95 % of the participants.

Policies
--------
Each policy is a configuration with a solver: a registered solver (``hungarian``, ``stable``,
``maximin``, ``greedy``), or ``choice``: every participant gets a shortlist (the ``k`` best
feasible leaders with room, under the exposure cap of :func:`~peermatch.shortlist`), ranks it
with the *choice model*, and ``stable`` matches on those rankings. Within a replicate every
policy sees the same cohort.

Models (plug-ins)
-----------------
The choice model is any callable ``choice(scores, rng) -> order``: ``scores`` is an
``(n, k)`` array of each participant's shortlist scores, best first, NaN where a list is
shorter; ``order`` an ``(n, k)`` integer array giving, per row, the positions the participant
ranks, first choice first, ``-1`` for the rest (a participant may rank fewer). It may carry
``k`` (list length, default 3) and ``exposure`` (default 2) attributes, and a ``describe()``
method for the report. The default is :class:`LogitChoice`.

The drop-out model is any callable ``dropout(scores, rng) -> ends``: ``scores`` holds the
score of every matched pair under the ``participant_centred`` preset (the same yardstick for
every policy), ``ends`` says which pairs end during the year. Ended pairs are
re-matched with :func:`~peermatch.rematch` (working pairs kept, ended pairs never again, the
policy's solver; under choice, the same rankings). The default is :class:`ScoreDropout`;
``dropout=None`` skips the year.

Randomness
----------
``numpy.random.SeedSequence(seed)`` is spawned into one sequence per replicate, and each of
those into the cohort draw, the leader pool and one sequence per policy (choices, endings), so
the same seed gives the same report, and a replicate's cohort does not depend on the policies.

Bands
-----
Each band is the 5th and 95th percentile of a metric over the replicates in which it is
defined (:func:`numpy.percentile`, linear interpolation between order statistics); the mean is
shown beside it.
"""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from peermatch._core.checks import check_number, check_whole_number
from peermatch._core.text import did_you_mean, shown
from peermatch._version import __version__
from peermatch.errors import InputError, Problem
from peermatch.matching._compare import _named_configs
from peermatch.matching._match import solve_scored
from peermatch.matching._results import MatchResult
from peermatch.profiles._demo import generate_cohort
from peermatch.profiles._models import CRITERION_FIELDS, Participant, PeerLeader
from peermatch.profiles._vocab import Importance
from peermatch.programme._rematch import rematch
from peermatch.programme._shortlist import allocate, exposure_limits
from peermatch.scoring._config import Criterion, MatchConfig
from peermatch.scoring._criteria import both_given, similarity
from peermatch.scoring._encode import encode
from peermatch.scoring._scorer import PASS_TOLERANCE, Scorer, _as_list, build_scorer
from peermatch.solvers import SOLVERS
from peermatch.solvers._common import ArrayProblem, Preferences
from peermatch.solvers._solve import check_balance, run_solver

__all__ = [
    "BAND",
    "CHOICE",
    "METRICS",
    "DemoCohorts",
    "LogitChoice",
    "ScoreDropout",
    "Simulation",
    "simulate",
]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]

#: The policy name for participant choice (a shortlist, the choice model, then ``stable``).
CHOICE = "choice"

#: The percentiles of every band.
BAND = (5.0, 95.0)

#: Metric key -> (label, meaning), in report order.
METRICS: dict[str, tuple[str, str]] = {
    "match_rate": ("match rate", "share of participants matched"),
    "mean_score": (
        "mean score (participant-centred)",
        "mean score of the matched pairs under the participant_centred preset, whatever the "
        "policy's configuration",
    ),
    "stated_met": (
        "'must' and 'high' criteria met",
        "share of the participants who mark a criterion must or high whose every such "
        "criterion their leader meets",
    ),
    "first_choice": (
        "first choice (choice only)",
        "share of those who ranked leaders who got their first choice",
    ),
    "load_spread": (
        "spread of load / capacity",
        "standard deviation of assigned / capacity over active leaders with capacity",
    ),
    "ended": ("pairs ending in the year", "share of matched pairs the drop-out model ends"),
    "year_end_match_rate": (
        "matched at year end",
        "share of participants matched after the ended pairs are re-matched",
    ),
    "leaders_needed": (
        "leaders needed for the target",
        "fewest leaders from the pool that match at least the target share",
    ),
}


# -- models ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class LogitChoice:
    r"""Participants rank their shortlist by a multinomial logit on the scores.

    Parameters
    ----------
    k : int
        Shortlist length (default 3).
    temperature : float
        ``T`` below (default 0.1): small values follow the scores closely, large values choose
        almost at random.
    exposure : float or None
        Exposure cap of the shortlists (default 2, as :func:`peermatch.shortlist`).

    Notes
    -----
    The ranking is drawn from the Plackett–Luce model: the first choice is leader ``j`` with
    probability :math:`e^{s_j/T} / \sum_l e^{s_l/T}` over the list, the second is drawn the same
    way from the rest, and so on. It is sampled exactly by sorting :math:`s_j/T + G_j` with
    independent standard Gumbel noise :math:`G_j`. Every listed leader is ranked.

    Examples
    --------
    >>> import numpy as np
    >>> LogitChoice(temperature=1e-9)(np.array([[0.9, 0.7, np.nan]]), np.random.default_rng(0))
    array([[ 0,  1, -1]])
    """

    k: int = 3
    temperature: float = 0.1
    exposure: float | None = 2.0

    def __post_init__(self) -> None:
        check_whole_number(self.k, "k", low=1, high=100)
        check_number(self.temperature, "temperature", low=1e-12, high=1e6)
        if self.exposure is not None:
            check_number(self.exposure, "exposure", low=1e-9, high=1e6)

    def __call__(self, scores: FloatArray, rng: np.random.Generator) -> IntArray:
        """Ranked positions per row (see the class notes)."""
        listed = np.isfinite(scores)
        keys = np.where(listed, scores / self.temperature + rng.gumbel(size=scores.shape), -np.inf)
        order = np.argsort(-keys, axis=1, kind="stable")
        ranked = np.take_along_axis(listed, order, axis=1)
        out: IntArray = np.where(ranked, order, -1).astype(np.int64)
        return out

    def describe(self) -> str:
        """The model in words, for the report."""
        cap = "no exposure cap" if self.exposure is None else f"exposure cap {self.exposure:g}"
        return (
            f"shortlists of {self.k} ({cap}); each participant ranks every listed leader by a "
            f"multinomial logit (Plackett-Luce) on the scores with temperature {self.temperature:g}"
            ": first choice j with probability exp(s_j/T) / sum exp(s_l/T); then stable"
        )


@dataclass(frozen=True)
class ScoreDropout:
    """Each matched pair ends during the year with a probability that falls with its score.

    Parameters
    ----------
    base : float
        Probability for a perfect match (default 0.05).
    per_point : float
        Added per point the score falls short of 1 (default 0.3): a pair scoring 0.7 ends with
        probability ``0.05 + 0.3 * 0.3 = 0.14``.

    Notes
    -----
    ``P(end) = min(1, base + per_point * (1 - score))``, independently per pair; a poor fit is a
    common reason for people to leave peer support. The ending's reason is ``poor_fit``.

    Examples
    --------
    >>> import numpy as np
    >>> ScoreDropout(base=1.0)(np.array([0.5, 0.9]), np.random.default_rng(0)).tolist()
    [True, True]
    """

    base: float = 0.05
    per_point: float = 0.3

    def __post_init__(self) -> None:
        check_number(self.base, "base", low=0, high=1)
        check_number(self.per_point, "per_point", low=0, high=1)

    def __call__(self, scores: FloatArray, rng: np.random.Generator) -> BoolArray:
        """Which pairs end."""
        p = np.minimum(1.0, self.base + self.per_point * (1.0 - scores))
        out: BoolArray = rng.random(scores.shape) < p
        return out

    def describe(self) -> str:
        """The model in words, for the report."""
        return (
            f"each matched pair ends during the year with probability min(1, {self.base:g} + "
            f"{self.per_point:g} x (1 - score)), reason poor_fit; re-matched with rematch "
            "(working pairs kept)"
        )


ChoiceModel = Callable[[FloatArray, np.random.Generator], IntArray]
DropoutModel = Callable[[FloatArray, np.random.Generator], BoolArray]


def _describe(model: object) -> str:
    describe = getattr(model, "describe", None)
    if callable(describe):
        return str(describe())
    doc = (getattr(model, "__doc__", None) or "").strip().splitlines()
    name = getattr(model, "__name__", type(model).__name__)
    return f"{name}: {doc[0]}" if doc else str(name)


# -- cohorts ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoCohorts:
    """Cohorts drawn from the demo generator, with an optional stated mix of participants.

    Parameters
    ----------
    n_participants, n_peers : int
        Size of each cohort (default 120 and 24).
    mix : mapping of str to float, optional
        ``"field=value" -> share``: that share of each cohort's participants has the value
        (for a set field, among its values), for example ``{"languages=pa": 0.2}``. Conditions
        are taken in order: a participant counts for the first it meets, and the rest of the
        cohort comes from participants meeting none.

    Notes
    -----
    Each replicate calls :func:`~peermatch.generate_cohort` for its leaders and, with a mix,
    draws its participants from a generated pool four times the size (at least 200), with
    replacement within each condition, then renumbers them; leaders' vetoes then name
    participants at random, as the generator's do.
    """

    n_participants: int = 120
    n_peers: int = 24
    mix: Mapping[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        check_whole_number(self.n_participants, "n_participants", low=1, high=100_000)
        check_whole_number(self.n_peers, "n_peers", low=1, high=100_000)
        _check_mix(self.mix)

    def describe(self) -> str:
        """The cohorts in words, for the report."""
        text = (
            f"demo generator, {self.n_participants} participants and {self.n_peers} leaders per "
            "cohort"
        )
        if self.mix:
            parts = ", ".join(f"{share:.0%} with {cond}" for cond, share in self.mix.items())
            text += f"; participants mixed: {parts}"
        return text


def _condition(text: str) -> tuple[str, str]:
    name, _, value = text.partition("=")
    return name.strip(), value.strip()


def _check_mix(mix: Mapping[str, float]) -> None:
    problems: list[Problem] = []
    if not isinstance(mix, Mapping):
        raise InputError([Problem(None, None, "mix", "expected a mapping 'field=value' -> share")])
    total = 0.0
    for cond, share in mix.items():
        name, value = _condition(str(cond))
        if name not in CRITERION_FIELDS or not value:
            hint = did_you_mean(name, CRITERION_FIELDS) if name else ""
            problems.append(
                Problem(None, None, "mix", f"{shown(cond)}: expected field=value{hint}")
            )
        try:
            x = check_number(share, "mix", low=0, high=1)
        except InputError as exc:
            problems += exc.problems
            continue
        total += x or 0.0
    if total > 1 + 1e-9:
        problems.append(Problem(None, None, "mix", f"shares add up to {total:g}, more than 1"))
    if problems:
        raise InputError(problems)


def _has_value(p: Participant, name: str, value: str) -> bool:
    got = getattr(p, name)
    if got is None:
        return False
    items = got if isinstance(got, frozenset) else (got,)
    return any(str(getattr(v, "value", v)).casefold() == value.casefold() for v in items)


def _copies(people: Sequence[Any], picks: Sequence[int]) -> list[Any]:
    """The picked people, the k-th copy of one renamed ``<id>.<k>`` (the first keeps its id)."""
    seen: dict[int, int] = {}
    taken = {x.id for x in people}
    out = []
    for j in picks:
        seen[j] = seen.get(j, 0) + 1
        person = people[j]
        if seen[j] == 1:
            out.append(person)
            continue
        new_id = f"{person.id[:56]}.{seen[j]}"
        while new_id in taken:
            new_id += "x"
        taken.add(new_id)
        out.append(person.model_copy(update={"id": new_id}))
    return out


def _extend_vetoes(people: Sequence[Any], copies_of: Mapping[str, list[str]]) -> list[Any]:
    """Vetoes naming someone also name every copy of them."""
    out = []
    for x in people:
        if x.vetoes and any(v in copies_of for v in x.vetoes):
            more = {c for v in x.vetoes for c in copies_of.get(v, ())}
            x = x.model_copy(update={"vetoes": frozenset(x.vetoes) | more})
        out.append(x)
    return out


def _copy_map(
    copies: Sequence[Any], originals: Sequence[Any], picks: Sequence[int]
) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for person, j in zip(copies, picks, strict=True):
        out.setdefault(originals[j].id, []).append(person.id)
    return out


@dataclass(frozen=True)
class _Bootstrap:
    participants: tuple[Participant, ...]
    peers: tuple[PeerLeader, ...]
    source: str

    def draw(self, rng: np.random.Generator) -> tuple[list[Participant], list[PeerLeader]]:
        n = len(self.participants)
        picks = rng.integers(0, n, size=n).tolist() if n else []
        ps = _copies(self.participants, picks)
        ls = _extend_vetoes(self.peers, _copy_map(ps, self.participants, picks))
        return ps, ls

    def pool(
        self, rng: np.random.Generator, ps: Sequence[Participant], size: int
    ) -> tuple[list[Participant], list[PeerLeader]]:
        usable = [x for x in self.peers if x.active and x.capacity > 0]
        if not usable:
            return list(ps), []
        picks = rng.integers(0, len(usable), size=size).tolist()
        pool = _copies(usable, picks)
        return _extend_vetoes(ps, _copy_map(pool, usable, picks)), pool

    def describe(self) -> str:
        n, m = len(self.participants), len(self.peers)
        return (
            f"bootstrap: {n} participants drawn with replacement from {self.source}'s {n}, with "
            f"its {m} leaders"
        )


@dataclass(frozen=True)
class _Demo:
    spec: DemoCohorts

    def draw(self, rng: np.random.Generator) -> tuple[list[Participant], list[PeerLeader]]:
        s = self.spec
        ps, ls = generate_cohort(s.n_participants, s.n_peers, seed=rng)
        if not s.mix:
            return ps, ls
        pool, _ = generate_cohort(max(4 * s.n_participants, 200), s.n_peers, seed=rng)
        conditions = [_condition(c) for c in s.mix]
        stratum = np.full(len(pool), len(conditions), dtype=np.int64)
        for k, (name, value) in reversed(list(enumerate(conditions))):
            hit = np.array([_has_value(p, name, value) for p in pool], dtype=np.bool_)
            stratum[hit] = k
        shares = [*s.mix.values(), max(0.0, 1.0 - sum(s.mix.values()))]
        counts = _largest_remainder(shares, s.n_participants)
        picks: list[int] = []
        for k, c in enumerate(counts):
            members = np.flatnonzero(stratum == k)
            if c and members.size == 0:
                what = (
                    "meeting none of the conditions"
                    if k == len(conditions)
                    else (f"with {'='.join(conditions[k])}")
                )
                raise InputError(
                    [
                        Problem(
                            None,
                            None,
                            "mix",
                            f"the demo generator gave no participant {what} in a pool of "
                            f"{len(pool)}; choose a more common value or a smaller share",
                        )
                    ]
                )
            picks += members[rng.integers(0, members.size, size=c)].tolist()
        width = max(4, len(str(s.n_participants)))
        chosen = [
            pool[j].model_copy(update={"id": f"P{k:0{width}d}"}) for k, j in enumerate(picks, 1)
        ]
        return chosen, ls

    def pool(
        self, rng: np.random.Generator, ps: Sequence[Participant], size: int
    ) -> tuple[list[Participant], list[PeerLeader]]:
        _, ls = generate_cohort(len(ps) or 1, size, seed=rng)
        return list(ps), [x for x in ls if x.active and x.capacity > 0]

    def describe(self) -> str:
        return self.spec.describe()


def _largest_remainder(shares: Sequence[float], n: int) -> list[int]:
    raw = np.asarray(shares, dtype=np.float64) * n
    counts = np.floor(raw).astype(np.int64)
    rest = int(n - counts.sum())
    counts[np.argsort(-(raw - counts), kind="stable")[:rest]] += 1
    return [int(c) for c in counts]


# -- policies --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Policy:
    """One configuration with one solver (or ``choice``)."""

    label: str
    config_name: str
    config: MatchConfig
    solver: str


def _policies(
    configs: MatchConfig | Mapping[str, MatchConfig] | Sequence[MatchConfig] | None,
    solvers: Sequence[str] | None,
) -> list[Policy]:
    named = (
        [
            ("participant_centred", MatchConfig()),
            ("c2c_baseline", MatchConfig.from_preset("c2c_baseline")),
        ]
        if configs is None
        else _named_configs(configs)
    )
    if isinstance(solvers, str):
        solvers = [solvers]
    names = ["hungarian", CHOICE] if solvers is None else list(dict.fromkeys(solvers))
    valid = [*sorted(SOLVERS), CHOICE]
    problems = [
        Problem(
            None,
            None,
            "solvers",
            f"unknown policy solver {s!r}; expected one of: " + ", ".join(valid),
        )
        for s in names
        if s not in valid
    ]
    if not names:
        problems.append(Problem(None, None, "solvers", "give at least one solver"))
    out = []
    for cname, cfg in named:
        for s in names:
            actual = "stable" if s == CHOICE else s
            if cfg.balance > 0 and actual != "hungarian":
                problems.append(
                    Problem(
                        None,
                        None,
                        "configs",
                        f"{cname!r} has balance = {cfg.balance:g}, which only 'hungarian' uses; "
                        f"drop solver {s!r} or give a configuration without balance",
                    )
                )
            out.append(Policy(f"{cname} / {s}", cname, cfg, s))
    if problems:
        raise InputError(problems)
    return out


# -- one replicate ---------------------------------------------------------------------------


@functools.cache
def _met_config() -> MatchConfig:
    """The comparators deciding whether a stated criterion is met.

    The ``participant_centred`` preset's, and a numeric one for HbA1c.
    """
    crits = dict(MatchConfig().criteria)
    crits["hba1c"] = Criterion(kind="numeric", weight=1.0)
    return MatchConfig(preset="none", criteria=crits)


def _stated_met(
    ps: Sequence[Participant], ls: Sequence[PeerLeader], pairs: Mapping[str, str]
) -> float:
    """Share of participants stating must/high whose every such criterion is met."""
    stating = [
        p
        for p in ps
        if p.importance
        and any(lvl in (Importance.MUST, Importance.HIGH) for lvl in p.importance.values())
    ]
    if not stating:
        return math.nan
    co = encode(ps, ls, _met_config())
    crits = dict(co.criteria)
    ok = {p.id: p.id in pairs for p in stating}
    by_field: dict[str, tuple[list[int], list[int], list[str]]] = {}
    for p in stating:
        if p.id not in pairs:
            continue
        assert p.importance is not None
        for f, lvl in p.importance.items():
            if lvl in (Importance.MUST, Importance.HIGH):
                rows, cols, ids = by_field.setdefault(f, ([], [], []))
                rows.append(co.p_index[p.id])
                cols.append(co.l_index[pairs[p.id]])
                ids.append(p.id)
    for f, (rows, cols, ids) in by_field.items():
        a = co.p.fields[f].take(np.asarray(rows, dtype=np.int64))
        b = co.l.fields[f].take(np.asarray(cols, dtype=np.int64))
        crit = crits[f]
        met = both_given(a, b, outer=False) & (
            similarity(crit, a, b, outer=False) >= crit.threshold - PASS_TOLERANCE
        )
        for pid, good in zip(ids, met.tolist(), strict=True):
            ok[pid] = ok[pid] and bool(good)
    return sum(ok.values()) / len(ok)


def _load_spread(result: MatchResult) -> float:
    shares = [
        x.assigned / x.capacity for x in result.peer_load.values() if x.active and x.capacity > 0
    ]
    return float(np.std(shares)) if shares else math.nan


def _shortlist_scores(
    values: FloatArray,
    feasible: BoolArray,
    capacity: IntArray,
    active: BoolArray,
    k: int,
    exposure: float | None,
) -> tuple[IntArray, FloatArray]:
    """Each participant's shortlist (as :func:`peermatch.shortlist` fills it) and its scores."""
    n, m = values.shape
    spare = np.where(active, capacity, 0).astype(np.int64)
    limit = exposure_limits(spare, k, exposure, n)
    ok = feasible & (spare > 0)[None, :]
    lists, _ = allocate(values, ok, limit, min(k, max(m, 1)))
    scores = np.where(lists >= 0, values[np.arange(n)[:, None], np.maximum(lists, 0)], np.nan)
    return lists, scores


def _choose(
    choice: ChoiceModel, lists: IntArray, scores: FloatArray, rng: np.random.Generator
) -> list[list[int]]:
    """Apply the choice model; return each participant's ranked leader columns."""
    order = np.asarray(choice(scores, rng))
    if order.shape != lists.shape or not np.issubdtype(order.dtype, np.integer):
        raise InputError(
            [
                f"choice model: expected an integer array of shape {lists.shape}, got "
                f"{order.dtype} {order.shape}"
            ]
        )
    out: list[list[int]] = []
    for i in range(lists.shape[0]):
        row = [int(x) for x in order[i] if x >= 0]
        if (
            len(set(row)) != len(row)
            or any(lists[i, x] < 0 for x in row if x < lists.shape[1])
            or (row and max(row) >= lists.shape[1])
        ):
            raise InputError(
                [f"choice model: row {i} ranks {row}, which are not distinct listed positions"]
            )
        out.append([int(lists[i, x]) for x in row])
    return out


@dataclass
class _Run:
    """What one policy gives on one replicate's cohort."""

    result: MatchResult
    participants: list[Participant]


def _run_policy(
    policy: Policy,
    scorer: Scorer,
    ps: Sequence[Participant],
    ls: Sequence[PeerLeader],
    choice: ChoiceModel,
    rng: np.random.Generator,
) -> _Run:
    if policy.solver != CHOICE:
        return _Run(solve_scored(scorer, policy.solver), list(ps))
    co = scorer.cohort
    values, reasons = scorer.dense()
    lists, scores = _shortlist_scores(
        values,
        reasons == 0,
        co.capacity,
        co.active,
        int(getattr(choice, "k", 3)),
        getattr(choice, "exposure", 2.0),
    )
    ranked = _choose(choice, lists, scores, rng)
    chosen = {co.p.ids[i]: tuple(co.l.ids[j] for j in cols) for i, cols in enumerate(ranked)}
    people = [p.model_copy(update={"preferred": chosen[p.id] or None}) for p in ps]
    again = build_scorer(people, ls, policy.config)
    return _Run(solve_scored(again, "stable"), people)


def _fit(yardstick: Scorer, pairs: Mapping[str, str]) -> FloatArray:
    """Scores of matched pairs under the participant-centred preset, in participant id order."""
    co = yardstick.cohort
    pids = sorted(pairs)
    rows = np.array([co.p_index[p] for p in pids], dtype=np.int64)
    cols = np.array([co.l_index[pairs[p]] for p in pids], dtype=np.int64)
    values, _ = yardstick.pairs(rows, cols)
    return values


def _year(
    policy: Policy,
    run: _Run,
    ls: Sequence[PeerLeader],
    dropout: DropoutModel,
    scores: FloatArray,
    rng: np.random.Generator,
) -> tuple[float, float]:
    """(share of pairs ending, match rate after re-matching); ``scores`` as :func:`_fit`."""
    pairs = run.result.pairs
    n = run.result.metrics["n_participants"]
    if not pairs:
        return math.nan, float(run.result.metrics["match_rate"])
    ends = np.asarray(dropout(scores, rng), dtype=np.bool_)
    if ends.shape != scores.shape:
        raise InputError(
            [f"drop-out model: expected {scores.size} yes/no values, got shape {ends.shape}"]
        )
    ended = [
        (p, pairs[p], "poor_fit") for p, e in zip(sorted(pairs), ends.tolist(), strict=True) if e
    ]
    solver = "stable" if policy.solver == CHOICE else policy.solver
    after = rematch(run.result, run.participants, ls, policy.config, ended=ended, solver=solver)
    return float(ends.mean()), (after.metrics["n_matched"] / n if n else 0.0)


def _rate(
    policy: Policy,
    values: FloatArray,
    feasible: BoolArray,
    capacity: IntArray,
    active: BoolArray,
    lists: Sequence[Sequence[int]],
    cols: IntArray,
    choice: ChoiceModel,
    seed: np.random.SeedSequence,
) -> float:
    """Match rate with the leaders ``cols`` of a pool only (array level, as ``match`` solves)."""
    n = int(values.shape[0])
    if n == 0:
        return 1.0
    if cols.size == 0:
        return 0.0
    sub_v = np.ascontiguousarray(values[:, cols])
    sub_f = np.ascontiguousarray(feasible[:, cols])
    cap = capacity[cols]
    where = {int(c): k for k, c in enumerate(cols.tolist())}
    if policy.solver == CHOICE:
        shortlists, scores = _shortlist_scores(
            sub_v,
            sub_f,
            cap,
            active[cols],
            int(getattr(choice, "k", 3)),
            getattr(choice, "exposure", 2.0),
        )
        prefs = _choose(choice, shortlists, scores, np.random.default_rng(seed))
        solver = "stable"
    else:
        prefs = [[where[c] for c in lst if c in where] for lst in lists]
        solver = policy.solver
    problem = ArrayProblem(
        values=sub_v,
        feasible=sub_f,
        capacity=cap.astype(np.int64),
        preferences=Preferences.from_lists(prefs, n, cols.size),
        preference_bonus=policy.config.preference_bonus,
    )
    balance = check_balance(policy.config.balance, solver)
    got = run_solver(solver, problem, balance=balance)
    return float(np.count_nonzero(got >= 0)) / n


def _leaders_needed(
    policy: Policy,
    scorer: Scorer,
    order: IntArray,
    target: float,
    choice: ChoiceModel,
    seed: np.random.SeedSequence,
) -> float:
    """Fewest leaders, taken in pool order, matching at least ``target`` (bisection)."""
    co = scorer.cohort
    values, reasons = scorer.dense()
    feasible = reasons == 0
    lists = co.preferences.lists()

    def rate(m: int) -> float:
        return _rate(
            policy, values, feasible, co.capacity, co.active, lists, order[:m], choice, seed
        )

    lo, hi = 0, int(order.size)
    if co.p.n == 0:
        return 0.0
    if hi == 0 or rate(hi) < target:
        return math.nan
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if rate(mid) >= target:
            hi = mid
        else:
            lo = mid
    return float(hi)


# -- the report ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Band:
    """Mean and percentile band of one metric of one policy over the replicates.

    Attributes
    ----------
    mean, low, median, high : float
        NaN when no replicate defines the metric.
    n : int
        Replicates in which it is defined.
    """

    mean: float
    low: float
    median: float
    high: float
    n: int

    @classmethod
    def of(cls, values: Iterable[float]) -> Band:
        x = np.array([v for v in values if math.isfinite(v)], dtype=np.float64)
        if x.size == 0:
            return cls(math.nan, math.nan, math.nan, math.nan, 0)
        low, median, high = np.percentile(x, [BAND[0], 50.0, BAND[1]])
        return cls(float(x.mean()), float(low), float(median), float(high), int(x.size))


@dataclass(frozen=True)
class Simulation:
    """Replicated programme simulations of several policies.

    Attributes
    ----------
    policies : tuple of str
        Policy labels (``config / solver``), in order.
    replicates : tuple of dict
        One record per (replicate, policy): ``rep``, ``policy`` and every metric of
        :data:`METRICS` (NaN where not defined).
    settings : dict
        What the report states: replicates, seed, cohorts, choice and drop-out models, the
        leader pool and the target, the band.
    """

    policies: tuple[str, ...]
    replicates: tuple[dict[str, Any], ...]
    settings: Mapping[str, Any]

    def band(self, policy: str, metric: str) -> Band:
        """The :class:`Band` of one metric of one policy.

        Raises
        ------
        KeyError
            An unknown policy or metric.
        """
        if policy not in self.policies or metric not in METRICS:
            raise KeyError(f"no {metric!r} for policy {policy!r}")
        return Band.of(r[metric] for r in self.replicates if r["policy"] == policy)

    def summary(self) -> dict[str, dict[str, Band]]:
        """``policy -> metric -> Band``."""
        return {p: {m: self.band(p, m) for m in METRICS} for p in self.policies}

    def to_records(self) -> list[dict[str, Any]]:
        """One row per policy and metric: the band, and the settings that produced it."""
        rows = []
        for policy, bands in self.summary().items():
            for metric, b in bands.items():
                rows.append(
                    {
                        "policy": policy,
                        "metric": metric,
                        "mean": b.mean,
                        "p5": b.low,
                        "median": b.median,
                        "p95": b.high,
                        "replicates": b.n,
                        **{
                            f"setting_{k}": v
                            for k, v in self.settings.items()
                            if not isinstance(v, list | dict)
                        },
                    }
                )
        return rows

    def to_csv(self, path: str | Path | None = None) -> str:
        """:meth:`to_records` as CSV (written atomically when ``path`` is given)."""
        from peermatch._core.files import csv_text, write_text_atomic

        records = self.to_records()
        header = list(records[0]) if records else ["policy", "metric"]
        text = csv_text(header, [[_plain(r[h]) for h in header] for r in records])
        if path is not None:
            write_text_atomic(path, text)
        return text

    def to_dict(self) -> dict[str, Any]:
        """Settings, bands and every replicate's metrics, JSON-ready (NaN as null)."""
        return {
            "peermatch_version": __version__,
            "settings": dict(self.settings),
            "metrics": {k: v[1] for k, v in METRICS.items()},
            "policies": {
                p: {
                    m: {k: _plain(getattr(b, k)) for k in ("mean", "low", "median", "high", "n")}
                    for m, b in bands.items()
                }
                for p, bands in self.summary().items()
            },
            "replicates": [{k: _plain(v) for k, v in r.items()} for r in self.replicates],
        }

    def to_json(self, path: str | Path | None = None) -> str:
        """:meth:`to_dict` as JSON (written atomically when ``path`` is given)."""
        from peermatch._core.files import write_text_atomic

        text = json.dumps(self.to_dict(), indent=2, ensure_ascii=False) + "\n"
        if path is not None:
            write_text_atomic(path, text)
        return text

    def to_text(self) -> str:
        """The settings, then one row per metric and one column per policy: mean (band)."""
        s = self.settings
        lines = [
            f"{s['reps']} replicates, seed {s['seed']}; bands: mean (5th-95th percentile).",
            f"Cohorts: {s['cohorts']}.",
            f"Choice model: {s['choice_model']}.",
            f"Drop-out model: {s['dropout_model']}.",
            f"Leaders needed: {s['leaders_needed']}.",
            "",
        ]
        summary = self.summary()
        header = ["", *self.policies]
        body = []
        for metric, (label, _) in METRICS.items():
            body.append([label, *(_band_text(metric, summary[p][metric]) for p in self.policies)])
        widths = [max(len(r[c]) for r in [header, *body]) for c in range(len(header))]
        for r in [header, ["-" * w for w in widths], *body]:
            cells = [r[0].ljust(widths[0])] + [r[c].rjust(widths[c]) for c in range(1, len(r))]
            lines.append("  ".join(cells).rstrip())
        return "\n".join(lines) + "\n"

    def __str__(self) -> str:
        return self.to_text()


def _plain(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


_SHARES = {"match_rate", "stated_met", "first_choice", "ended", "year_end_match_rate"}


def _band_text(metric: str, b: Band) -> str:
    if b.n == 0:
        return "-"
    if metric in _SHARES:
        return f"{100 * b.mean:.1f}% ({100 * b.low:.1f}-{100 * b.high:.1f})"
    if metric == "leaders_needed":
        return f"{b.mean:.1f} ({b.low:.1f}-{b.high:.1f})"
    return f"{b.mean:.3f} ({b.low:.3f}-{b.high:.3f})"


# -- the entry point -------------------------------------------------------------------------


def simulate(
    participants: Iterable[Participant] | None = None,
    peers: Iterable[PeerLeader] | None = None,
    *,
    demo: DemoCohorts | None = None,
    configs: MatchConfig | Mapping[str, MatchConfig] | Sequence[MatchConfig] | None = None,
    solvers: Sequence[str] | None = None,
    reps: int = 10,
    seed: int = 0,
    choice: ChoiceModel | None = None,
    dropout: DropoutModel | None = ScoreDropout(),
    target: float = 0.95,
    pool: float = 3.0,
    leaders_needed: bool = True,
) -> Simulation:
    """Replicated programme simulations for comparing matching policies.

    Parameters
    ----------
    participants, peers : iterable of Participant, PeerLeader, optional
        A cohort to bootstrap: each replicate draws as many participants with replacement
        (a copy is renamed ``<id>.<k>``; vetoes naming a person name every copy) and keeps
        the leaders. Give these or ``demo``.
    demo : DemoCohorts, keyword-only, optional
        Draw cohorts from the demo generator instead.
    configs : MatchConfig, mapping of str to MatchConfig, or sequence, keyword-only, optional
        Default: the ``participant_centred`` and ``c2c_baseline`` presets (the trial's
        baseline).
    solvers : sequence of str, keyword-only, optional
        Registered solvers and ``"choice"``; every configuration runs with every one. Default:
        ``hungarian`` and ``choice``.
    reps : int, keyword-only
        Replicates (default 10, at most 10,000).
    seed : int, keyword-only
        Seed of everything random (default 0).
    choice : callable, keyword-only, optional
        The choice model (module notes); default :class:`LogitChoice` ``()``.
    dropout : callable or None, keyword-only
        The drop-out model (module notes); default :class:`ScoreDropout` ``()``; None skips
        the year.
    target : float, keyword-only
        Share of participants to match for "leaders needed" (default 0.95).
    pool : float, keyword-only
        Size of each replicate's leader pool for that search, as a multiple of the number of
        leaders of the cohort (default 3).
    leaders_needed : bool, keyword-only
        Run that search (default True).

    Returns
    -------
    Simulation
        Per policy and replicate, every metric of :data:`METRICS`; bands by
        :meth:`Simulation.band`; the settings the report states.

    Raises
    ------
    InputError
        Neither or both of a cohort and ``demo``; an unknown solver; a configuration with
        ``balance`` with a solver other than ``hungarian``; bad numbers; a choice or drop-out
        model returning the wrong shape.

    Notes
    -----
    Leaders needed: each replicate draws a pool of ``pool`` times the cohort's leaders (with
    replacement from the given active leaders, or from the demo generator) and finds by
    bisection the fewest of them, taken in draw order, that match at least ``target`` of the
    replicate's participants under the policy. The match rate with the first ``m`` leaders
    never falls as ``m`` grows for ``hungarian`` and ``maximin`` (they match as many as
    possible); for the other policies the search finds a crossing point. NaN when the whole
    pool does not reach the target.

    A ``must`` or ``high`` criterion counts as met when the leader gives a value and the pair's
    similarity reaches the criterion's ``pass_at`` under the ``participant_centred`` preset's
    definitions (for HbA1c: ``numeric``, scale 20), whatever the policy's configuration; an
    unmatched participant meets none. Mean scores and the drop-out model use that preset's
    scores too, so policies are compared on one yardstick.

    Work per replicate: per configuration, scoring the cohort and the pool; per policy, one
    match, one re-match and about ``log2(pool size)`` solves on the pool's scores.
    """
    n_reps = check_whole_number(reps, "reps", low=1, high=10_000)
    root = check_whole_number(seed, "seed", low=0)
    goal = check_number(target, "target", low=1e-9, high=1)
    size = check_number(pool, "pool", low=1, high=100)
    assert n_reps is not None and root is not None and goal is not None and size is not None
    model: ChoiceModel = LogitChoice() if choice is None else choice
    for name, fn in (("choice", model), ("dropout", dropout)):
        if fn is not None and not callable(fn):
            raise InputError([Problem(None, None, name, f"expected a callable, got {shown(fn)}")])
    source: _Bootstrap | _Demo
    if demo is not None:
        if participants is not None or peers is not None:
            raise InputError(
                [Problem(None, None, "demo", "give a cohort to bootstrap or demo=, not both")]
            )
        if not isinstance(demo, DemoCohorts):
            raise InputError([Problem(None, None, "demo", "expected a DemoCohorts")])
        source = _Demo(demo)
        n_leaders = demo.n_peers
    else:
        if participants is None or peers is None:
            raise InputError(
                [Problem(None, None, "participants", "give participants and peers, or demo=")]
            )
        ps0 = tuple(sorted(_as_list(participants, Participant, "participants"), key=lambda p: p.id))
        ls0 = tuple(sorted(_as_list(peers, PeerLeader, "peers"), key=lambda x: x.id))
        source = _Bootstrap(ps0, ls0, "the given cohort")
        n_leaders = len(ls0)
    policies = _policies(configs, solvers)
    pool_size = max(1, math.ceil(size * n_leaders))
    records: list[dict[str, Any]] = []
    for rep, ss in enumerate(np.random.SeedSequence(root).spawn(n_reps), 1):
        cohort_ss, pool_ss, policy_ss = ss.spawn(3)
        ps, ls = source.draw(np.random.default_rng(cohort_ss))
        pool_ps: list[Participant] = []
        pool_ls: list[PeerLeader] = []
        if leaders_needed:
            pool_ps, pool_ls = source.pool(np.random.default_rng(pool_ss), ps, pool_size)
        scorers: dict[str, Scorer] = {}
        yardstick = build_scorer(ps, ls, MatchConfig())
        pool_scorers: dict[str, tuple[Scorer, IntArray]] = {}
        for policy, pss in zip(policies, policy_ss.spawn(len(policies)), strict=True):
            choice_ss, drop_ss, search_ss = pss.spawn(3)
            if policy.config_name not in scorers:
                scorers[policy.config_name] = build_scorer(ps, ls, policy.config)
            run = _run_policy(
                policy,
                scorers[policy.config_name],
                ps,
                ls,
                model,
                np.random.default_rng(choice_ss),
            )
            mt = run.result.metrics
            fit = _fit(yardstick, run.result.pairs)
            row: dict[str, Any] = {
                "rep": rep,
                "policy": policy.label,
                "match_rate": float(mt["match_rate"]),
                "mean_score": float(fit.mean()) if fit.size else math.nan,
                "stated_met": _stated_met(ps, ls, run.result.pairs),
                "first_choice": float(mt["first_choice_share"])
                if policy.solver == CHOICE and mt["n_with_preferences"]
                else math.nan,
                "load_spread": _load_spread(run.result),
                "ended": math.nan,
                "year_end_match_rate": math.nan,
                "leaders_needed": math.nan,
            }
            if dropout is not None:
                row["ended"], row["year_end_match_rate"] = _year(
                    policy, run, ls, dropout, fit, np.random.default_rng(drop_ss)
                )
            if leaders_needed:
                if policy.config_name not in pool_scorers:
                    sc = build_scorer(pool_ps, pool_ls, policy.config)
                    order = np.array([sc.cohort.l_index[x.id] for x in pool_ls], dtype=np.int64)
                    pool_scorers[policy.config_name] = (sc, order)
                sc, order = pool_scorers[policy.config_name]
                row["leaders_needed"] = _leaders_needed(policy, sc, order, goal, model, search_ss)
            records.append(row)
    settings = {
        "reps": n_reps,
        "seed": root,
        "cohorts": source.describe(),
        "choice_model": _describe(model)
        if any(p.solver == CHOICE for p in policies)
        else "not used",
        "dropout_model": "none (no year simulated)" if dropout is None else _describe(dropout),
        "leaders_needed": (
            f"fewest leaders matching at least {goal:.0%} of the participants, by bisection "
            f"over a pool of {pool_size} leaders drawn "
            + (
                "from the demo generator"
                if isinstance(source, _Demo)
                else "with replacement from the given active leaders"
            )
        )
        if leaders_needed
        else "not searched",
        "target": goal,
        "band": f"{BAND[0]:g}th-{BAND[1]:g}th percentile",
        "policies": [
            {
                "label": p.label,
                "config": p.config_name,
                "solver": p.solver,
                "config_hash": p.config.config_hash(),
            }
            for p in policies
        ],
    }
    return Simulation(tuple(p.label for p in policies), tuple(records), settings)
