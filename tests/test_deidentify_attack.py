"""De-identified match exports against recomputation of the fields they drop or band.

An attacker holds the de-identified profiles and the de-identified match export (both from
``docs/privacy.md``) and tries to recompute, for every pair and person, what the profiles hide:
the exact age within its band, the difference of two people's years with diabetes or HbA1c,
whether two people share a region, how many interests they share. The same attack run
against the export as it was before (scores and per-criterion contributions) recovers exact
ages and every pair relation, which shows that the attack works; against the export now it
recovers nothing. A second test changes every hidden value within its band and checks that,
for the same pairs, the export does not change at all.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from peermatch import MatchConfig, Participant, PeerLeader, match, read_participants, read_peers
from peermatch.io._deidentify import (
    HIDDEN_FIELDS,
    Pseudonymiser,
    deidentified_match_csv,
    deidentify_profiles,
    deidentify_result,
)
from peermatch.matching._match import build_result
from peermatch.matching._results import MatchResult
from peermatch.profiles._demo import generate_cohort
from peermatch.scoring._scorer import build_scorer

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
P_CSV, L_CSV = EXAMPLES / "participants.csv", EXAMPLES / "peers.csv"
KEY = "an export key of some length"
LEVEL = {"must": 2.0, "high": 2.0, "normal": 1.0, "low": 0.5, "ignore": 0.0}
AGE_BANDS = {f"{lo}-{lo + 9}": (lo, lo + 9) for lo in range(30, 90, 10)}
AGE_BANDS.update({"18-29": (18, 29), "90+": (90, 110)})

#: A configuration that scores every hidden field, HbA1c too.
CONFIG = MatchConfig.from_mapping(
    {"criteria": {"hba1c": {"kind": "numeric", "weight": 1.0, "scale": 5.0}}}
)


def old_export(result: MatchResult, pseudo: Pseudonymiser) -> dict[str, Any]:
    """The de-identified export as it used to be: ``to_dict`` with pseudonymous ids."""
    data = result.to_dict()
    for m in data["matches"]:
        m["participant_id"] = pseudo("participant", m["participant_id"])
        m["peer_id"] = pseudo("peer", m["peer_id"])
    return data


def _numbers(export: Mapping[str, Any], p: Mapping[str, Any], cfg: Mapping[str, Any]) -> dict:
    """Each criterion's similarity for one match, from whatever numbers the export holds."""
    m = export
    crit = cfg["criteria"]
    imp = p.get("importance") or {}
    w = {c: crit[c]["weight"] * LEVEL[imp.get(c, "normal")] for c in crit}
    out = dict(m.get("similarities") or {})
    contrib = m.get("contributions") or {}
    if contrib:
        den = sum(w[c] for c in contrib)
        out.update({c: v * den / w[c] for c, v in contrib.items() if w[c] > 0})
    return out


def attack(
    export: Mapping[str, Any],
    people: Sequence[Mapping[str, Any]],
    leaders: Sequence[Mapping[str, Any]],
    truth: Mapping[str, Participant | PeerLeader],
) -> dict[str, int]:
    """How many hidden values the export gives back, checked against the truth.

    ``age``: people whose exact age the pair differences pin within their bands;
    ``diabetes_years`` / ``hba1c``: pairs whose exact difference is recovered; ``region``:
    pairs whose region equality is known; ``interests``: pairs whose interest overlap
    (Jaccard) is recovered.
    """
    cfg = export["config"]
    crit = cfg["criteria"]
    recs = {r["id"]: r for r in [*people, *leaders]}
    found = dict.fromkeys(HIDDEN_FIELDS, 0)
    diffs: list[tuple[str, str, int]] = []
    for m in export["matches"]:
        pid, lid = m["participant_id"], m["peer_id"]
        s = _numbers(m, recs[pid], cfg)
        tp, tl = truth[pid], truth[lid]
        if "age" in s and s["age"] > 1e-9:
            d = crit["age"]["scale"] * (1 - s["age"])
            if abs(d - round(d)) < 1e-6:
                diffs.append((pid, lid, round(d)))
        if "diabetes_years" in s and 1e-9 < s["diabetes_years"] < 1 - 1e-9:
            c, x = crit["diabetes_years"], s["diabetes_years"]
            d = (x - 0.5) * 2 * c["margin"] if x >= 0.5 else (2 * x - 1) * c["scale"]
            if tp.diabetes_years is not None and tl.diabetes_years is not None:
                found["diabetes_years"] += abs(d - (tl.diabetes_years - tp.diabetes_years)) < 1e-6
        if "hba1c" in s and s["hba1c"] > 1e-9 and tp.hba1c is not None and tl.hba1c is not None:
            d = crit["hba1c"]["scale"] * (1 - s["hba1c"])
            found["hba1c"] += abs(d - abs(tl.hba1c - tp.hba1c)) < 1e-6
        if "region" in s:
            found["region"] += (s["region"] > 0.5) == (tp.region == tl.region)
        if "interests" in s and tp.interests and tl.interests:
            true = len(tp.interests & tl.interests) / len(tp.interests | tl.interests)
            found["interests"] += abs(s["interests"] - true) < 1e-9
    # exact ages: narrow each band by the recovered differences until nothing changes
    cand = {
        i: set(range(*(lambda b: (b[0], b[1] + 1))(AGE_BANDS[r["age_band"]])))
        for i, r in recs.items()
    }
    changed = True
    while changed:
        changed = False
        for a, b, d in diffs:
            for x, y in ((a, b), (b, a)):
                keep = {v for v in cand[x] if v + d in cand[y] or v - d in cand[y]}
                if keep != cand[x]:
                    cand[x], changed = keep, True
    found["age"] = sum(len(c) == 1 and next(iter(c)) == truth[i].age for i, c in cand.items())
    return found


def _truth(ps, ls, pseudo):  # type: ignore[no-untyped-def]
    out: dict[str, Participant | PeerLeader] = {pseudo("participant", p.id): p for p in ps}
    out.update({pseudo("peer", x.id): x for x in ls})
    return out


@pytest.mark.parametrize("cohort", ["example", "demo 2000 x 400"])
def test_the_export_gives_no_hidden_field_back(cohort: str) -> None:
    if cohort == "example":
        ps, ls = read_participants(P_CSV), read_peers(L_CSV)
    else:
        ps, ls = generate_cohort(2000, 400, seed=5)
    pseudo = Pseudonymiser(KEY)
    result = match(ps, ls, CONFIG)
    people = deidentify_profiles(ps, "participant", pseudo)
    leaders = deidentify_profiles(ls, "peer", pseudo)
    truth = _truth(ps, ls, pseudo)
    before = attack(old_export(result, pseudo), people, leaders, truth)
    # the attack works: the old export gave exact ages and every pair relation back
    assert before["age"] > 0, before
    for name in ("diabetes_years", "hba1c", "region", "interests"):
        assert before[name] > 0, (name, before)
    now = attack(deidentify_result(result, pseudo), people, leaders, truth)
    assert now == dict.fromkeys(HIDDEN_FIELDS, 0), now
    # the CSV carries no number at all beyond the preferred rank
    header = deidentified_match_csv(result, pseudo).splitlines()[0]
    assert header == "participant_id,peer_id,status,reason,preferred_rank"


def _within_band(rnd: random.Random, p: Participant | PeerLeader) -> Participant | PeerLeader:
    """The same person with every hidden value changed, the de-identified profile unchanged."""
    lo, hi = next(b for b in AGE_BANDS.values() if b[0] <= p.age <= b[1])
    update: dict[str, Any] = {"age": rnd.randint(lo, hi)}
    if p.diabetes_years is not None:
        edges = [0, 1, 5, 10, 20, 80]
        k = max(i for i, e in enumerate(edges[:-1]) if p.diabetes_years >= e)
        update["diabetes_years"] = round(rnd.uniform(edges[k], edges[k + 1] - 0.1), 1)
    if p.hba1c is not None:
        edges = [3.0, 7.0, 8.0, 9.0, 18.0]
        k = max(i for i, e in enumerate(edges[:-1]) if p.hba1c >= e)
        update["hba1c"] = round(rnd.uniform(edges[k], edges[k + 1] - 0.1), 1)
    update["region"] = rnd.choice([None, "V5K", "V6B", "east", p.region])
    update["interests"] = rnd.choice([None, frozenset({"chess"}), frozenset({"walking", "music"})])
    return p.model_copy(update=update)


def _result_with_pairs(ps, ls, assignment) -> MatchResult:  # type: ignore[no-untyped-def]
    scorer = build_scorer(ps, ls, CONFIG)
    return build_result(scorer, np.asarray(assignment, dtype=np.int64), "hungarian")


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_for_the_same_pairs_the_export_ignores_every_hidden_value(seed: int) -> None:
    ps, ls = generate_cohort(300, 60, seed=seed)
    # musts on hidden fields decide feasibility, hence an unmatched participant's reason code
    # (a single bit, like the pairs themselves); leave them out to compare the rest exactly
    ps = [
        p.model_copy(
            update={
                "importance": {
                    k: v for k, v in (p.importance or {}).items() if k not in HIDDEN_FIELDS
                }
                or None
            }
        )
        for p in ps
    ]
    rnd = random.Random(seed)
    changed_ps = [_within_band(rnd, p) for p in ps]
    changed_ls = [_within_band(rnd, x) for x in ls]
    pseudo = Pseudonymiser(KEY)
    assert deidentify_profiles(ps, "participant", pseudo) == deidentify_profiles(
        changed_ps, "participant", pseudo
    )
    first = match(ps, ls, CONFIG)
    col = {x.id: j for j, x in enumerate(sorted(ls, key=lambda x: x.id))}
    assignment = [col.get(first.pairs.get(p.id, ""), -1) for p in sorted(ps, key=lambda p: p.id)]
    a = _result_with_pairs(ps, ls, assignment)
    b = _result_with_pairs(changed_ps, changed_ls, assignment)
    assert a.pairs == b.pairs == first.pairs
    assert old_export(a, pseudo)["matches"] != old_export(b, pseudo)["matches"]  # it leaked
    ea, eb = deidentify_result(a, pseudo), deidentify_result(b, pseudo)
    for e in (ea, eb):
        e["manifest"].pop("input_hash")  # a digest of all inputs, ids included
    assert ea == eb
    assert deidentified_match_csv(a, pseudo) == deidentified_match_csv(b, pseudo)
