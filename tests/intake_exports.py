"""Exports of profiles as the tools programmes use would write them, with their mappings.

Each exporter takes validated profiles and returns the files a programme would have (a REDCap
data dictionary and raw export, a Qualtrics or Google Forms CSV, a coordinator's workbook) and
the mapping that reads them back. The tests import them and compare with the profiles they came
from; ``examples/intake/`` holds the exports of the example cohort, written by

    python -m tests.intake_exports examples/intake

and the test suite checks that this still writes the same files.

The exports carry what such files really hold beside the profiles: names, phone numbers, notes,
survey metadata, follow-up events. Names and numbers are made up (555-01xx numbers are
reserved for fiction).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any

from peermatch import LABELS, Participant, PeerLeader

Profile = Participant | PeerLeader

FIRST = ["Ann", "Raj", "Mei", "Tom", "Ana", "Sam", "Lea", "Omar", "Ivy", "Joe", "Nia", "Ben"]
LAST = ["Singh", "Chen", "Wong", "Brown", "Lee", "Gill", "Smith", "Dhillon", "Park", "Nguyen"]
REDCAP_COLUMNS = [
    "Variable / Field Name",
    "Form Name",
    "Section Header",
    "Field Type",
    "Field Label",
    "Choices, Calculations, OR Slider Labels",
    "Field Note",
    "Text Validation Type OR Show Slider Number",
    "Text Validation Min",
    "Text Validation Max",
    "Identifier?",
    "Branching Logic (Show field only if...)",
    "Required Field?",
    "Custom Alignment",
    "Question Number (surveys only)",
    "Matrix Group Name",
    "Matrix Ranking?",
    "Field Annotation",
]
#: Fields with a closed vocabulary holding one value, and holding a set.
ONE = ("sex", "activity_level", "glucose_monitoring", "contact_frequency")
MANY = (
    "life_stage",
    "diet",
    "treatments",
    "complications",
    "support_goals",
    "contact_modes",
    "communication_style",
    "availability",
)
QUESTIONS = {
    "id": "Study ID",
    "age": "How old are you?",
    "sex": "Sex",
    "languages": "Which languages do you speak?",
    "region": "First three characters of your postal code",
    "life_stage": "Which of these describe your life at the moment?",
    "activity_level": "How active are you?",
    "diet": "How do you eat?",
    "interests": "Your interests and hobbies",
    "diabetes_years": "How many years have you had diabetes?",
    "treatments": "Which treatments do you use or have you used?",
    "glucose_monitoring": "How do you check your blood sugar?",
    "complications": "Do you live with any of these?",
    "hba1c": "Your latest HbA1c (%)",
    "support_goals": "What would you like support with?",
    "contact_modes": "How would you like to keep in touch?",
    "contact_frequency": "How often would you like to be in touch?",
    "communication_style": "Which of these describe you?",
    "availability": "When are you available?",
    "importance": "What matters most in your match? (criterion:level)",
    "vetoes": "Anyone you would rather not be matched with (ids)",
    "preferred": "Peer leaders you would like, best first (ids)",
    "capacity": "How many participants can you support?",
    "active": "Are you available for new participants now?",
}
SEX_WORDS = {"female": "Woman", "male": "Man", "intersex": "Intersex"}
FREQUENCY_WORDS = {"weekly": "Once a week", "monthly": "Once a month"}


@dataclass
class Export:
    """Files of one export (name -> text or bytes) and the mapping file that reads them."""

    source: str
    files: dict[str, str | bytes] = field(default_factory=dict)
    mapping: str = "map.toml"
    sheet: str | None = None


def kind_of(profiles: Sequence[Profile]) -> str:
    return "peer" if profiles and isinstance(profiles[0], PeerLeader) else "participant"


def fields_of(kind: str) -> list[str]:
    model = PeerLeader if kind == "peer" else Participant
    return list(model.model_fields)


def _code(value: object) -> str:
    return str(value.value) if isinstance(value, Enum) else str(value)


def _ordered(fld: str, values: Any) -> list[str]:
    codes = [_code(v) for v in values]
    order = list(LABELS[fld]) if fld in LABELS else sorted(codes)
    return sorted(codes, key=lambda c: order.index(c) if c in order else len(order))


def text_of(prof: Profile, fld: str, *, labels: bool, sep: str = ";") -> str:
    """A field as one cell: codes or labels, lists joined with ``sep``."""
    value = getattr(prof, fld)
    if value is None:
        return ""
    if fld == "importance":
        return sep.join(f"{k}:{_code(v)}" for k, v in value.items())
    if fld == "preferred":
        return sep.join(value)
    if isinstance(value, frozenset):
        codes = _ordered(fld, value)
        if labels and fld in LABELS:
            return sep.join(LABELS[fld][c] for c in codes)
        return sep.join(codes)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return repr(value)
    code = _code(value)
    return LABELS[fld][code] if labels and fld in LABELS else code


def person(k: int) -> tuple[str, str]:
    """A made-up name and phone number for row ``k``."""
    name = f"{FIRST[k % len(FIRST)]} {LAST[(k // len(FIRST)) % len(LAST)]}"
    return name, f"604-555-01{k % 100:02d}"


def _toml_str(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def _csv(rows: Sequence[Sequence[object]]) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows(rows)
    return buf.getvalue()


# -- REDCap -----------------------------------------------------------------------------------


def redcap_choices(fld: str) -> list[tuple[str, str]]:
    return [(str(k), text) for k, text in enumerate(LABELS[fld].values(), start=1)]


def redcap_dictionary(kind: str) -> str:
    """A REDCap data dictionary that creates the peermatch fields of ``kind``."""
    form = "peer_leader_profile" if kind == "peer" else "participant_profile"
    model = PeerLeader if kind == "peer" else Participant
    rows: list[list[str]] = []

    def add(name: str, ftype: str, text: str, **extra: str) -> None:
        row = dict.fromkeys(REDCAP_COLUMNS, "")
        row.update(
            {"Variable / Field Name": name, "Form Name": form, "Field Type": ftype}
            | {"Field Label": text}
        )
        for key, value in extra.items():
            row[key] = value
        rows.append([row[c] for c in REDCAP_COLUMNS])

    add("record_id", "text", "Record ID (the peermatch id)")
    add("name", "text", "Name", **{"Identifier?": "y"})
    add(
        "phone",
        "text",
        "Phone",
        **{"Identifier?": "y", "Text Validation Type OR Show Slider Number": "phone"},
    )
    for fld in fields_of(kind):
        if fld == "id":
            continue
        label = QUESTIONS[fld]
        note = model.model_fields[fld].description or ""
        if fld in ONE or fld in MANY:
            choices = " | ".join(f"{k}, {t}" for k, t in redcap_choices(fld))
            ftype = "radio" if fld in ONE else "checkbox"
            add(fld, ftype, label, **{"Choices, Calculations, OR Slider Labels": choices})
        elif fld == "active":
            add(fld, "yesno", label)
        elif fld in ("age", "capacity"):
            lo, hi = ("18", "110") if fld == "age" else ("0", "50")
            add(
                fld,
                "text",
                label,
                **{
                    "Text Validation Type OR Show Slider Number": "integer",
                    "Text Validation Min": lo,
                    "Text Validation Max": hi,
                    "Required Field?": "y" if fld == "age" else "",
                },
            )
        elif fld in ("diabetes_years", "hba1c"):
            add(fld, "text", label, **{"Text Validation Type OR Show Slider Number": "number"})
        else:
            sep = "; separate several with ;" if fld != "region" else ""
            add(fld, "notes" if fld == "interests" else "text", label, **{"Field Note": note + sep})
    return _csv([REDCAP_COLUMNS, *rows])


def redcap_export(profiles: Sequence[Profile]) -> Export:
    """A REDCap raw export (codes, checkbox columns, two events) with its dictionary and map."""
    kind = kind_of(profiles)
    form = "peer_leader_profile" if kind == "peer" else "participant_profile"
    header = ["record_id", "redcap_event_name", "name", "phone"]
    for fld in fields_of(kind):
        if fld == "id":
            continue
        if fld in MANY:
            header += [f"{fld}___{k}" for k, _ in redcap_choices(fld)]
        else:
            header.append(fld)
    header.append(f"{form}_complete")
    rows: list[list[str]] = []
    for k, prof in enumerate(profiles):
        name, phone = person(k)
        row = [prof.id, "baseline_arm_1", name, phone]
        for fld in fields_of(kind):
            value = getattr(prof, fld)
            if fld == "id":
                continue
            if fld in MANY:
                have = {_code(v) for v in value or ()}
                row += ["1" if code in have else "0" for code in LABELS[fld]]
            elif fld in ONE:
                row.append("" if value is None else str(list(LABELS[fld]).index(_code(value)) + 1))
            elif fld == "active":
                row.append("1" if value else "0")
            elif fld == "languages":
                row.append(";".join(LABELS["languages"][c] for c in sorted(value)))
            else:
                row.append(text_of(prof, fld, labels=False))
        row.append("2")
        rows.append(row)
        if k % 3 == 0:  # a follow-up event: another row of the same record, left out by [filter]
            follow = dict.fromkeys(header, "")
            follow.update({"record_id": prof.id, "redcap_event_name": "followup_arm_1"})
            follow.update({"hba1c": "9.9", f"{form}_complete": "1"})
            for col in header:
                if "___" in col:
                    follow[col] = "0"
            rows.append([follow[c] for c in header])
    prefix = "peers" if kind == "peer" else "participants"
    mapping = "\n".join(
        [
            "# A REDCap raw export: coded values, one column per checkbox choice, one row per",
            "# record and event. The data dictionary turns the codes into labels.",
            f'redcap_dictionary = "{prefix}-dictionary.csv"',
            f'ignore = ["name", "phone", "{form}_complete"]',
            "",
            "[columns]",
            'id = "record_id"',
            "",
            "[filter]",
            'redcap_event_name = "baseline_arm_1"',
            "",
        ]
    )
    return Export(
        f"{prefix}-export.csv",
        {
            f"{prefix}-export.csv": _csv([header, *rows]),
            f"{prefix}-dictionary.csv": redcap_dictionary(kind),
            f"{prefix}-map.toml": mapping,
        },
        f"{prefix}-map.toml",
    )


# -- Qualtrics --------------------------------------------------------------------------------

QUALTRICS_META = [
    ("StartDate", "Start Date", '{"ImportId":"startDate","timeZone":"America/Vancouver"}'),
    ("EndDate", "End Date", '{"ImportId":"endDate","timeZone":"America/Vancouver"}'),
    ("Status", "Response Type", '{"ImportId":"status"}'),
    ("IPAddress", "IP Address", '{"ImportId":"ipAddress"}'),
    ("Progress", "Progress", '{"ImportId":"progress"}'),
    ("Duration (in seconds)", "Duration (in seconds)", '{"ImportId":"duration"}'),
    ("Finished", "Finished", '{"ImportId":"finished"}'),
    ("RecordedDate", "Recorded Date", '{"ImportId":"recordedDate","timeZone":"America/Vancouver"}'),
    ("ResponseId", "Response ID", '{"ImportId":"_recordId"}'),
    ("RecipientLastName", "Recipient Last Name", '{"ImportId":"recipientLastName"}'),
    ("RecipientFirstName", "Recipient First Name", '{"ImportId":"recipientFirstName"}'),
    ("RecipientEmail", "Recipient Email", '{"ImportId":"recipientEmail"}'),
    ("ExternalReference", "External Data Reference", '{"ImportId":"externalDataReference"}'),
    ("DistributionChannel", "Distribution Channel", '{"ImportId":"distributionChannel"}'),
    ("UserLanguage", "User Language", '{"ImportId":"userLanguage"}'),
]


def qualtrics_export(profiles: Sequence[Profile]) -> Export:
    """A Qualtrics CSV export (three header rows, choice text, answers joined with ',')."""
    kind = kind_of(profiles)
    flds = fields_of(kind)
    names = [m[0] for m in QUALTRICS_META] + [f"Q{k}" for k in range(1, len(flds) + 1)]
    texts = [m[1] for m in QUALTRICS_META] + [QUESTIONS[f] for f in flds]
    imports = [m[2] for m in QUALTRICS_META] + [
        json.dumps({"ImportId": f"QID{k}"}, separators=(",", ":")) for k in range(1, len(flds) + 1)
    ]
    rows: list[list[str]] = [names, texts, imports]
    start = dt.datetime(2025, 3, 3, 9, 0)
    for k, prof in enumerate(profiles):
        when = start + dt.timedelta(hours=7 * k)
        first, last = person(k)[0].split()
        meta = [
            when.strftime("%Y-%m-%d %H:%M:%S"),
            (when + dt.timedelta(minutes=6)).strftime("%Y-%m-%d %H:%M:%S"),
            "IP Address",
            f"192.0.2.{k % 250 + 1}",
            "100",
            str(300 + k),
            "True",
            (when + dt.timedelta(minutes=6)).strftime("%Y-%m-%d %H:%M:%S"),
            f"R_{k:015d}",
            last,
            first,
            f"{first.lower()}.{last.lower()}@example.org",
            "",
            "email",
            "EN",
        ]
        cells = []
        for fld in flds:
            if fld == "sex" and prof.sex is not None:
                cells.append(SEX_WORDS[prof.sex.value])
            else:
                cells.append(text_of(prof, fld, labels=True, sep=","))
        rows.append(meta + cells)
    prefix = "peers" if kind == "peer" else "participants"
    lines = [
        "# A Qualtrics export: question ids in the header, then two lines of question texts and",
        "# import ids; answers in choice text, several joined with ','.",
        "skip_rows = 2",
        'separator = ","',
        "ignore = [" + ", ".join(_toml_str(m[0]) for m in QUALTRICS_META) + "]",
        "",
        "[columns]",
        *(f'{fld} = "Q{k}"' for k, fld in enumerate(flds, start=1)),
        "",
        "[values.sex]",
        *(f'{_toml_str(word)} = "{code}"' for code, word in SEX_WORDS.items()),
        "",
    ]
    return Export(
        f"{prefix}.csv",
        {f"{prefix}.csv": _csv(rows), f"{prefix}-map.toml": "\n".join(lines)},
        f"{prefix}-map.toml",
    )


# -- Google Forms -----------------------------------------------------------------------------


def google_forms_export(profiles: Sequence[Profile]) -> Export:
    """A Google Forms response sheet (question texts as headers, checkboxes joined with ', ')."""
    kind = kind_of(profiles)
    flds = fields_of(kind)
    header = ["Timestamp", "Email address", "Your name"] + [QUESTIONS[f] for f in flds]
    rows: list[list[str]] = [header]
    start = dt.datetime(2025, 3, 3, 9, 0)
    for k, prof in enumerate(profiles):
        when = start + dt.timedelta(hours=5 * k)
        name = person(k)[0]
        cells = [
            when.strftime("%d/%m/%Y %H:%M:%S"),
            f"{name.split()[0].lower()}{k}@example.org",
            name,
        ]
        for fld in flds:
            value = getattr(prof, fld)
            if fld == "contact_frequency" and value is not None and value.value in FREQUENCY_WORDS:
                cells.append(FREQUENCY_WORDS[value.value])
            elif fld == "active":
                cells.append("Yes" if value else "No")
            else:
                cells.append(text_of(prof, fld, labels=True, sep=", "))
        rows.append(cells)
    prefix = "peers" if kind == "peer" else "participants"
    lines = [
        "# A Google Forms response sheet: the questions are the headers; the answers of a",
        "# checkbox question are joined with ', '.",
        'separator = ", "',
        'ignore = ["Timestamp", "Email address", "Your name"]',
        "",
        "[columns]",
        *(f"{fld} = {_toml_str(QUESTIONS[fld])}" for fld in flds),
        "",
        "[values.contact_frequency]",
        *(f'{_toml_str(word)} = "{code}"' for code, word in FREQUENCY_WORDS.items()),
        "",
    ]
    return Export(
        f"{prefix}.csv",
        {f"{prefix}.csv": _csv(rows), f"{prefix}-map.toml": "\n".join(lines)},
        f"{prefix}-map.toml",
    )


# -- a coordinator's workbook -----------------------------------------------------------------

EXCEL_NAMES = {"id": "ID", "hba1c": "HbA1c"}
SHEETS = {"participant": "Participants", "peer": "Peer leaders"}
EXCEL_MAP = "\n".join(
    [
        "# A coordinator's workbook: profile columns named after the fields, values in words,",
        "# and the coordinator's own columns beside them, which are never read.",
        'ignore = ["Name", "Phone", "Notes", "First contact"]',
        "",
    ]
)


def excel_sheet(profiles: Sequence[Profile]) -> list[list[Any]]:
    """Rows of a coordinator's sheet: name, phone, the profile in words, notes, a date."""
    kind = kind_of(profiles)
    flds = fields_of(kind)
    header = ["Name", "Phone"]
    header += [EXCEL_NAMES.get(f, f.replace("_", " ").capitalize()) for f in flds]
    header += ["Notes", "First contact"]
    rows: list[list[Any]] = [header]
    for k, prof in enumerate(profiles):
        name, phone = person(k)
        row: list[Any] = [name, phone]
        for fld in flds:
            value = getattr(prof, fld)
            if value is None:
                row.append(None)
            elif isinstance(value, bool | int | float):
                row.append(value)
            else:
                row.append(text_of(prof, fld, labels=True, sep="; ") or None)
        note = f"called {name.split()[0]} on {phone}" if k % 4 == 0 else None
        row += [note, dt.date(2025, 1, 6) + dt.timedelta(days=k)]
        rows.append(row)
    return rows


def workbook_bytes(sheets: dict[str, list[list[Any]]]) -> bytes:
    """An .xlsx workbook with these sheets (the cells are reproducible; the zip's dates are not)."""
    import openpyxl

    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for title, rows in sheets.items():
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append(row)
    fixed = dt.datetime(2025, 1, 1)
    wb.properties.created = fixed
    wb.properties.modified = fixed
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def excel_export(participants: Sequence[Profile], peers: Sequence[Profile]) -> Export:
    """A coordinator's workbook with a sheet of participants and one of peer leaders."""
    data = workbook_bytes(
        {SHEETS["participant"]: excel_sheet(participants), SHEETS["peer"]: excel_sheet(peers)}
    )
    return Export(
        "coordinator.xlsx",
        {"coordinator.xlsx": data, "coordinator-map.toml": EXCEL_MAP},
        "coordinator-map.toml",
    )


def write(export: Export, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in export.files.items():
        path = folder / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8", newline="")


def example_exports(
    participants: Sequence[Profile], peers: Sequence[Profile]
) -> dict[str, list[Export]]:
    """Every export of a cohort, by the folder it goes in under ``examples/intake``."""
    return {
        "redcap": [redcap_export(participants), redcap_export(peers)],
        "qualtrics": [qualtrics_export(participants), qualtrics_export(peers)],
        "google-forms": [google_forms_export(participants), google_forms_export(peers)],
        "excel": [excel_export(participants, peers)],
    }


def main(argv: Sequence[str]) -> None:
    from peermatch import read_participants, read_peers

    root = Path(__file__).resolve().parents[1]
    out = Path(argv[0]) if argv else root / "examples" / "intake"
    ps = read_participants(root / "examples" / "participants.csv")
    ls = read_peers(root / "examples" / "peers.csv")
    for folder, exports in example_exports(ps, ls).items():
        for export in exports:
            write(export, out / folder)


if __name__ == "__main__":
    main(sys.argv[1:])
