"""Bring your own spreadsheet: labels, mappings, REDCap, survey exports, workbooks, DataFrames.

The exports are written by ``tests/intake_exports.py`` the way each tool writes them; each is
imported back and compared with the profiles it came from (the shipped example cohort, and
random cohorts drawn by hypothesis).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import peermatch
from peermatch import (
    LABELS,
    InputError,
    Participant,
    PeerLeader,
    label,
    match,
    read_participants,
    read_peers,
)
from peermatch.io._draft import draft_mapping
from peermatch.io._mapping import load_mapping
from peermatch.matching._match import input_hash
from peermatch.profiles._labels import VOCABULARY_OF, label_key
from peermatch.profiles._vocab import ISO_639_1
from tests import intake_exports as ex
from tests.cli_runner import run_peermatch
from tests.strategies import cohorts

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
INTAKE = EXAMPLES / "intake"
PS = read_participants(EXAMPLES / "participants.csv")
LS = read_peers(EXAMPLES / "peers.csv")

#: (source, mapping, sheet, kind) of every shipped export.
SHIPPED = [
    ("redcap/participants-export.csv", "redcap/participants-map.toml", None, "participant"),
    ("redcap/peers-export.csv", "redcap/peers-map.toml", None, "peer"),
    ("qualtrics/participants.csv", "qualtrics/participants-map.toml", None, "participant"),
    ("qualtrics/peers.csv", "qualtrics/peers-map.toml", None, "peer"),
    ("google-forms/participants.csv", "google-forms/participants-map.toml", None, "participant"),
    ("google-forms/peers.csv", "google-forms/peers-map.toml", None, "peer"),
    ("excel/coordinator.xlsx", "excel/coordinator-map.toml", "Participants", "participant"),
    ("excel/coordinator.xlsx", "excel/coordinator-map.toml", "Peer leaders", "peer"),
]
PHONES = [ex.person(k)[1] for k in range(len(PS))]


def read(kind: str, source: Any, **kw: Any) -> list[Any]:
    return read_participants(source, **kw) if kind == "participant" else read_peers(source, **kw)


def problems(step: Any) -> list[str]:
    with pytest.raises(InputError) as exc:
        step()
    return [str(p) for p in exc.value.problems]


# -- labels -----------------------------------------------------------------------------------


def test_every_vocabulary_member_has_a_label_unique_in_its_vocabulary() -> None:
    for enum, name in VOCABULARY_OF.items():
        assert set(LABELS[name]) == {m.value for m in enum}, name
    assert set(LABELS["languages"]) == set(ISO_639_1)
    for name, table in LABELS.items():
        keys = [label_key(t) for t in table.values()]
        assert len(set(keys)) == len(keys), name  # label -> code is unambiguous
        codes = {label_key(c): c for c in table}
        for code, text in table.items():
            assert ";" not in text and "," not in text, text  # never splits a cell
            assert codes.get(label_key(text), code) == code, (name, text)  # no other's code


def test_label_accessor() -> None:
    assert label("life_stage", "working_full_time") == "Working full time"
    assert label("languages", "en") == "English"
    assert label(peermatch.Treatment, peermatch.Treatment.BASAL_INSULIN) == "Basal insulin"
    assert label(peermatch.Slot, "mon_evening") == "Monday evening"
    with pytest.raises(InputError, match="did you mean 'sex'"):
        label("sexx", "female")
    with pytest.raises(InputError, match="not a code"):
        label("sex", "f")


@pytest.mark.parametrize("vocabulary", sorted(set(LABELS) - {"importance", "end_reason"}))
def test_profiles_accept_every_label_in_any_case(vocabulary: str) -> None:
    for code, text in LABELS[vocabulary].items():
        for written in (text, text.upper(), f"  {text.lower()} "):
            extra = {} if vocabulary == "languages" else {vocabulary: written}
            langs = written if vocabulary == "languages" else "en"
            p = Participant(id="P1", age=40, languages=langs, **extra)
            value = getattr(p, vocabulary)
            got = {str(v) for v in value} if isinstance(value, frozenset) else {str(value)}
            assert got == {code}, (vocabulary, written)


def test_importance_levels_accept_labels() -> None:
    p = Participant(
        id="P1", age=40, languages="en", sex="Female", importance="sex:Must have;age:low"
    )
    assert {k: v.value for k, v in (p.importance or {}).items()} == {"sex": "must", "age": "low"}


# -- the shipped examples ---------------------------------------------------------------------


@pytest.mark.parametrize(("source", "plan", "sheet", "kind"), SHIPPED)
def test_shipped_export_imports_to_the_example_cohort(
    source: str, plan: str, sheet: str | None, kind: str
) -> None:
    got = read(kind, INTAKE / source, mapping=INTAKE / plan, sheet=sheet)
    want = PS if kind == "participant" else LS
    assert got == want
    hashes = (input_hash(got, []), input_hash(want, []))
    if kind == "peer":
        hashes = (input_hash([], got), input_hash([], want))
    assert hashes[0] == hashes[1]


def test_shipped_examples_are_what_the_exporters_write(tmp_path: Path) -> None:
    ex.main([str(tmp_path)])
    shipped = sorted(p.relative_to(INTAKE) for p in INTAKE.rglob("*") if p.is_file())
    written = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file())
    assert shipped == written
    for rel in written:
        if rel.suffix == ".xlsx":  # a zip's dates differ; the cells must not
            openpyxl = pytest.importorskip("openpyxl")
            a = openpyxl.load_workbook(INTAKE / rel, read_only=True)
            b = openpyxl.load_workbook(tmp_path / rel, read_only=True)
            assert a.sheetnames == b.sheetnames
            for name in a.sheetnames:
                rows_a = list(a[name].iter_rows(values_only=True))
                assert rows_a == list(b[name].iter_rows(values_only=True)), name
        else:
            assert (INTAKE / rel).read_bytes() == (tmp_path / rel).read_bytes(), rel


def test_cli_import_then_match_equals_match_on_the_canonical_files(tmp_path: Path) -> None:
    out: dict[str, Path] = {}
    for source, plan, sheet, kind in SHIPPED[:2] + SHIPPED[6:]:
        target = tmp_path / f"{Path(source).parent}-{kind}.csv"
        args = [
            "import",
            str(INTAKE / source),
            "--kind",
            "peers" if kind == "peer" else "participants",
        ]
        args += ["--map", str(INTAKE / plan), "-o", str(target)]
        if sheet:
            args += ["--sheet", sheet]
        res = run_peermatch(*args)
        assert res.returncode == 0, res.stderr
        assert read(kind, target) == (PS if kind == "participant" else LS)
        out[f"{Path(source).parent}-{kind}"] = target
    canonical = run_peermatch(
        "match", str(EXAMPLES / "participants.csv"), str(EXAMPLES / "peers.csv"), "--format", "json"
    )
    for folder in ("redcap", "excel"):
        res = run_peermatch(
            "match",
            str(out[f"{folder}-participant"]),
            str(out[f"{folder}-peer"]),
            "--format",
            "json",
        )
        assert res.returncode == 0, res.stderr
        mine, theirs = json.loads(res.stdout), json.loads(canonical.stdout)
        assert mine["manifest"]["input_hash"] == theirs["manifest"]["input_hash"]
        assert mine["matches"] == theirs["matches"]


def test_every_command_reads_through_a_mapping() -> None:
    xlsx, plan = str(INTAKE / "excel/coordinator.xlsx"), str(INTAKE / "excel/coordinator-map.toml")
    res = run_peermatch(
        "validate", xlsx, xlsx, "--map", plan, "--peers-map", plan,
        "--sheet", "Participants", "--peers-sheet", "Peer leaders",
    )  # fmt: skip
    assert res.returncode == 0, res.stderr
    assert "120 participants, valid" in res.stdout and "24 peer leaders" in res.stdout


# -- round trips of random cohorts ------------------------------------------------------------

ROUND_TRIPS = {
    "redcap": ex.redcap_export,
    "qualtrics": ex.qualtrics_export,
    "google-forms": ex.google_forms_export,
}


@pytest.mark.parametrize("fmt", sorted(ROUND_TRIPS))
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cohort=cohorts(min_participants=1, min_peers=1))
def test_export_then_import_gives_the_same_profiles(
    fmt: str, cohort: tuple[list[Participant], list[PeerLeader]], tmp_path: Path
) -> None:
    for profiles in cohort:
        export = ROUND_TRIPS[fmt](profiles)
        ex.write(export, tmp_path)
        kind = ex.kind_of(profiles)
        got = read(kind, tmp_path / export.source, mapping=tmp_path / export.mapping)
        assert got == profiles


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cohort=cohorts(min_participants=1, min_peers=1))
def test_workbook_export_then_import_gives_the_same_profiles(
    cohort: tuple[list[Participant], list[PeerLeader]], tmp_path: Path
) -> None:
    ps, ls = cohort
    export = ex.excel_export(ps, ls)
    ex.write(export, tmp_path)
    plan = tmp_path / export.mapping
    assert read_participants(tmp_path / export.source, mapping=plan, sheet="Participants") == ps
    assert read_peers(tmp_path / export.source, mapping=plan, sheet="Peer leaders") == ls


def _frame(profiles: list[Any]) -> pd.DataFrame:
    kind = ex.kind_of(profiles)
    rows = []
    for prof in profiles:
        rows.append({f: ex.text_of(prof, f, labels=False) or None for f in ex.fields_of(kind)})
    frame = pd.DataFrame(rows, columns=ex.fields_of(kind))
    for numeric in ("age", "diabetes_years", "hba1c", "capacity"):
        if numeric in frame:
            frame[numeric] = pd.to_numeric(frame[numeric])  # NaN where not given
    return frame


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cohort=cohorts(min_participants=1, min_peers=1), shuffle=st.randoms(use_true_random=False))
def test_dataframe_reads_like_its_csv_and_its_workbook(
    cohort: tuple[list[Participant], list[PeerLeader]], shuffle: Any, tmp_path: Path
) -> None:
    for profiles in cohort:
        kind = ex.kind_of(profiles)
        frame = _frame(profiles)
        frame.index = shuffle.sample(range(1000), len(frame))  # any row labels
        frame.to_csv(tmp_path / "p.csv", index=False)
        via_frame = read(kind, frame)
        assert via_frame == read(kind, tmp_path / "p.csv") == profiles
        header = list(frame.columns)
        cells = [[None if pd.isna(v) else v for v in row] for row in frame.itertuples(index=False)]
        (tmp_path / "p.xlsx").write_bytes(ex.workbook_bytes({"Sheet1": [header, *cells]}))
        assert read(kind, tmp_path / "p.xlsx") == profiles


def test_match_takes_dataframes() -> None:
    fp, fl = _frame(PS), _frame(LS)
    assert match(fp, fl).pairs == match(PS, LS).pairs
    assert peermatch.score(fp, fl).values.shape == (len(PS), len(LS))
    assert (
        peermatch.shortlist(fp, fl, k=2).to_records()
        == peermatch.shortlist(PS, LS, k=2).to_records()
    )


def test_dataframe_problems_name_the_row_label() -> None:
    frame = _frame(PS[:4])
    frame.index = ["a", "b", "c", "d"]
    frame.loc["c", "age"] = 12
    frame["sex"] = frame["sex"].astype(object)
    frame.loc["b", "sex"] = pd.NA
    frame.loc["d", "languages"] = float("nan")
    lines = problems(lambda: read_participants(frame))
    assert (
        "participants DataFrame['c']: age: expected a whole number from 18 to 110, found '12' (out of range)"
        in lines
    )
    assert any(ln.startswith("participants DataFrame['d']: languages: required") for ln in lines)
    assert len(lines) == 2  # pd.NA is "not given"
    lines = problems(lambda: match(frame, _frame(LS)))
    assert any(ln.startswith("participants DataFrame['c']: age") for ln in lines)


# -- problems, all at once and one line per column ---------------------------------------------


def test_unmapped_values_name_field_column_rows_and_fix(tmp_path: Path) -> None:
    rows = ["Rec,Age,Gender,Speaks"] + [
        f"P{k},{40 + k},{'F' if k in (1, 7, 39) else 'Female'},en" for k in range(50)
    ]
    (tmp_path / "s.csv").write_text("\n".join(rows) + "\n")
    plan = {"columns": {"id": "Rec", "sex": "Gender", "languages": "Speaks"}}
    lines = problems(lambda: read_participants(tmp_path / "s.csv", mapping=plan))
    assert lines == [
        f"{tmp_path / 's.csv'}: sex (column 'Gender'): no mapping for 'F' on rows 3, 9, 41; "
        "add it under [values.sex]"
    ]


def test_a_blank_required_column_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "p.csv").write_text(
        "id,age,languages\n" + "".join(f"P{k},,en\n" for k in range(120))
    )
    assert problems(lambda: read_participants(tmp_path / "p.csv")) == [
        f"{tmp_path / 'p.csv'}: age: column is empty on all 120 rows"
    ]


def test_a_date_in_a_number_column_says_so(tmp_path: Path) -> None:
    import datetime as dt

    rows = [
        ["id", "age", "languages"],
        ["P1", dt.date(1965, 3, 14), "en"],
        ["P2", "14/03/1965", "en"],
    ]
    (tmp_path / "p.xlsx").write_bytes(ex.workbook_bytes({"Sheet": rows}))
    lines = problems(lambda: read_participants(tmp_path / "p.xlsx"))
    assert len(lines) == 2 and all(
        "looks like a date: Excel may have converted this cell" in ln for ln in lines
    )
    assert "write the number only" not in "\n".join(lines)


def test_a_workbook_needs_the_excel_extra(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "p.xlsx").write_bytes(
        ex.workbook_bytes({"S": [["id", "age", "languages"], ["P1", 40, "en"]]})
    )
    assert [p.id for p in read_participants(tmp_path / "p.xlsx")] == ["P1"]
    monkeypatch.setitem(sys.modules, "python_calamine", None)
    with pytest.raises(ImportError, match=r"pip install 'peermatch\[excel\]'"):
        read_participants(tmp_path / "p.xlsx")


def test_unknown_sheet_lists_the_sheets() -> None:
    lines = problems(lambda: read_participants(INTAKE / "excel/coordinator.xlsx", sheet="People"))
    assert lines == [
        f"{INTAKE / 'excel/coordinator.xlsx'}: sheet: no sheet 'People'; the sheets are "
        "'Participants', 'Peer leaders'"
    ]


BAD_MAPPINGS = [
    ('[columns]\nagee = "Age"\n', "columns.agee: unknown field 'agee' — did you mean 'age'?"),
    (
        '[columns]\ncapacity = "Cap"\n',
        "columns.capacity: unknown field 'capacity': it is a field of peer leaders",
    ),
    ('[values.sex]\nF = "femme"\n', "values.sex.F: 'femme' is not a value of sex"),
    (
        '[values.languages]\nEN = "Englsh"\n',
        "values.languages.EN: 'Englsh' is not a value of languages — did you mean",
    ),
    (
        '[columns]\nage = "Age"\ndiabetes_years = "age"\n',
        "columns.diabetes_years: column 'age' is mapped twice (to age and diabetes_years)",
    ),
    ('separator = ""\n', "separator: expected a short separator"),
    ("skip_rows = -1\n", "skip_rows: expected a whole number at least 0, found -1"),
    ('ignor = ["x"]\n', "ignor: unknown key — did you mean 'ignore'?"),
    ("ignore = \n", "not valid TOML"),
]


@pytest.mark.parametrize(("text", "message"), BAD_MAPPINGS)
def test_bad_mapping_names_file_and_key(tmp_path: Path, text: str, message: str) -> None:
    plan = tmp_path / "map.toml"
    plan.write_text(text)
    (tmp_path / "p.csv").write_text("id,age,languages\nP1,40,en\n")
    lines = problems(lambda: read_participants(tmp_path / "p.csv", mapping=plan))
    assert any(ln.startswith(f"{plan}: ") and message in ln for ln in lines), lines
    res = run_peermatch(
        "import",
        str(tmp_path / "p.csv"),
        "--kind",
        "participants",
        "--map",
        str(plan),
        "-o",
        str(tmp_path / "o.csv"),
    )
    assert res.returncode == 2 and "Traceback" not in res.stderr and message in res.stderr
    assert not (tmp_path / "o.csv").exists()


def test_dictionary_whose_choices_do_not_parse(tmp_path: Path) -> None:
    dd = ex.redcap_dictionary("participant").replace('"1, Female | 2, Male', '"1 Female | 2, Male')
    dd = dd.replace("1, Mostly sitting | 2,", "1, Mostly sitting | 1,")
    (tmp_path / "dd.csv").write_text(dd)
    export = ex.redcap_export(PS[:3])
    ex.write(export, tmp_path)
    plan = tmp_path / export.mapping
    plan.write_text(plan.read_text().replace("participants-dictionary.csv", "dd.csv"))
    lines = problems(lambda: read_participants(tmp_path / export.source, mapping=plan))
    assert any(
        f"{tmp_path / 'dd.csv'}:" in ln and "sex: choice '1 Female' is not 'CODE, Label'" in ln
        for ln in lines
    ), lines
    assert any("activity_level: choice code '1' is given twice" in ln for ln in lines), lines
    res = run_peermatch(
        "validate", str(tmp_path / export.source), str(EXAMPLES / "peers.csv"), "--map", str(plan)
    )
    assert (
        res.returncode == 2
        and "Traceback" not in res.stderr
        and "is not 'CODE, Label'" in res.stderr
    )


def test_mapped_column_missing_from_the_source(tmp_path: Path) -> None:
    (tmp_path / "p.csv").write_text("id,Age (years),languages\nP1,40,en\n")
    plan = {"columns": {"age": "Age (yrs)"}}
    lines = problems(lambda: read_participants(tmp_path / "p.csv", mapping=plan))
    assert (
        f"mapping: columns.age: {tmp_path / 'p.csv'} has no column 'Age (yrs)' — did you mean 'Age (years)'?"
        in lines
    )


def test_checkbox_columns_without_a_dictionary_fold_into_codes(tmp_path: Path) -> None:
    (tmp_path / "p.csv").write_text(
        "id,age,languages,treatments___1,treatments___2,treatments___3\n"
        "P1,40,en,1,0,Checked\nP2,41,en,0,Unchecked,0\nP3,42,en,1,yes,0\n"
    )
    plan = {"values": {"treatments": {"1": "metformin", "2": "glp1", "3": "Basal insulin"}}}
    lines = problems(lambda: read_participants(tmp_path / "p.csv", mapping=plan))
    assert lines == [
        f"{tmp_path / 'p.csv'}:4: treatments: column 'treatments___2': expected 1 or 0 (Checked or Unchecked), found 'yes'"
    ]
    (tmp_path / "p.csv").write_text((tmp_path / "p.csv").read_text().replace("yes", "0"))
    got = read_participants(tmp_path / "p.csv", mapping=plan)
    assert [sorted(map(str, p.treatments or ())) for p in got] == [
        ["basal_insulin", "metformin"],
        [],
        ["metformin"],
    ]


# -- privacy: ignored columns reach nothing ----------------------------------------------------


def test_ignored_columns_appear_in_no_output(tmp_path: Path) -> None:
    export = ex.redcap_export(PS)
    ex.write(export, tmp_path)
    good = tmp_path / "p.csv"
    res = run_peermatch(
        "import",
        str(tmp_path / export.source),
        "--kind",
        "participants",
        "--map",
        str(tmp_path / export.mapping),
        "-o",
        str(good),
    )
    assert res.returncode == 0, res.stderr
    # a bad value beside the phone column: the message quotes the value, never the phone
    broken = (
        (tmp_path / export.source)
        .read_text()
        .replace(
            ",baseline_arm_1,Ann Singh,604-555-0100,59,",
            ",baseline_arm_1,Ann Singh,604-555-0100,fifty,",
        )
    )
    (tmp_path / "broken.csv").write_text(broken)
    bad = run_peermatch(
        "import",
        str(tmp_path / "broken.csv"),
        "--kind",
        "participants",
        "--map",
        str(tmp_path / export.mapping),
        "-o",
        str(tmp_path / "x.csv"),
    )
    assert bad.returncode == 2 and "'fifty'" in bad.stderr
    xlsx, plan = INTAKE / "excel/coordinator.xlsx", INTAKE / "excel/coordinator-map.toml"
    matched = tmp_path / "m.json"
    run = run_peermatch(
        "rematch", str(xlsx), str(xlsx), "--map", str(plan), "--peers-map", str(plan),
        "--sheet", "Participants", "--peers-sheet", "Peer leaders",
        "--history", str(tmp_path / "year.json"), "--new-history", "-o", str(matched),
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    texts = [good.read_text(), bad.stderr, bad.stdout, res.stdout, run.stdout, run.stderr]
    texts += [matched.read_text(), (tmp_path / "year.json").read_text()]
    for k in range(len(PS)):
        name, phone = ex.person(k)
        for text in texts:
            assert phone not in text and phone.replace("-", "") not in text
            assert name not in text
    assert all(p.id for p in read_participants(good))


# -- the draft mapping ------------------------------------------------------------------------


def test_draft_of_a_redcap_export_imports_the_cohort(tmp_path: Path) -> None:
    export = ex.redcap_export(PS)
    ex.write(export, tmp_path)
    dd = tmp_path / "participants-dictionary.csv"
    draft = tmp_path / "drafts" / "draft.toml"
    draft.parent.mkdir()
    res = run_peermatch(
        "import",
        str(tmp_path / export.source),
        "--kind",
        "participants",
        "--redcap-dictionary",
        str(dd),
        "--draft-map",
        str(draft),
    )
    assert res.returncode == 0, res.stderr
    text = draft.read_text()
    assert all(phone not in text for phone in PHONES) and "Ann Singh" not in text
    assert 'id = "record_id"' in text and 'redcap_event_name = "baseline_arm_1"' in text
    assert read_participants(tmp_path / export.source, mapping=draft) == PS
    again = run_peermatch(
        "import", str(tmp_path / export.source), "--kind", "participants", "--draft-map", str(draft)
    )
    assert again.returncode == 2 and "exists" in again.stderr


def test_draft_guesses_values_and_leaves_the_rest_to_the_coordinator(tmp_path: Path) -> None:
    export = ex.google_forms_export(PS)
    ex.write(export, tmp_path)
    text = draft_mapping(tmp_path / export.source, "participant")
    plan = load_mapping_text(tmp_path, text)
    assert plan.separator == ", "
    assert (
        plan.columns["id"] == "Study ID" and plan.columns["languages"] == ex.QUESTIONS["languages"]
    )
    assert plan.values["contact_frequency"] == {
        "once a week": ("weekly",),
        "once a month": ("monthly",),
    }
    assert "Email address" in plan.ignore and "Your name" in plan.ignore
    assert not any(p in text for p in PHONES) and "@example.org" not in text


def load_mapping_text(folder: Path, text: str) -> Any:
    path = folder / "draft.toml"
    path.write_text(text)
    return load_mapping(path, "participant")


def test_import_refuses_to_write_over_its_source_and_needs_an_output(tmp_path: Path) -> None:
    source = tmp_path / "p.csv"
    source.write_text("id,age,languages\nP1,40,en\n")
    res = run_peermatch("import", str(source), "--kind", "participants", "-o", str(source))
    assert res.returncode == 2 and "is one of the input files" in res.stderr
    assert source.read_text() == "id,age,languages\nP1,40,en\n"
    res = run_peermatch("import", str(source), "--kind", "participants")
    assert res.returncode == 2 and "give -o PROFILES.csv" in res.stderr


def test_a_column_named_after_a_field_mapped_elsewhere_is_reported(tmp_path: Path) -> None:
    (tmp_path / "p.csv").write_text("id,age,Age (years),languages\nP1,40,41,en\n")
    lines = problems(
        lambda: read_participants(tmp_path / "p.csv", mapping={"columns": {"age": "Age (years)"}})
    )
    assert lines == [
        f"{tmp_path / 'p.csv'}:1: column 'age' would give age, which [columns] takes from "
        "'Age (years)'; list it in ignore"
    ]
    got = read_participants(
        tmp_path / "p.csv", mapping={"columns": {"age": "Age (years)"}, "ignore": ["age"]}
    )
    assert got[0].age == 41
