"""Profiles: strict, normalising, every vocabulary an enum."""

from __future__ import annotations

import json
import re
from decimal import Decimal

import numpy as np
import pytest
from pydantic import ValidationError

from peermatch import Participant, PeerLeader
from peermatch.profiles._models import (
    CRITERION_FIELDS,
    HBA1C_PERCENT,
    hba1c_percent,
    problems_from_validation_error,
)
from peermatch.profiles._vocab import LifeStage, Slot


def messages(exc: ValidationError) -> dict[str, str]:
    return {
        p.field or "": p.message
        for p in problems_from_validation_error(exc, file=None, row=None, fields=[])
    }


def test_normalises_case_whitespace_and_csv_forms() -> None:
    p = Participant(
        id=" P-01 ",
        age=" 54 ",
        languages=" EN ; fr;",
        life_stage="Retired; CAREGIVER_children",
        availability=["Mon_Morning"],
        importance="Sex: MUST ; age:low",
        sex=" Female",
        interests="Walking;  board   games",
        region="  V5K ",
    )
    assert p.id == "P-01"
    assert p.age == 54
    assert p.languages == frozenset({"en", "fr"})
    assert p.life_stage == frozenset({LifeStage.RETIRED, LifeStage.CAREGIVER_CHILDREN})
    assert p.availability == frozenset({Slot.MON_MORNING})
    assert p.importance == {"sex": "must", "age": "low"}
    assert p.interests == frozenset({"walking", "board games"})
    assert p.region == "V5K"


def test_ids_are_case_sensitive_and_validated() -> None:
    assert Participant(id="abc", age=30, languages="en").id == "abc"
    with pytest.raises(ValidationError) as exc:
        Participant(id="has space", age=30, languages="en")
    assert "no spaces" in messages(exc.value)["id"]
    with pytest.raises(ValidationError):
        Participant(id="x" * 65, age=30, languages="en")
    with pytest.raises(ValidationError):
        Participant(id="-lead", age=30, languages="en")


def test_empty_values_mean_not_given() -> None:
    p = Participant(id="P", age=30, languages="en", diet="", treatments=[], hba1c=" ")
    assert p.diet is None and p.treatments is None and p.hba1c is None


@pytest.mark.parametrize(
    ("field", "value", "fragment"),
    [
        ("age", "45 yrs", "write the number only (45)"),
        ("age", "17", "out of range"),
        ("age", "nan", "not a finite number"),
        ("age", float("inf"), "not a finite number"),
        ("age", 45.5, "not a whole number"),
        ("age", True, "expected a whole number"),
        ("diabetes_years", "7,5", "use a decimal point (7.5)"),
        ("hba1c", "25", "out of range"),
        ("sex", "fmale", "did you mean 'female'"),
        ("life_stage", "retird", "did you mean 'retired'"),
        ("languages", "eng", "ISO 639-1"),
        ("languages", "", "at least one language"),
        ("importance", "sex=must", "malformed entry"),
        ("importance", "colour:high", "unknown criterion 'colour'"),
        ("importance", "sex:always", "not one of"),
        ("importance", "diet:must", "leaves it empty"),
        ("preferred", "L1;L1", "more than once"),
        ("vetoes", "L 1", "no spaces"),
        ("availability", "mondy_morning", "expected values from"),
        ("interests", "a:b", "at most 40"),
    ],
)
def test_bad_values_have_clear_messages(field: str, value: object, fragment: str) -> None:
    data: dict[str, object] = {"id": "P1", "age": 40, "languages": "en", field: value}
    with pytest.raises(ValidationError) as exc:
        Participant.model_validate(data)
    msgs = messages(exc.value)
    assert fragment in msgs.get(field, "") or fragment in " ".join(msgs.values()), msgs


def test_unknown_fields_rejected_with_suggestion() -> None:
    with pytest.raises(ValidationError) as exc:
        Participant.model_validate({"id": "P", "age": 30, "languages": "en", "langauge": "fr"})
    probs = problems_from_validation_error(exc.value, file="f", row=2, fields=["languages"])
    assert str(probs[0]) == "f:2: langauge: unknown field — did you mean 'languages'?"


def test_preferred_and_vetoes_must_not_overlap() -> None:
    with pytest.raises(ValidationError) as exc:
        Participant(id="P", age=30, languages="en", preferred="L1;L2", vetoes="L2")
    assert "'L2'" in str(exc.value)


def test_leader_fields_and_defaults() -> None:
    leader = PeerLeader(id="L", age=60, languages="en")
    assert leader.capacity == 5 and leader.active is True
    assert PeerLeader(id="L", age=60, languages="en", capacity="", active="").capacity == 5
    for bad in ("-1", "2.5", "51", "many"):
        with pytest.raises(ValidationError):
            PeerLeader(id="L", age=60, languages="en", capacity=bad)
    for text, value in (("yes", True), ("No", False), ("0", False), ("TRUE", True)):
        assert PeerLeader(id="L", age=60, languages="en", active=text).active is value
    with pytest.raises(ValidationError):
        Participant(id="P", age=30, languages="en", capacity=3)  # type: ignore[call-arg]


def test_models_are_frozen_and_serialise_deterministically() -> None:
    p = Participant(id="P", age=30, languages="zh;en;fr", availability="sun_evening;mon_morning")
    with pytest.raises(ValidationError):
        p.age = 31  # type: ignore[misc]
    data = p.model_dump(mode="json")
    assert data["languages"] == ["en", "fr", "zh"]
    assert data["availability"] == ["mon_morning", "sun_evening"]  # vocabulary order
    assert Participant.model_validate(data) == p
    assert Participant.model_validate_json(json.dumps(data)) == p


def test_json_schema_lists_vocabularies() -> None:
    schema = json.dumps(Participant.model_json_schema())
    for value in ("working_full_time", "insulin_pump", "sun_evening", "cgm", "must"):
        assert value in schema
    assert "capacity" in PeerLeader.model_json_schema()["properties"]


def test_importance_keys_are_criterion_fields() -> None:
    assert "id" not in CRITERION_FIELDS and "vetoes" not in CRITERION_FIELDS
    assert set(CRITERION_FIELDS) <= set(Participant.model_fields)


@pytest.mark.parametrize(
    "age", [np.int64(40), np.int32(40), np.float64(40.0), np.float32(40.0), Decimal("40")]
)
def test_numpy_and_decimal_numbers_are_numbers(age: object) -> None:
    """An age of ``np.int64(40)`` or ``Decimal('40')`` was once refused as not a number."""
    p = Participant(id="P1", age=age, languages="en", hba1c=Decimal("7.2"))
    assert p.age == 40 and type(p.age) is int and p.hba1c == 7.2 and type(p.hba1c) is float
    leader = PeerLeader(id="L1", age=50, languages="en", capacity=np.int8(3), active=np.False_)
    assert leader.capacity == 3 and leader.active is False


@pytest.mark.parametrize(
    ("age", "fragment"),
    [
        (np.int64(17), "found np.int64(17) (out of range)"),
        (Decimal("40.5"), "(not a whole number)"),
        (Decimal("NaN"), "(not a finite number)"),
        (Decimal("1e400"), "(out of range)"),
        (np.True_, "expected a whole number from 18 to 110, found np.True_"),
    ],
)
def test_numpy_and_decimal_numbers_get_the_usual_messages(age: object, fragment: str) -> None:
    with pytest.raises(ValidationError, match=re.escape(fragment)):
        Participant(id="P1", age=age, languages="en")


@pytest.mark.parametrize(
    ("value", "expected"),
    [("53", 7.0), ("86", 10.0), ("48", 6.5), ("20", 4.0), ("18.5", 3.8)],
)
def test_hba1c_in_mmol_per_mol_is_refused_with_its_value_in_percent(
    value: str, expected: float
) -> None:
    """53 (mmol/mol) once got no hint and 20 was taken for 20 %."""
    with pytest.raises(ValidationError) as exc:
        Participant(id="P1", age=40, languages="en", hba1c=value)
    text = str(exc.value)
    assert "looks like mmol/mol" in text and f"in % it is {expected:.1f}" in text
    assert hba1c_percent(float(value)) == pytest.approx(expected, abs=0.05)


def test_hba1c_range_is_plausible_percent() -> None:
    lo, hi = HBA1C_PERCENT
    assert Participant(id="P1", age=40, languages="en", hba1c=hi).hba1c == hi
    assert Participant(id="P1", age=40, languages="en", hba1c=lo).hba1c == lo
    with pytest.raises(ValidationError, match="out of range"):
        Participant(id="P1", age=40, languages="en", hba1c=2.9)
