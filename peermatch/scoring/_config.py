"""Matching configuration: criteria, weights, hard rules and presets (``docs/criteria.md``).

A :class:`MatchConfig` holds one :class:`Criterion` per scored profile field, the global
``min_score``, the ``preference_bonus`` and the solver. It loads from TOML::

    preset = "participant_centred"   # the base; "none" starts from no criteria
    min_score = 0.2
    solver = "stable"

    [criteria.age]
    weight = 0.5
    scale = 15

    [criteria.region]
    weight = 0                        # switch a criterion off

Tables under ``criteria`` override only the keys they give; criteria not listed keep the
preset's definition. Unknown keys anywhere are an error naming the key.

Examples
--------
>>> cfg = MatchConfig.from_preset("c2c_baseline")
>>> sorted(name for name, c in cfg.criteria.items() if c.weight > 0)
['availability', 'region', 'sex']
>>> MatchConfig().criteria["languages"].hard
True
"""

from __future__ import annotations

import hashlib
import json
import math
import tomllib
from collections.abc import Mapping
from dataclasses import replace
from os import PathLike
from pathlib import Path
from typing import Any, Literal, Self, get_args

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    ValidationError,
    field_validator,
    model_serializer,
    model_validator,
)

from peermatch._core.text import MAX_SHOWN, cut, did_you_mean, shown
from peermatch.errors import InputError, Problem
from peermatch.profiles._models import CRITERION_FIELDS
from peermatch.profiles._vocab import ORDERED, Importance
from peermatch.solvers import SOLVERS

__all__ = [
    "IMPORTANCE_MULTIPLIER",
    "KINDS",
    "MAX_WEIGHT",
    "PRESETS",
    "Criterion",
    "Kind",
    "MatchConfig",
    "as_config",
]

#: Largest criterion weight. Scores are weighted means, so only the ratios of weights matter;
#: the bound keeps every sum of weights far from overflow.
MAX_WEIGHT = 1_000_000.0

Kind = Literal["exact", "ordinal", "numeric", "experience", "jaccard", "coverage", "overlap"]
KINDS: tuple[str, ...] = get_args(Kind)

#: Participant importance level -> weight multiplier. ``must`` weighs like ``high`` and also
#: makes the criterion hard for that participant.
IMPORTANCE_MULTIPLIER: dict[Importance, float] = {
    Importance.MUST: 2.0,
    Importance.HIGH: 2.0,
    Importance.NORMAL: 1.0,
    Importance.LOW: 0.5,
    Importance.IGNORE: 0.0,
}

NUMERIC_FIELDS = frozenset({"age", "diabetes_years", "hba1c"})
SET_FIELDS = frozenset(
    {
        "languages",
        "life_stage",
        "diet",
        "interests",
        "treatments",
        "complications",
        "support_goals",
        "contact_modes",
        "communication_style",
        "availability",
    }
)
ORDERED_FIELDS = frozenset(ORDERED)
SCALAR_FIELDS = frozenset(CRITERION_FIELDS) - NUMERIC_FIELDS - SET_FIELDS

#: Which comparator kinds suit which fields.
KINDS_FOR_FIELD: dict[str, tuple[str, ...]] = {
    f: (
        ("numeric", "experience", "exact")
        if f in NUMERIC_FIELDS
        else ("jaccard", "coverage", "overlap", "exact")
        if f in SET_FIELDS
        else ("ordinal", "exact")
        if f in ORDERED_FIELDS
        else ("exact",)
    )
    for f in CRITERION_FIELDS
}

#: Default ``pass_at`` per kind: the similarity a pair must reach to pass a hard rule.
DEFAULT_PASS_AT: dict[str, float] = {
    "exact": 1.0,
    "ordinal": 1.0,
    "numeric": 0.5,
    "experience": 0.5,
    "jaccard": 1e-9,
    "coverage": 1.0,
    "overlap": 1e-9,
}


class Criterion(BaseModel):
    """How one profile field is compared, weighted and (optionally) enforced.

    Parameters
    ----------
    kind : str
        Comparator: ``exact``, ``ordinal``, ``numeric``, ``experience``, ``jaccard``,
        ``coverage`` or ``overlap`` (see Notes).
    weight : float
        Weight in the weighted mean, from 0 to :data:`MAX_WEIGHT` (1,000,000); 0 switches the
        criterion off for scoring (a ``must`` on it still applies).
    hard : bool
        When true, a pair fails (is infeasible) if both sides give a value and the similarity
        stays below ``pass_at``.
    pass_at : float, optional
        Similarity a pair must reach to pass a hard rule or a ``must``; default per kind:
        exact 1, ordinal 1 (same level), numeric 0.5, experience 0.5 (leader at or ahead),
        jaccard and overlap "anything shared", coverage 1 (everything covered).
    scale : float, optional
        ``numeric``: the difference at which similarity reaches 0 (default 20).
        ``experience``: years behind the participant at which similarity reaches 0 (default 10).
    margin : float, optional
        ``experience``: years ahead that earn full credit (default 2).
    min_shared : int
        ``overlap``: how many shared elements the sets need for any credit (default 1).
    full_at : int, optional
        ``overlap``: shared elements for full credit (default ``min_shared``).
    invert : bool
        Score ``1 - similarity`` instead (e.g. complementary communication styles).

    Notes
    -----
    With ``a`` the participant's value and ``b`` the leader's:

    - exact: 1 if ``a == b`` else 0 (sets compare as whole sets);
    - ordinal: ``1 - |rank(a) - rank(b)| / (levels - 1)``;
    - numeric: ``max(0, 1 - |a - b| / scale)``;
    - experience: with ``d = b - a``: 1 if ``d >= margin``; ``0.5 + 0.5 d / margin`` for
      ``0 <= d < margin``; ``max(0, 0.5 (1 + d / scale))`` when the leader is behind;
    - jaccard: ``|a ∩ b| / |a ∪ b|``;
    - coverage: ``|a ∩ b| / |a|``, the share of the participant's set the leader covers;
    - overlap: 0 if ``|a ∩ b| < min_shared``, else ``min(1, |a ∩ b| / full_at)``.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    def __init__(self, **data: Any) -> None:
        try:
            super().__init__(**data)
        except ValidationError as exc:
            raise InputError(_config_problems(exc, None, criterion=True)) from None

    @classmethod
    def model_validate(cls, obj: Any, **kwargs: Any) -> Self:
        """Validate a mapping of parameters; bad ones raise :class:`~peermatch.InputError`."""
        try:
            return super().model_validate(obj, **kwargs)
        except ValidationError as exc:
            raise InputError(_config_problems(exc, None, criterion=True)) from None

    kind: Kind
    # strict: TOML ``weight = true`` or ``hard = 1`` is a mistake to report, not to coerce
    weight: float = Field(1.0, ge=0, le=MAX_WEIGHT, strict=True)
    hard: bool = Field(False, strict=True)
    pass_at: float | None = Field(None, ge=0, le=1, strict=True)
    scale: float | None = Field(None, gt=0, strict=True)
    margin: float | None = Field(None, ge=0, strict=True)
    min_shared: int = Field(1, ge=1, strict=True)
    full_at: int | None = Field(None, ge=1, strict=True)
    invert: bool = Field(False, strict=True)

    @field_validator("weight", "pass_at", "scale", "margin")
    @classmethod
    def _finite(cls, v: float | None) -> float | None:
        if v is not None and not math.isfinite(v):
            raise ValueError(f"expected a finite number, found {v}")
        return v

    @model_validator(mode="after")
    def _params_fit_kind(self) -> Self:
        wrong = []
        if self.scale is not None and self.kind not in ("numeric", "experience"):
            wrong.append("scale (numeric, experience)")
        if self.margin is not None and self.kind != "experience":
            wrong.append("margin (experience)")
        if self.kind != "overlap" and (self.min_shared != 1 or self.full_at is not None):
            wrong.append("min_shared/full_at (overlap)")
        if wrong:
            raise ValueError(f"kind {self.kind!r} takes no " + ", ".join(wrong))
        if self.full_at is not None and self.full_at < self.min_shared:
            raise ValueError(f"full_at ({self.full_at}) must be >= min_shared ({self.min_shared})")
        return self

    # resolved parameters -----------------------------------------------------------------
    @property
    def threshold(self) -> float:
        """The effective ``pass_at``."""
        return DEFAULT_PASS_AT[self.kind] if self.pass_at is None else self.pass_at

    @property
    def eff_scale(self) -> float:
        """The effective ``scale``."""
        if self.scale is not None:
            return self.scale
        return 10.0 if self.kind == "experience" else 20.0

    @property
    def eff_margin(self) -> float:
        """The effective ``margin``."""
        return 2.0 if self.margin is None else self.margin

    @property
    def eff_full_at(self) -> int:
        """The effective ``full_at``."""
        return self.min_shared if self.full_at is None else self.full_at


def _c(kind: str, weight: float, **kw: Any) -> Criterion:
    return Criterion(kind=kind, weight=weight, **kw)


def _participant_centred() -> dict[str, Criterion]:
    return {
        "age": _c("numeric", 1.0, scale=20),
        "sex": _c("exact", 1.0),
        "languages": _c("overlap", 1.0, hard=True),
        "region": _c("exact", 0.5),
        "life_stage": _c("jaccard", 3.0),
        "activity_level": _c("ordinal", 1.0),
        "diet": _c("jaccard", 1.0),
        "interests": _c("jaccard", 1.0),
        "diabetes_years": _c("experience", 2.0, margin=2, scale=10),
        "treatments": _c("coverage", 3.0),
        "glucose_monitoring": _c("ordinal", 1.0),
        "complications": _c("coverage", 1.0),
        "support_goals": _c("coverage", 2.5),
        "contact_modes": _c("overlap", 0.5, hard=True),
        "contact_frequency": _c("ordinal", 0.5),
        "communication_style": _c("jaccard", 2.5),
        "availability": _c("overlap", 2.5, full_at=3),
    }


def _c2c_baseline() -> dict[str, Criterion]:
    return {
        "sex": _c("exact", 1.0),
        "region": _c("exact", 1.0),
        "availability": _c("overlap", 1.0),
        "languages": _c("overlap", 0.0, hard=True),
    }


#: Preset name -> factory of its criteria.
PRESETS: dict[str, Any] = {
    "participant_centred": _participant_centred,
    "c2c_baseline": _c2c_baseline,
    "none": dict,
}
PRESET_DOCS: dict[str, str] = {
    "participant_centred": "the default: every profile field the study's participants valued, "
    "life stage, diabetes experience, communication style, support goals and availability "
    "weighted most; languages and contact modes hard",
    "c2c_baseline": "what the originating trial matched on: sex, region and availability only "
    "(a shared language stays required)",
    "none": "no criteria; list every criterion yourself",
}


class MatchConfig(BaseModel):
    """Everything that decides scores, feasibility and the solver.

    Parameters
    ----------
    criteria : dict of str to Criterion
        One entry per scored profile field, in evaluation order. Default: the
        ``participant_centred`` preset.
    min_score : float
        Pairs scoring below it are infeasible (``below_min_score``); default 0.
    preference_bonus : float
        The bonus ``b`` a ranked leader adds to the objective (``docs/choice.md``); default 0.05.
    solver : str
        Solver used when ``match`` is not given one; default ``"hungarian"``.
    balance : float
        ``hungarian`` only, from 0 (default) to 10: among the matchings with the most
        participants matched, trade total score against an even spread of caseload relative
        to capacity (``docs/solvers.md``). 0 leaves matching, and the configuration hash, as
        without it.
    preset : str
        Name of the preset the criteria started from (informational).

    Examples
    --------
    >>> cfg = MatchConfig(min_score=0.3)
    >>> cfg.criteria["life_stage"].weight
    3.0
    >>> len(cfg.config_hash())
    64
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    criteria: dict[str, Criterion] = Field(default_factory=_participant_centred)
    min_score: float = Field(0.0, ge=0, le=1, strict=True)
    preference_bonus: float = Field(0.05, ge=0, le=10, strict=True)
    solver: str = "hungarian"
    balance: float = Field(0.0, ge=0, le=10, strict=True)
    preset: str = "participant_centred"

    def __init__(self, **data: Any) -> None:
        try:
            super().__init__(**data)
        except ValidationError as exc:
            raise InputError(_config_problems(exc, None)) from None

    @classmethod
    def model_validate(cls, obj: Any, **kwargs: Any) -> Self:
        """Validate a mapping of settings; bad ones raise :class:`~peermatch.InputError`."""
        try:
            return super().model_validate(obj, **kwargs)
        except ValidationError as exc:
            raise InputError(_config_problems(exc, None)) from None

    @field_validator("criteria")
    @classmethod
    def _known_fields(cls, v: dict[str, Criterion]) -> dict[str, Criterion]:
        problems = []
        for name, crit in v.items():
            if name not in CRITERION_FIELDS:
                hint = did_you_mean(name, CRITERION_FIELDS)
                problems.append(f"unknown criterion {shown(name)}{hint}")
            elif crit.kind not in KINDS_FOR_FIELD[name]:
                problems.append(
                    f"{name}: kind {crit.kind!r} does not suit this field; expected one of "
                    + ", ".join(KINDS_FOR_FIELD[name])
                )
        if problems:
            raise ValueError("; ".join(problems))
        return v

    @field_validator("solver")
    @classmethod
    def _known_solver(cls, v: str) -> str:
        if v not in SOLVERS:
            hint = did_you_mean(v, SOLVERS)
            raise ValueError(
                f"unknown solver {shown(v)}{hint}; expected one of: {', '.join(sorted(SOLVERS))}"
            )
        return v

    @model_validator(mode="after")
    def _some_weight(self) -> Self:
        if self.criteria and not any(c.weight > 0 for c in self.criteria.values()):
            raise ValueError(
                "every criterion weight is 0, so every pair would score 0; give at least one "
                "criterion a positive weight"
            )
        return self

    @field_validator("min_score", "preference_bonus", "balance")
    @classmethod
    def _finite(cls, v: float) -> float:
        if not math.isfinite(v):
            raise ValueError(f"expected a finite number, found {v}")
        return v

    @model_validator(mode="after")
    def _balance_needs_hungarian(self) -> Self:
        if self.balance > 0 and self.solver != "hungarian":
            raise ValueError(
                f"balance = {self.balance:g} evens out caseloads in the 'hungarian' solver only; "
                f'set balance = 0 or solver = "hungarian" (found solver = "{self.solver}")'
            )
        return self

    @model_serializer(mode="wrap")
    def _without_zero_balance(self, handler: SerializerFunctionWrapHandler) -> Any:
        # balance = 0 is the behaviour from before the setting existed: leave it out, so that
        # such configurations keep their hash and their recorded form
        data = handler(self)
        if isinstance(data, dict) and self.balance == 0:
            data.pop("balance", None)
        return data

    # construction ------------------------------------------------------------------------
    @model_validator(mode="before")
    @classmethod
    def _criteria_from_preset(cls, data: Any) -> Any:
        if isinstance(data, Mapping) and "criteria" not in data and "preset" in data:
            name = data["preset"]
            if isinstance(name, str) and name in PRESETS:
                return {**data, "criteria": PRESETS[name]()}
        return data

    @field_validator("preset")
    @classmethod
    def _known_preset(cls, v: str) -> str:
        if v not in PRESETS:
            raise ValueError(f"unknown preset {shown(v)}; expected one of: {', '.join(PRESETS)}")
        return v

    @classmethod
    def from_preset(cls, name: str) -> MatchConfig:
        """Return a preset: ``participant_centred`` (default) or ``c2c_baseline``.

        Raises
        ------
        InputError
            If ``name`` is not a preset.
        """
        if name not in PRESETS or name == "none":
            valid = ", ".join(n for n in PRESETS if n != "none")
            raise InputError([f"unknown preset {shown(name)}; expected one of: {valid}"])
        return cls(preset=name)

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], *, source: str | None = None) -> MatchConfig:
        """Build a config from a TOML-like mapping (a preset plus overrides).

        Raises
        ------
        InputError
            Naming every unknown key and invalid value (with ``source`` as the file).
        """
        problems: list[Problem] = []
        if not isinstance(data, Mapping):
            raise InputError(
                [Problem(source, None, None, "expected a table of settings (key = value)")]
            )
        data = {str(k): v for k, v in data.items()}
        preset = data.pop("preset", "participant_centred")
        if not isinstance(preset, str) or preset not in PRESETS:
            raise InputError(
                [
                    Problem(
                        source,
                        None,
                        "preset",
                        f"unknown preset {shown(preset)}; expected one of: " + ", ".join(PRESETS),
                    )
                ]
            )
        base: dict[str, Criterion] = PRESETS[preset]()
        raw_criteria = data.pop("criteria", {})
        merged: dict[str, Any] = {}
        if not isinstance(raw_criteria, Mapping):
            problems.append(Problem(source, None, "criteria", "expected a table of criteria"))
            raw_criteria = {}
        for key, over in {**base, **raw_criteria}.items():
            name = str(key)
            if name not in CRITERION_FIELDS:
                hint = did_you_mean(name, CRITERION_FIELDS)
                problems.append(
                    Problem(
                        source,
                        None,
                        f"criteria.{cut(name)}",
                        f"unknown criterion {shown(name)}{hint}",
                    )
                )
                continue
            if isinstance(over, Criterion):
                merged[name] = over
                continue
            if not isinstance(over, Mapping):
                problems.append(Problem(source, None, f"criteria.{name}", "expected a table"))
                continue
            start: dict[str, Any] = {}
            if name in base:
                start = base[name].model_dump(exclude_none=True)
                if "kind" in over and over["kind"] != base[name].kind:
                    start = {"weight": start["weight"], "hard": start["hard"]}
            merged[name] = {**start, **over}
        known = set(cls.model_fields)
        for key in data:
            if key not in known:
                hint = did_you_mean(key, sorted(known - {"criteria"}))
                problems.append(Problem(source, None, cut(key), f"unknown key{hint}"))
        if not problems and not merged:
            problems.append(
                Problem(
                    source,
                    None,
                    "criteria",
                    'no criteria: with preset = "none" give at least one [criteria.NAME] table',
                )
            )
        if problems:
            # validate what can be validated on its own too, so every problem shows at once
            for name, table in merged.items():
                if isinstance(table, Mapping):
                    try:
                        Criterion.__pydantic_validator__.validate_python(table)
                    except ValidationError as exc:
                        problems += _config_problems(
                            exc, source, ("criteria", name), criterion=True
                        )
            settings = {k: v for k, v in data.items() if k in known}
            try:
                cls.__pydantic_validator__.validate_python(
                    {**settings, "criteria": {}, "preset": "none"}
                )
            except ValidationError as exc:
                problems += _config_problems(exc, source)
            raise InputError(problems)
        try:
            return cls(criteria=merged, preset=preset, **data)
        except InputError as exc:
            raise InputError([replace(p, file=source) for p in exc.problems]) from None

    @classmethod
    def from_file(cls, path: str | Path) -> MatchConfig:
        """Load a TOML configuration file.

        Raises
        ------
        InputError
            If the file cannot be read, is not valid TOML, or holds unknown keys or bad values.
        """
        from peermatch._core.files import read_text_file

        p = Path(path)
        text = read_text_file(p)
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise InputError([Problem(str(p), None, None, f"not valid TOML: {exc}")]) from None
        except RecursionError:
            raise InputError(
                [Problem(str(p), None, None, "not valid TOML: tables or arrays nested too deep")]
            ) from None
        return cls.from_mapping(data, source=str(p))

    # use ----------------------------------------------------------------------------------
    def config_hash(self) -> str:
        """SHA-256 of the canonical JSON form: equal configs give equal hashes."""
        return hashlib.sha256(self.canonical_json().encode()).hexdigest()

    def canonical_json(self) -> str:
        """The configuration as canonical JSON (sorted keys, every parameter resolved)."""
        payload = self.model_dump(mode="json", exclude={"preset"})
        return json.dumps(payload, sort_keys=True, separators=(",", ":"))

    def to_toml(self) -> str:
        """The configuration as a TOML document :meth:`from_file` reads back."""
        lines = [
            'preset = "none"',
            f"min_score = {self.min_score!r}",
            f"preference_bonus = {self.preference_bonus!r}",
            f'solver = "{self.solver}"',
        ]
        if self.balance:
            lines.append(f"balance = {self.balance!r}")
        for name, c in self.criteria.items():
            lines += ["", f"[criteria.{name}]"]
            for key, value in c.model_dump(exclude_none=True).items():
                if key in {"min_shared"} and value == 1 and c.kind != "overlap":
                    continue
                if isinstance(value, bool):
                    lines.append(f"{key} = {'true' if value else 'false'}")
                elif isinstance(value, str):
                    lines.append(f'{key} = "{value}"')
                else:
                    lines.append(f"{key} = {value!r}")
        return "\n".join(lines) + "\n"

    def criterion_for(self, field: str) -> Criterion:
        """The criterion comparing ``field``: this config's, else the default with weight 0.

        A ``must`` on a field this config does not score is still enforced with the default
        comparator of the ``participant_centred`` preset.
        """
        if field in self.criteria:
            return self.criteria[field]
        default = _participant_centred().get(field) or _c(KINDS_FOR_FIELD[field][0], 0.0)
        return default.model_copy(update={"weight": 0.0, "hard": False})


def _config_problems(
    exc: ValidationError,
    source: str | None,
    prefix: tuple[str, ...] = (),
    *,
    criterion: bool = False,
) -> list[Problem]:
    out = []
    for raw in exc.errors(include_url=False):
        where: tuple[Any, ...] = (*prefix, *raw.get("loc", ()))
        inner = (raw.get("ctx") or {}).get("error")
        if isinstance(inner, InputError):  # a nested Criterion reported its own problems
            head = ".".join(cut(str(p)) for p in where)
            for prob in inner.problems:
                loc = ".".join(x for x in (head, prob.field) if x)
                msg = prob.message
                if prob.field == "kind" and msg == "Field required" and len(where) == 2:
                    msg = _plain_message({"type": "missing", "loc": (*where, "kind")}, msg)
                out.append(Problem(source, None, loc or None, msg))
            continue
        e: dict[str, Any] = {**raw, "loc": where}
        loc = ".".join(cut(str(p)) for p in where if not str(p).startswith("function-"))
        msg = str(e.get("msg", "invalid value")).removeprefix("Value error, ")
        if e.get("type") == "extra_forbidden":
            msg = "unknown key"
            parts = [str(p) for p in where]
            if parts:
                top = len(parts) == 1 and not criterion
                fields = MatchConfig.model_fields if top else Criterion.model_fields
                msg += did_you_mean(parts[-1], fields)
        elif e.get("type") == "literal_error":
            msg = f"expected one of: {', '.join(KINDS)}; found {shown(e.get('input'))}"
        else:
            msg = _plain_message(e, msg)
        out.append(Problem(source, None, loc or None, msg))
    return out


_BOUND_WORDS = {
    "greater_than_equal": ("ge", "at least"),
    "greater_than": ("gt", "greater than"),
    "less_than_equal": ("le", "at most"),
    "less_than": ("lt", "less than"),
}


def _plain_message(e: Any, msg: str) -> str:
    """Reword pydantic's messages as "expected ..., found ..."."""
    kind = str(e.get("type"))
    value = e.get("input")
    loc = [str(p) for p in e.get("loc", ())]
    if kind == "missing" and loc[-1:] == ["kind"] and len(loc) == 3:
        kinds = ", ".join(KINDS_FOR_FIELD.get(loc[1], KINDS))
        return f"required: the preset does not define this criterion, so give its kind ({kinds})"
    if isinstance(value, float) and not math.isfinite(value):
        return f"expected a finite number, found {value}"
    if kind in _BOUND_WORDS:
        key, words = _BOUND_WORDS[kind]
        bound = (e.get("ctx") or {}).get(key)
        limit = _bound_text(bound) if isinstance(bound, int | float) else str(bound)
        return f"expected a number {words} {limit}, found {shown(value)}"
    found = _as_toml(value)
    if kind in {"float_parsing", "float_type"}:
        return f"expected a number, found {found}"
    if kind in {"int_parsing", "int_type", "int_from_float"}:
        return f"expected a whole number, found {found}"
    if kind in {"bool_parsing", "bool_type"}:
        return f"expected true or false, found {found}"
    if kind in {"string_type"}:
        return f"expected text, found {found}"
    return msg


def _as_toml(value: object) -> str:
    """A value as it is written in TOML (the form the user wrote)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        text = json.dumps(value)
        return text if len(text) <= MAX_SHOWN else shown(value)
    return shown(value)


def _bound_text(bound: float) -> str:
    """A bound as written in a message: ``1,000,000`` rather than ``1e+06``."""
    if float(bound).is_integer() and abs(bound) < 1e16:
        return f"{int(bound):,}"
    return f"{bound:g}"


def as_config(value: object, name: str = "config") -> MatchConfig:
    """The configuration an entry point was given, checked at the door.

    ``None`` is the default configuration; a :class:`MatchConfig` is used as it is; a mapping
    of settings goes through :meth:`MatchConfig.from_mapping`; the path of a ``.toml`` file
    through :meth:`MatchConfig.from_file`. Anything else is a one-line
    :class:`~peermatch.InputError` that says what was expected and, when the value looks like
    a solver or preset name, which keyword was meant.

    Examples
    --------
    >>> as_config({"min_score": 0.2}).min_score
    0.2
    >>> try:
    ...     as_config("stable")
    ... except InputError as err:
    ...     print(err)
    config: expected a MatchConfig, got 'stable' — did you mean solver='stable'?
    """
    if value is None:
        return MatchConfig()
    if isinstance(value, MatchConfig):
        return value
    if isinstance(value, Mapping):
        return MatchConfig.from_mapping(value)
    if isinstance(value, str | PathLike) and str(value).lower().endswith(".toml"):
        return MatchConfig.from_file(Path(value))
    hint = ""
    if isinstance(value, str):
        if value in SOLVERS:
            hint = f" — did you mean solver={value!r}?"
        elif value in PRESETS and value != "none":
            hint = f" — did you mean MatchConfig.from_preset({value!r})?"
    raise InputError(
        [Problem(None, None, name, f"expected a MatchConfig, got {shown(value)}{hint}")]
    )
