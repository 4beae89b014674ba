"""MatchConfig: presets, TOML loading, clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from peermatch import InputError, MatchConfig
from peermatch.scoring._config import Criterion


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_default_is_participant_centred_and_favours_study_themes() -> None:
    cfg = MatchConfig()
    w = {k: c.weight for k, c in cfg.criteria.items()}
    for strong in (
        "life_stage",
        "treatments",
        "diabetes_years",
        "communication_style",
        "support_goals",
        "availability",
    ):
        assert w[strong] > w["age"] and w[strong] > w["sex"], strong
    hard = {k for k, c in cfg.criteria.items() if c.hard}
    assert hard == {"languages", "contact_modes"}
    assert "hba1c" not in cfg.criteria and cfg.min_score == 0 and cfg.solver == "hungarian"


def test_c2c_baseline_scores_sex_region_availability_only() -> None:
    cfg = MatchConfig.from_preset("c2c_baseline")
    assert {k for k, c in cfg.criteria.items() if c.weight > 0} == {"sex", "region", "availability"}


def test_toml_overrides_merge_with_preset(tmp_path: Path) -> None:
    cfg = MatchConfig.from_file(
        write(
            tmp_path,
            """
min_score = 0.2
solver = "hungarian"
preference_bonus = 0.1

[criteria.age]
weight = 0.5
scale = 15

[criteria.communication_style]
invert = true

[criteria.hba1c]
kind = "numeric"
weight = 0.5
scale = 2
""",
        )
    )
    assert cfg.min_score == 0.2 and cfg.preference_bonus == 0.1
    assert cfg.criteria["age"] == Criterion(kind="numeric", weight=0.5, scale=15)
    assert cfg.criteria["communication_style"].invert
    assert cfg.criteria["communication_style"].weight == 2.5  # kept from the preset
    assert cfg.criteria["hba1c"].kind == "numeric"
    assert cfg.criteria["life_stage"] == MatchConfig().criteria["life_stage"]


def test_to_toml_round_trips(tmp_path: Path) -> None:
    cfg = MatchConfig(min_score=0.1)
    again = MatchConfig.from_file(write(tmp_path, cfg.to_toml()))
    assert again.config_hash() == cfg.config_hash()
    assert again.criteria == cfg.criteria


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("min_scor = 1", "min_scor: unknown key — did you mean 'min_score'?"),
        ("[criteria.age]\nwieght = 1", "criteria.age.wieght: unknown key — did you mean 'weight'?"),
        ("[criteria.agee]\nkind = 'exact'", "unknown criterion 'agee' — did you mean 'age'?"),
        ("[criteria.age]\nweight = -1", "criteria.age.weight"),
        ("[criteria.sex]\nkind = 'jaccard'", "does not suit this field"),
        ("[criteria.age]\nkind = 'numbr'", "expected one of: exact, ordinal"),
        ("solver = 'magic'", "unknown solver 'magic'"),
        ("preset = 'fancy'", "unknown preset 'fancy'"),
        (
            "preset = 'none'\n[criteria.age]\nkind = 'numeric'\nweight = 0",
            "every criterion weight is 0",
        ),
        ("min_score = nan", "min_score"),
        ("this is not toml", "not valid TOML"),
    ],
)
def test_bad_config_names_file_and_key(tmp_path: Path, text: str, fragment: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(InputError) as exc:
        MatchConfig.from_file(path)
    assert fragment in str(exc.value)
    assert str(path) in str(exc.value)


def test_all_problems_reported_together(tmp_path: Path) -> None:
    with pytest.raises(InputError) as exc:
        MatchConfig.from_file(write(tmp_path, "min_scor = 1\nsolvr = 'x'\n"))
    assert len(exc.value.problems) == 2


def test_hash_changes_with_content_only() -> None:
    assert MatchConfig().config_hash() == MatchConfig().config_hash()
    assert MatchConfig(min_score=0.1).config_hash() != MatchConfig().config_hash()


def test_unknown_preset_and_missing_file() -> None:
    with pytest.raises(InputError, match="unknown preset"):
        MatchConfig.from_preset("nope")
    with pytest.raises(InputError, match="cannot read"):
        MatchConfig.from_file("/nonexistent/config.toml")


def test_problems_in_settings_and_in_criteria_are_reported_together(tmp_path: Path) -> None:
    text = "min_scor = 1\nsolver = 'x'\n[criteria.age]\nweight = -1\nscale = 'x'\n[criteria.sex]\nwieght = 2\n"
    with pytest.raises(InputError) as exc:
        MatchConfig.from_file(write(tmp_path, text))
    got = "\n".join(str(p) for p in exc.value.problems)
    for fragment in (
        "min_scor: unknown key — did you mean 'min_score'?",
        "solver: unknown solver 'x'",
        "criteria.age.weight: expected a number at least 0",
        "criteria.age.scale: expected a number",
        "criteria.sex.wieght: unknown key — did you mean 'weight'?",
    ):
        assert fragment in got, got
