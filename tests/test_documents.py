"""Documents for people: phone scripts, choices, call sheets and the coordinator's report.

Everything is checked for content against references computed here: the pairs of a match, the
intersection of two availabilities, the metrics of a run, a re-matching with one more place.
Privacy: hidden fields never reach a document a participant or a leader reads, and the
committee's report holds no id and no profile value.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from cli_runner import run_peermatch
from documents import attr_values, has_word, hidden_values, sections, visible_text

import peermatch
from peermatch import (
    LABELS,
    InputError,
    Participant,
    PeerLeader,
    match,
    read_participants,
    read_peers,
    shortlist,
)
from peermatch._core.text import counted, listing, plural
from peermatch.display._callsheet import call_sheet_rows, call_sheets, read_contacts
from peermatch.display._report import coordinator_report, one_more_place, report_result
from peermatch.display._script import phone_script
from peermatch.display._words import SHAREABLE_FIELDS, age_band, labels
from peermatch.profiles._labels import VOCABULARY_OF, code_for
from peermatch.programme._choices import (
    apply_choices,
    choices_template,
    inputs_key,
    parse_choices,
)
from peermatch.programme._shortlist import PRIVATE_FIELDS

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
PARTICIPANTS = EXAMPLES / "participants.csv"
PEERS = EXAMPLES / "peers.csv"


@pytest.fixture(scope="module")
def cohort() -> tuple[list[Participant], list[PeerLeader]]:
    return read_participants(PARTICIPANTS), read_peers(PEERS)


def rows_of(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


# -- words --------------------------------------------------------------------------------------


def test_a_label_exists_for_every_vocabulary_member() -> None:
    for enum, name in VOCABULARY_OF.items():
        for member in enum:
            text = LABELS[name][member.value]
            assert text and text != member.value, (name, member)
            assert labels(name, [member.value]) == [text]


def test_plurals_and_lists() -> None:
    assert [counted(n, "leader") for n in (0, 1, 2)] == ["0 leaders", "1 leader", "2 leaders"]
    assert counted(1, "person") == "1 person" and counted(3, "person") == "3 people"
    assert plural(2, "match") == "matches"
    assert listing(["a"]) == "a" and listing(["a", "b", "c"], last="or") == "a, b or c"


@pytest.mark.parametrize(
    ("age", "band"), [(18, "late teens"), (20, "20s"), (64, "60s"), (110, "110s")]
)
def test_age_bands(age: int, band: str) -> None:
    assert age_band(age) == band


def test_shareable_fields_are_the_card_fields_and_hide_the_private_ones() -> None:
    assert set(SHAREABLE_FIELDS) == set(peermatch.DEFAULT_CARD_FIELDS)
    assert not set(SHAREABLE_FIELDS) & (PRIVATE_FIELDS | {"vetoes", "preferred", "id"})


# -- phone script and choices -------------------------------------------------------------------


def test_phone_script_offers_each_list_once_and_hides_leader_ids(cohort) -> None:
    ps, ls = cohort
    lists = shortlist(ps, ls, k=3)
    html = phone_script(lists, ps)
    found = sections(html, "participant")
    assert list(found) == list(lists)  # every participant once, in id order
    for pid, body in found.items():
        assert attr_values(body, "option") == [chr(64 + c.rank) for c in lists[pid]]
    text = visible_text(html)
    for leader in ls:
        assert not has_word(text, leader.id), leader.id
    plain = phone_script(lists, ps, format="text")
    assert plain.count("\nParticipant ") == len(lists)


def test_phone_script_never_shows_hidden_fields(cohort) -> None:
    ps, ls = cohort
    lists = shortlist(ps, ls, k=3)
    for text in (visible_text(phone_script(lists, ps)), phone_script(lists, ps, format="text")):
        for field, values in {**hidden_values(ls), **hidden_values(ps)}.items():
            if field == "vetoes":
                values = {
                    v for v in values if v.startswith("L")
                }  # participants' own ids head their part
            for value in values:
                assert not has_word(text, value), (field, value)
        assert "HbA1c" not in text and "hba1c" not in text


def test_a_hidden_field_put_on_the_card_is_shown() -> None:
    ps = [Participant(id="P1", age=50, languages="en", region="ZZ9")]
    ls = [PeerLeader(id="L1", age=52, languages="en", region="ZZ9")]
    assert "ZZ9" not in phone_script(shortlist(ps, ls), ps, format="text")
    lists = shortlist(ps, ls, card_fields=["age", "region"])
    assert "ZZ9" in phone_script(lists, ps, format="text")


def test_phone_script_describes_ages_as_bands_and_times_in_words(cohort) -> None:
    ps, ls = cohort
    lists = shortlist(ps, ls, k=3)
    text = phone_script(lists, ps, format="text")
    by_id = {x.id: x for x in ls}
    block = text.split("Participant P0001")[1].split("Participant P0002")[0]
    first = by_id[lists["P0001"][0].peer_id]
    assert f"in her {age_band(first.age)}" in block or f"in his {age_band(first.age)}" in block
    assert not has_word(block, str(first.age))
    for slot in first.availability or ():
        assert LABELS["availability"][slot.value] in " ".join(block.split())


def choose(template: str, picks: dict[str, list[str]]) -> str:
    rows = rows_of(template)
    for r in rows:
        for n, value in enumerate(picks.get(r["participant_id"], []), start=1):
            r[f"choice_{n}"] = value
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return buf.getvalue()


def test_choices_resolve_letters_and_ids_to_preferred_lists(cohort) -> None:
    ps, ls = cohort
    lists = shortlist(ps, ls, k=3)
    template = choices_template(lists, ps, ls)
    other = next(x.id for x in ls if x.id not in {c.peer_id for c in lists["P0003"]})
    picks = {"P0001": ["B", "A"], "P0002": ["c"], "P0003": [other, "A"], "P0004": ["none"]}
    applied = apply_choices(ps, ls, parse_choices(choose(template, picks), "choices.csv"))
    got = {p.id: p for p in applied.participants}
    ids = {pid: [c.peer_id for c in lists[pid]] for pid in picks}
    assert got["P0001"].preferred == (ids["P0001"][1], ids["P0001"][0])
    assert got["P0002"].preferred == (ids["P0002"][2],)
    assert got["P0003"].preferred == (other, ids["P0003"][0])
    assert set(ids["P0004"]) <= set(got["P0004"].vetoes or ())
    assert (applied.chose, applied.declined, applied.unanswered) == (3, 1, len(ps) - 4)
    untouched = [p for p in applied.participants if p.id not in picks]
    assert all(a is b for a, b in zip(untouched, [p for p in ps if p.id not in picks], strict=True))
    # declined leaders are never matched with the participant
    res = match(applied.participants, ls)
    assert res.pairs.get("P0004") not in ids["P0004"]


@pytest.mark.parametrize(
    ("picks", "field", "fragment"),
    [
        ({"P0001": ["D"]}, "choice_1", "neither an option letter"),
        ({"P0001": ["A", "a"]}, "choice_2", "chosen twice"),
        ({"P0001": ["none", "A"]}, "choice_1", "'none' means none of the options"),
        ({"P0001": ["L999"]}, "choice_1", "neither an option letter"),
    ],
)
def test_bad_choices_name_the_row_and_column(cohort, picks, field, fragment) -> None:
    ps, ls = cohort
    template = choices_template(shortlist(ps, ls, k=3), ps, ls)
    with pytest.raises(InputError) as exc:
        apply_choices(ps, ls, parse_choices(choose(template, picks), "c.csv"))
    problem = exc.value.problems[0]
    assert (problem.file, problem.row, problem.field) == ("c.csv", 2, field)
    assert fragment in problem.message


def test_a_choices_file_of_other_inputs_is_refused(cohort) -> None:
    ps, ls = cohort
    template = choices_template(shortlist(ps, ls, k=3), ps, ls)
    changed = [ps[0].model_copy(update={"age": ps[0].age + 1}), *ps[1:]]
    assert inputs_key(changed, ls) != inputs_key(ps, ls)
    with pytest.raises(InputError, match="belongs to a shortlist of other profiles"):
        apply_choices(changed, ls, parse_choices(template, "c.csv"))
    mixed = template.replace(inputs_key(ps, ls), "0" * 16, 1)
    with pytest.raises(InputError, match="different shortlists"):
        parse_choices(mixed, "c.csv")


def test_choosing_a_vetoed_leader_is_refused() -> None:
    ps = [Participant(id="P1", age=50, languages="en", vetoes="L2")]
    ls = [PeerLeader(id="L1", age=50, languages="en"), PeerLeader(id="L2", age=50, languages="en")]
    template = choices_template(shortlist(ps, ls), ps, ls)
    with pytest.raises(InputError, match="vetoes exclude"):
        apply_choices(ps, ls, parse_choices(choose(template, {"P1": ["L2"]}), "c.csv"))


def test_script_and_choices_through_the_command_line(tmp_path: Path, cohort) -> None:
    ps, ls = cohort
    res = run_peermatch(
        "shortlist", str(PARTICIPANTS), str(PEERS), "--script", str(tmp_path / "calls.txt")
    )
    assert res.returncode == 0, res.stderr
    assert res.stdout == ""  # the script replaces the CSV on standard output
    assert {p.name for p in tmp_path.iterdir()} == {"calls.txt", "calls-choices.csv"}
    template = (tmp_path / "calls-choices.csv").read_text(encoding="utf-8")
    lists = shortlist(ps, ls, k=3)
    picks = {"P0001": ["C", "A"], "P0010": ["B"]}
    (tmp_path / "calls-choices.csv").write_text(choose(template, picks), encoding="utf-8")
    before = sorted(p.name for p in tmp_path.iterdir())
    out = tmp_path / "m.csv"
    res = run_peermatch(
        "match", str(PARTICIPANTS), str(PEERS), "--choices", str(tmp_path / "calls-choices.csv"),
        "--solver", "stable", "-o", str(out),
    )  # fmt: skip
    assert res.returncode == 0, res.stderr
    assert "2 participants chose" in res.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([*before, "m.csv"])  # no copy
    # the same as matching participants whose preferred lists hold those leaders
    ref_ps = [
        p.model_copy(
            update={"preferred": tuple(lists[p.id][ord(x) - 65].peer_id for x in picks[p.id])}
        )
        if p.id in picks
        else p
        for p in ps
    ]
    ref = match(ref_ps, ls, solver="stable")
    got = {r["participant_id"]: r["peer_id"] for r in rows_of(out.read_text(encoding="utf-8"))}
    assert {k: v for k, v in got.items() if v} == ref.pairs
    # answers are never overwritten by a new script
    res = run_peermatch(
        "shortlist", str(PARTICIPANTS), str(PEERS), "--script", str(tmp_path / "calls.txt")
    )
    assert res.returncode == 2 and "already holds participants' answers" in res.stderr
    # and a choices file is refused with other inputs
    res = run_peermatch(
        "match", str(EXAMPLES / "year" / "participants.csv"), str(EXAMPLES / "year" / "peers.csv"),
        "--choices", str(tmp_path / "calls-choices.csv"),
    )  # fmt: skip
    assert res.returncode == 2 and "other profiles" in res.stderr and "Traceback" not in res.stderr


# -- call sheets --------------------------------------------------------------------------------


def test_every_pair_is_on_its_leaders_sheet_once(cohort) -> None:
    ps, ls = cohort
    result = match(ps, ls)
    rows = call_sheet_rows(result.pairs, ps, ls)
    assert sorted((r["participant_id"], r["leader_id"]) for r in rows) == sorted(
        result.pairs.items()
    )
    html = call_sheets(result.pairs, ps, ls)
    found = sections(html, "leader")
    assert set(found) == set(result.pairs.values())
    for lid, body in found.items():
        mine = sorted(pid for pid, x in result.pairs.items() if x == lid)
        assert sorted(attr_values(body, "participant")) == mine
        # a leader's sheet names no other participant
        others = {p.id for p in ps} - set(mine)
        assert not any(has_word(visible_text(body), pid) for pid in others)


def test_the_times_shown_are_the_intersection(cohort) -> None:
    ps, ls = cohort
    result = match(ps, ls)
    p_by, l_by = {p.id: p for p in ps}, {x.id: x for x in ls}
    for r in rows_of(call_sheets(result.pairs, ps, ls, format="csv")):
        p, leader = p_by[r["participant_id"]], l_by[r["leader_id"]]
        shown = {code_for("availability", t) for t in r["times_both_free"].split("; ") if t}
        both = {s.value for s in (p.availability or set()) & (leader.availability or set())}
        assert shown == both
        langs = {code_for("languages", t) for t in r["languages_shared"].split("; ") if t}
        assert langs == set(p.languages) & set(leader.languages)
        modes = {code_for("contact_modes", t) for t in r["contact_modes_shared"].split("; ") if t}
        assert modes == {
            m.value for m in (p.contact_modes or set()) & (leader.contact_modes or set())
        }


def test_call_sheets_never_show_hidden_fields(cohort) -> None:
    ps, ls = cohort
    result = match(ps, ls)
    html = visible_text(call_sheets(result.pairs, ps, ls))
    text = call_sheets(result.pairs, ps, ls, format="csv")
    hidden = hidden_values(ps)
    hidden["vetoes"] = set()  # leaders' ids are on their own sheets
    for doc in (html, text):
        for field, values in hidden.items():
            for value in values:
                assert not has_word(doc, value), (field, value)
        for p in ps:  # exact ages never, only bands
            assert not re.search(rf"\bAge\b[^.]*\b{p.age}\b", doc)


def test_contacts_are_joined_and_written_nowhere_else(tmp_path: Path, cohort) -> None:
    ps, ls = cohort
    result = match(ps, ls)
    pid, lid = next(iter(result.pairs.items()))
    (tmp_path / "contacts.csv").write_text(
        f"id,name,phone,notes\n{pid},Ada Zylberstein,+1 604 555 0199,private note\n"
        f"{lid},Grace Quillfeather,604 555 0123,\n",
        encoding="utf-8",
    )
    result.to_csv(tmp_path / "m.csv")
    history = tmp_path / "h.json"
    run_peermatch(
        "rematch", str(PARTICIPANTS), str(PEERS), "--history", str(history), "--new-history"
    )
    saved = history.read_bytes()
    res = run_peermatch(
        "callsheet", str(tmp_path / "m.csv"), str(PARTICIPANTS), str(PEERS),
        "--contacts", str(tmp_path / "contacts.csv"), "-o", str(tmp_path / "sheets.csv"),
    )  # fmt: skip
    assert res.returncode == 0, res.stderr
    rows = rows_of((tmp_path / "sheets.csv").read_text(encoding="utf-8"))
    row = next(r for r in rows if r["participant_id"] == pid)
    assert (
        row["participant_name"] == "Ada Zylberstein" and row["leader_name"] == "Grace Quillfeather"
    )
    assert "private note" not in (tmp_path / "sheets.csv").read_text(encoding="utf-8")
    assert history.read_bytes() == saved
    for path in tmp_path.iterdir():
        if path.name not in ("contacts.csv", "sheets.csv"):
            assert b"Zylberstein" not in path.read_bytes(), path.name
    assert "Zylberstein" not in res.stderr + res.stdout


def test_bad_contacts_are_reported_with_their_row(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text("id,name,phone\nP 1,A,1\nP2,B,2\nP2,C,3\n", encoding="utf-8")
    with pytest.raises(InputError) as exc:
        read_contacts(path)
    assert [(p.row, p.field) for p in exc.value.problems] == [(2, "id"), (4, "id")]
    path.write_text("id,name\nP1,A\n", encoding="utf-8")
    with pytest.raises(InputError, match="phone: required column is missing"):
        read_contacts(path)


# -- the coordinator's report -------------------------------------------------------------------


@pytest.fixture(scope="module")
def report_data(cohort):
    ps, ls = cohort
    return report_result(ps, ls)


def test_report_figures_equal_the_metrics(report_data, cohort) -> None:
    ps, ls = cohort
    html = coordinator_report(report_data)
    reference = match(ps, ls).metrics  # computed again, independently of the report
    found = dict(re.findall(r'data-metric="([^"]+)" data-value="([^"]+)"', html))
    assert {"n_participants", "n_matched", "n_unmatched", "mean_score", "blocking_pairs"} <= set(
        found
    )
    for name, value in found.items():
        assert float(value) == pytest.approx(float(reference[name]), abs=1e-12), name


def test_report_lists_every_participant_once_and_every_waiting_one(report_data, cohort) -> None:
    ps, _ = cohort
    html = coordinator_report(report_data)
    outcomes = html.split('class="outcomes"')[1].split("</table>")[0]
    assert sorted(attr_values(outcomes, "participant")) == sorted(p.id for p in ps)
    assert sorted(sections(html, "card")) == sorted(p.id for p in ps)
    waiting = html.split("Waiting for a leader")[1].split("</table>")[0]
    assert sorted(attr_values(waiting, "participant")) == sorted(
        u.participant_id for u in report_data.result.unmatched
    )


def test_one_more_place_is_checked_by_matching_again() -> None:
    ps = [Participant(id=f"P{k}", age=50 + k, languages="en") for k in range(4)]
    ls = [
        PeerLeader(id="L1", age=50, languages="en", capacity=1),
        PeerLeader(id="L2", age=53, languages="en", capacity=2),
        PeerLeader(id="L3", age=40, languages="fr", capacity=3),
    ]
    data = report_result(ps, ls)
    waiting = [u.participant_id for u in data.result.unmatched]
    assert waiting
    places = one_more_place(data)
    for pid in waiting:
        lid = places[pid]
        assert lid is not None
        more = [x.model_copy(update={"capacity": x.capacity + 1}) if x.id == lid else x for x in ls]
        assert match(ps, more).pairs.get(pid) is not None
        assert f"One more place for {lid} would place them" in coordinator_report(data)


def test_the_committee_report_has_no_id_and_no_profile_value(cohort) -> None:
    ps, ls = cohort
    html = coordinator_report(report_result(ps, ls), audience="committee")
    text = visible_text(html)
    assert "data-participant" not in html and "data-leader" not in html
    for person in [*ps, *ls]:
        assert not has_word(html, person.id), person.id
        values: set[str] = set()
        if person.region:
            values.add(person.region)
        values |= set(person.interests or ())
        for lang in person.languages:
            values |= {LABELS["languages"][lang]}
        for name in (*SHAREABLE_FIELDS, "complications"):
            value = getattr(person, name)
            if name in LABELS and value is not None:
                items = value if isinstance(value, frozenset) else {value}
                values |= {LABELS[name][getattr(v, "value", v)] for v in items}
                values |= {getattr(v, "value", v) for v in items if "_" in getattr(v, "value", v)}
        if person.hba1c is not None:
            values.add(f"{person.hba1c:.1f}")
        if person.diabetes_years is not None:
            values.add(f"{person.diabetes_years:.1f}")
        for value in values:
            assert not has_word(text, value), (person.id, value)
    for cell in re.findall(r'class="[^"]*\bcount\b[^"]*">([^<]*)<', html):
        assert cell == "&lt;5" or int(cell.replace(",", "")) >= 5, cell


def test_the_committee_report_does_not_depend_on_ages(cohort) -> None:
    ps, ls = cohort
    older = [p.model_copy(update={"age": p.age + 1}) for p in ps]
    older_l = [x.model_copy(update={"age": x.age + 1}) for x in ls]
    a = coordinator_report(report_result(ps, ls), audience="committee")
    b = coordinator_report(report_result(older, older_l), audience="committee")
    assert a == b


def test_the_report_with_a_history_shows_the_year(tmp_path: Path) -> None:
    year = EXAMPLES / "year"
    history = tmp_path / "h.json"
    for extra in (["--new-history"], ["--ended", str(year / "ended-march.csv")]):
        res = run_peermatch(
            "rematch", str(year / "participants.csv"), str(year / "peers.csv"),
            "--history", str(history), *extra,
        )  # fmt: skip
        assert res.returncode == 0, res.stderr
    out = tmp_path / "report.html"
    res = run_peermatch(
        "report", str(year / "participants.csv"), str(year / "peers.csv"), "--history",
        str(history), "-o", str(out),
    )  # fmt: skip
    assert res.returncode == 0, res.stderr
    text = visible_text(out.read_text(encoding="utf-8"))
    assert "What changed since the last run" in text and "The year so far" in text
    assert "moved from L06" in text and "Run 2" in text
    assert "Ended: Safety concern" in text
    res = run_peermatch(
        "report", str(year / "participants.csv"), str(year / "peers.csv"), "--history",
        str(history), "--audience", "committee", "-o", str(tmp_path / "c.html"),
    )  # fmt: skip
    assert res.returncode == 0, res.stderr
    committee = (tmp_path / "c.html").read_text(encoding="utf-8")
    assert not re.search(r"\b[PL]\d\d\b", visible_text(committee))
    # files of another run are refused
    res = run_peermatch(
        "report", str(year / "participants-july.csv"), str(year / "peers.csv"), "--history",
        str(history), "-o", str(out),
    )  # fmt: skip
    assert res.returncode == 2 and "Traceback" not in res.stderr


def test_documents_do_not_depend_on_row_order(cohort) -> None:
    ps, ls = cohort
    lists, lists_r = shortlist(ps, ls), shortlist(ps[::-1], ls[::-1])
    assert phone_script(lists, ps) == phone_script(lists_r, ps[::-1])
    pairs = match(ps, ls).pairs
    assert call_sheets(pairs, ps, ls) == call_sheets(pairs, ps[::-1], ls[::-1])
    assert coordinator_report(report_result(ps, ls)) == coordinator_report(
        report_result(ps[::-1], ls[::-1])
    )


# -- the coordinators' page ---------------------------------------------------------------------


def test_the_coordinators_walkthrough_runs_as_written(tmp_path: Path) -> None:
    page = (ROOT / "docs" / "coordinators.md").read_text(encoding="utf-8")
    for image in re.findall(r"\]\((images/[^)]+)\)", page):
        assert (ROOT / "docs" / image).is_file(), image
    commands = [
        line.split()[1:]
        for line in re.findall(r"```\n(peermatch [^\n]+)\n```", page)
        if "--history"
        not in line  # the year is run in test_the_report_with_a_history_shows_the_year
    ]
    assert [c[0] for c in commands] == ["shortlist", "match", "callsheet", "report", "report"]
    (tmp_path / "examples").symlink_to(EXAMPLES)
    (tmp_path / "contacts.csv").write_text("id,name,phone\nL001,Sam Carter,604 555 0101\n")
    for args in commands:
        if args[0] == "match":
            choices = tmp_path / "calls-choices.csv"
            template = choices.read_text(encoding="utf-8")
            choices.write_text(choose(template, {"P0001": ["B", "A"], "P0002": ["none"]}))
        res = run_peermatch(*args, cwd=tmp_path)
        assert res.returncode == 0, (args, res.stderr)
    for name in ("calls.html", "matches.csv", "callsheets.html", "report.html", "committee.html"):
        assert (tmp_path / name).is_file(), name
