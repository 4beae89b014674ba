"""Reference pages generated from the code (internal; used by the documentation build).

Each function returns MyST Markdown built from what the library itself declares: the profile
models, the vocabularies, the default configuration and presets, the solver registry, the
command-line parser and ``peermatch.__all__``. Anything added there later appears in the
documentation without editing it. :func:`write_all` writes every page into a folder.
"""

from __future__ import annotations

import argparse
import inspect
import types
import typing
from collections.abc import Iterable
from enum import Enum
from pathlib import Path
from typing import Any

__all__ = [
    "api_md",
    "cli_md",
    "data_dictionary_md",
    "kinds_md",
    "metrics_md",
    "presets_md",
    "solvers_md",
    "write_all",
]

#: Width of the command-line help shown in the documentation.
HELP_WIDTH = 90

#: What the fields that are not compared as criteria do.
ROLES: dict[str, str] = {
    "id": "Identifies the profile in files, results, vetoes and preferences. Never scored; "
    "keep it opaque (never derived from a medical record number, a name or an email).",
    "importance": "Changes this person's weights, not the leader's: each level multiplies the "
    "criterion's weight for this participant. `must` also makes the criterion a hard rule for "
    "them (the other side must give a value that passes). A leader's importance only acts "
    "through `must` (e.g. a leader who supports only participants of the same sex).",
    "vetoes": "A pair vetoed by either side is infeasible (`vetoed_by_participant`, "
    "`vetoed_by_leader`) and never matched by any solver.",
    "preferred": "Leaders the participant ranked (e.g. from a shortlist). `hungarian`, "
    "`maximin` and `greedy` add `preference_bonus × (L − k + 1) / L` to the objective of the "
    "leader at position k of an L-long list (the reported score is unchanged); `stable` uses "
    "the list as the participant's ranking.",
    "capacity": "No leader is given more participants than its capacity (its whole caseload, "
    "current participants included). A leader with capacity 0 is infeasible for everyone "
    "(`leader_no_capacity`).",
    "active": "A paused leader (`false`) is infeasible for everyone (`leader_inactive`).",
}

#: Plain meaning of each comparator kind (``a``: participant's value, ``b``: leader's).
KIND_TEXT: dict[str, str] = {
    "exact": "1 when the two values are equal (sets: equal as whole sets), else 0",
    "ordinal": "1 − (distance between the levels) / (number of levels − 1)",
    "numeric": "1 when equal, falling linearly to 0 at a difference of `scale`",
    "experience": "the leader should be at or ahead of the participant: 1 when the leader has "
    "at least `margin` more years, 0.5 when level, 0 when `scale` years behind",
    "jaccard": "shared values / all values of both sides",
    "coverage": "share of the participant's values that the leader also has",
    "overlap": "0 below `min_shared` shared values, then rising to 1 at `full_at` shared values",
}

#: Parameters each kind takes besides ``weight``, ``hard``, ``pass_at`` and ``invert``.
KIND_PARAMS: dict[str, str] = {
    "exact": "",
    "ordinal": "",
    "numeric": "`scale` (default 20)",
    "experience": "`margin` (default 2), `scale` (default 10)",
    "jaccard": "",
    "coverage": "",
    "overlap": "`min_shared` (default 1), `full_at` (default `min_shared`)",
}


# -- helpers --------------------------------------------------------------------------------


def _code(values: Iterable[object]) -> str:
    return ", ".join(f"`{v}`" for v in values)


def _enum_in(annotation: Any) -> type[Enum] | None:
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return annotation
    for arg in typing.get_args(annotation):
        found = _enum_in(arg)
        if found is not None:
            return found
    return None


def _strip_none(annotation: Any) -> Any:
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(args) == 1:
            return args[0]
    return annotation


def _table(header: list[str], rows: Iterable[list[str]]) -> str:
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in rows]
    return "\n".join(out)


def _number(x: float) -> str:
    return f"{x:g}"


# -- data dictionary ------------------------------------------------------------------------


#: Example CSV cells for fields whose type alone gives no good example.
CELL_EXAMPLES: dict[str, str] = {
    "age": "`54`",
    "diabetes_years": "`7.5`",
    "hba1c": "`7.2`",
    "capacity": "`4`",
    "region": "`V5R`",
    "interests": "`walking;gardening`",
    "availability": "`tue_evening;sat_morning`",
}


def _field_type(name: str, annotation: Any) -> tuple[str, str, str]:
    """(type in words, vocabulary in words, example CSV cell)."""
    type_text, vocab, example = _field_type_raw(name, annotation)
    return type_text, vocab, CELL_EXAMPLES.get(name, example)


def _field_type_raw(name: str, annotation: Any) -> tuple[str, str, str]:
    """(type in words, vocabulary in words, example CSV cell)."""
    from peermatch.profiles._vocab import ISO_639_1, ORDERED, Importance

    base = _strip_none(annotation)
    origin = typing.get_origin(base)
    enum = _enum_in(base)
    values = [str(m.value) for m in enum] if enum is not None else []
    if name == "languages":
        return (
            "set of language codes",
            f"ISO 639-1 two-letter codes, lower case ({len(ISO_639_1)} accepted), "
            "e.g. `en`, `fr`, `pa`, `zh`",
            "`en;pa`",
        )
    if name == "importance":
        return (
            "map: criterion → level",
            f"levels {_code(m.value for m in Importance)}; keys are the criterion fields",
            "`sex:must;age:high`",
        )
    if name in ("vetoes", "preferred"):
        kind = "ordered list" if origin is tuple else "set"
        other = "leader" if name == "preferred" else "other side's"
        return (f"{kind} of ids", f"ids of the {other} profiles", "`L003;L011`")
    if origin in (frozenset, set):
        if enum is not None:
            return ("set", _code(values), f"`{values[0]};{values[1]}`")
        return ("set of tags", "free lower-case tags (at most 40 characters each)", "`a;b`")
    if enum is not None:
        if name in ORDERED:
            return ("ordered level", " < ".join(f"`{v}`" for v in values), f"`{values[0]}`")
        return ("one value", _code(values), f"`{values[0]}`")
    if base is bool:
        return ("true / false", "`true`/`false` (also `yes`/`no`, `1`/`0`)", "`false`")
    if base is int:
        return ("whole number", "", "`5`")
    if base is float:
        return ("number", "", "`7.5`")
    if name == "id":
        return ("id", "1–64 characters: letters, digits, `_`, `.`, `-`", "`P0001`")
    return ("text", "", "`V5R`")


def _pass_text(crit: Any) -> str:
    """When a pair passes a hard rule, as the end of "a pair fails unless ..."."""
    if crit.pass_at is None and crit.kind in ("jaccard", "overlap"):
        return "the two share at least one value"
    if crit.kind == "coverage" and crit.threshold >= 1:
        return "the leader has every one of the participant's values"
    if crit.kind in ("exact", "ordinal") and crit.threshold >= 1:
        return "the values are equal"
    return f"the similarity reaches {_number(crit.threshold)}"


def _scoring_text(crit: Any, total: float) -> str:
    parts = [f"`{crit.kind}`"]
    if crit.weight > 0:
        share = f" ({100 * crit.weight / total:.0f}% of the total weight)" if total else ""
        parts.append(f"weight {_number(crit.weight)}{share}")
    else:
        parts.append("weight 0 (not scored)")
    if crit.kind == "numeric":
        parts.append(f"`scale` {_number(crit.eff_scale)}")
    elif crit.kind == "experience":
        parts.append(f"`margin` {_number(crit.eff_margin)}, `scale` {_number(crit.eff_scale)}")
    elif crit.kind == "overlap":
        parts.append(f"`min_shared` {crit.min_shared}, `full_at` {crit.eff_full_at}")
    if crit.invert:
        parts.append("inverted (1 − similarity)")
    text = ", ".join(parts)
    if crit.hard:
        text += f"; **hard**: a pair fails unless {_pass_text(crit)} (when both give a value)"
    return text


def data_dictionary_md() -> str:
    """Every profile field: who gives it, its type and vocabulary, and its default scoring."""
    from peermatch.profiles._models import CRITERION_FIELDS, Participant, PeerLeader
    from peermatch.scoring._config import KINDS_FOR_FIELD, MatchConfig

    default = MatchConfig()
    baseline = MatchConfig.from_preset("c2c_baseline")
    total = sum(c.weight for c in default.criteria.values())
    p_fields, l_fields = Participant.model_fields, PeerLeader.model_fields
    names = list(p_fields) + [n for n in l_fields if n not in p_fields]

    def who(name: str) -> str:
        if name in p_fields and name in l_fields:
            return "both"
        return "participant" if name in p_fields else "peer leader"

    def scored(name: str) -> str:
        crit = default.criteria.get(name)
        if crit is not None and crit.weight > 0:
            hard = ", hard" if crit.hard else ""
            return f"`{crit.kind}`, weight {_number(crit.weight)}{hard}"
        if name in CRITERION_FIELDS:
            return "not by default"
        return "— (see below)"

    overview = []
    for name in names:
        info = p_fields.get(name) or l_fields[name]
        type_text, _, _ = _field_type(name, info.annotation)
        required = "yes" if info.is_required() else "no"
        link = f"{{ref}}`{name} <field-{name}>`"
        overview.append([link, who(name), type_text, required, scored(name)])
    out = [
        "## Overview",
        "",
        f"Scores use {sum(1 for c in default.criteria.values() if c.weight > 0)} criteria by "
        f"default (the `{default.preset}` preset); their weights add up to "
        f"{_number(total)}.",
        "",
        _table(["field", "who", "type", "required", "scored by default"], overview),
        "",
        "## Fields",
    ]
    levels = ", ".join(
        f"`{lvl.value}` ×{_number(m)}" for lvl, m in _importance_multipliers().items()
    )
    for name in names:
        info = p_fields.get(name) or l_fields[name]
        type_text, vocab, example = _field_type(name, info.annotation)
        out += ["", f"(field-{name})=", f"### `{name}`", ""]
        if info.description:
            out += [info.description, ""]
        facts = [f"**Who:** {who(name)}", f"**Required:** {'yes' if info.is_required() else 'no'}"]
        if not info.is_required() and info.default is not None:
            shown = str(info.default).lower() if isinstance(info.default, bool) else info.default
            facts.append(f"**Default:** `{shown}`")
        out.append("- " + " · ".join(facts))
        out.append(f"- **Type:** {type_text}" + (f"; {vocab}" if vocab else ""))
        out.append(f"- **CSV cell:** {example}")
        out += _labels_lines(name)
        crit = default.criteria.get(name)
        if crit is not None:
            out.append(f"- **Default scoring:** {_scoring_text(crit, total)}")
        elif name in CRITERION_FIELDS:
            out.append("- **Default scoring:** none — information only; a configuration can add it")
        if name in CRITERION_FIELDS:
            out.append(f"- **Comparator kinds that suit it:** {_code(KINDS_FOR_FIELD[name])}")
            base = baseline.criteria.get(name)
            if base is not None and base.weight > 0:
                out.append(f"- **In `c2c_baseline`:** {_scoring_text(base, 0)}")
        if name in ROLES:
            out.append(f"- **Role:** {ROLES[name]}")
        if name == "importance":
            out.append(f"- **Levels:** {levels}")
    return "\n".join(out) + "\n"


def _labels_lines(name: str) -> list[str]:
    """The plain-language labels a field accepts in place of its codes."""
    from peermatch.profiles._labels import LABELS

    if name == "languages":
        some = ", ".join(f"`{c}` {LABELS[name][c]}" for c in ("en", "fr", "pa", "zh"))
        return [f"- **Labels** (accepted as well as the codes): the English names ({some}, ...)"]
    if name not in LABELS:
        return []
    pairs = ", ".join(f"`{c}` {text}" for c, text in LABELS[name].items())
    return [f"- **Labels** (accepted as well as the codes, in any case): {pairs}"]


def _importance_multipliers() -> dict[Any, float]:
    from peermatch.scoring._config import IMPORTANCE_MULTIPLIER

    return dict(IMPORTANCE_MULTIPLIER)


# -- criteria -------------------------------------------------------------------------------


def kinds_md() -> str:
    """The comparator kinds: meaning, parameters, default ``pass_at`` and suitable fields."""
    from peermatch.scoring._config import DEFAULT_PASS_AT, KINDS, KINDS_FOR_FIELD

    rows = []
    for kind in KINDS:
        fields = [f for f, kinds in KINDS_FOR_FIELD.items() if kind in kinds]
        pass_at = DEFAULT_PASS_AT[kind]
        pass_text = "anything shared" if pass_at < 1e-6 else _number(pass_at)
        rows.append(
            [
                f"`{kind}`",
                KIND_TEXT.get(kind, ""),
                KIND_PARAMS.get(kind, "") or "—",
                pass_text,
                _code(fields),
            ]
        )
    return _table(["kind", "similarity", "parameters", "default `pass_at`", "fields"], rows) + "\n"


def presets_md() -> str:
    """Each preset: what it is for and its criteria."""
    from peermatch.scoring._config import PRESET_DOCS, PRESETS, MatchConfig

    out = []
    for name in PRESETS:
        if name == "none":
            continue
        cfg = MatchConfig.from_preset(name)
        total = sum(c.weight for c in cfg.criteria.values())
        out += [f"### `{name}`", "", PRESET_DOCS.get(name, "").capitalize() + ".", ""]
        rows = [
            [f"`{field}`", f"`{c.kind}`", _number(c.weight), "yes" if c.hard else ""]
            for field, c in cfg.criteria.items()
        ]
        out += [_table(["criterion", "kind", "weight", "hard"], rows), ""]
        out += [f"Weights add up to {_number(total)}.", ""]
    if "none" in PRESETS:
        out += [
            "### `none`",
            "",
            PRESET_DOCS.get("none", "").capitalize() + ". Every criterion then comes from the "
            "configuration file itself; `MatchConfig.to_toml()` writes configurations this way.",
            "",
        ]
    return "\n".join(out)


def default_config_toml() -> str:
    """The default configuration as TOML, every parameter resolved."""
    from peermatch.scoring._config import MatchConfig

    return MatchConfig().to_toml()


# -- solvers --------------------------------------------------------------------------------


def solvers_md() -> str:
    """The solver registry: each solver's guarantee and what it does."""
    from peermatch.solvers import SOLVERS

    rows = []
    order = sorted(SOLVERS, key=lambda n: (n != "hungarian", n))
    for name in order:
        spec = SOLVERS[name]
        doc = inspect.getdoc(spec.function) or ""
        summary = doc.strip().split("\n\n")[0].replace("\n", " ")
        default = " (default)" if name == "hungarian" else ""
        rows.append([f"`{name}`{default}", spec.guarantee, summary])
    return _table(["solver", "guarantee", "what it does"], rows) + "\n"


#: What each run metric means (metrics added later are listed without a description).
METRIC_TEXT: dict[str, str] = {
    "n_participants": "participants given",
    "n_peers": "peer leaders given (paused ones included)",
    "n_matched": "participants matched",
    "n_unmatched": "participants unmatched",
    "match_rate": "`n_matched / n_participants`",
    "mean_score": "mean score of the matched pairs (0 when nobody is matched)",
    "min_score": "lowest score of a matched pair",
    "score_q1": "first quartile of the matched pairs' scores",
    "score_median": "median score of the matched pairs",
    "score_q3": "third quartile of the matched pairs' scores",
    "max_score": "highest score of a matched pair",
    "total_score": "sum of the matched pairs' scores (without preference bonus)",
    "rank1_share": "share of matched participants whose leader is their best-scoring feasible "
    "leader",
    "n_with_preferences": "participants who ranked leaders (`preferred`)",
    "first_choice_share": "of those, the share matched with their first choice",
    "top3_choice_share": "of those, the share matched with one of their first three choices",
    "blocking_pairs": "feasible pairs whose participant prefers that leader to their outcome "
    "while the leader has a free place or holds someone it ranks lower (0 for `stable`)",
    "unmatched_no_feasible_leader": "participants unmatched because no leader is feasible",
    "unmatched_capacity": "participants unmatched because their feasible leaders were full",
    "leader_utilisation": "places used / places offered, over active leaders",
    "leaders_used": "leaders with at least one participant",
}


def metrics_md() -> str:
    """The metrics of a run, read from an actual result so that new ones are listed too."""
    from peermatch.matching._match import match
    from peermatch.profiles._demo import generate_cohort

    participants, peers = generate_cohort(6, 2, seed=0)
    names = list(match(participants, peers).metrics)
    rows = [[f"`{n}`", METRIC_TEXT.get(n, "—")] for n in names]
    return _table(["metric", "meaning"], rows) + "\n"


# -- command line ---------------------------------------------------------------------------


def _fixed_width(parser: argparse.ArgumentParser) -> None:
    cls = typing.cast(type[argparse.HelpFormatter], parser.formatter_class)

    def formatter(prog: str) -> argparse.HelpFormatter:
        return cls(prog=prog, width=HELP_WIDTH)

    parser.formatter_class = formatter


def _subcommands(
    parser: argparse.ArgumentParser,
) -> list[tuple[str, str, argparse.ArgumentParser]]:
    out = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            helps = {a.dest: a.help or "" for a in action._choices_actions}
            for name, sub in action.choices.items():
                out.append((name, helps.get(name, ""), sub))
    return out


def cli_md(parser: argparse.ArgumentParser | None = None) -> str:
    """Every command's help text, generated from the parser (default: the ``peermatch`` one)."""
    if parser is None:
        from peermatch.cli._main import build_parser

        parser = build_parser()
    _fixed_width(parser)
    subs = _subcommands(parser)
    for _, _, sub in subs:
        _fixed_width(sub)
    rows = [[f"{{ref}}`{name} <cli-{name}>`", text] for name, text, _ in subs]
    out = [
        _table(["command", "what it does"], rows),
        "",
        "(cli-peermatch)=",
        "## `peermatch`",
        "",
        "```text",
        parser.format_help().rstrip(),
        "```",
    ]
    for name, text, sub in subs:
        out += ["", f"(cli-{name})=", f"## `peermatch {name}`", ""]
        if text:
            out += [text[:1].upper() + text[1:] + ".", ""]
        out += ["```text", sub.format_help().rstrip(), "```"]
    return "\n".join(out) + "\n"


# -- API ------------------------------------------------------------------------------------


def api_md() -> str:
    """Autodoc directives for every public name, grouped by its one public module.

    Every name of ``peermatch.__all__`` lives in exactly one module of
    ``peermatch.PUBLIC_MODULES``; each module gets a section with its summary, the import line
    and the documentation of its names, which are documented under ``peermatch.NAME``.
    """
    import peermatch

    out: list[str] = []
    for module in peermatch.PUBLIC_MODULES:
        doc = inspect.getdoc(module) or ""
        summary = doc.split("\n\n")[0].replace("\n", " ").strip()
        names = sorted(module.__all__, key=lambda n: (not inspect.isclass(getattr(module, n)), n))
        items = [f".. module:: {module.__name__}", ".. currentmodule:: peermatch"]
        for name in names:
            obj = getattr(module, name)
            if inspect.isclass(obj) and issubclass(obj, BaseException):
                items.append(f".. autoexception:: {name}\n   :members:")
            elif inspect.isclass(obj):
                items.append(f".. autoclass:: {name}\n   :members:")
            elif callable(obj):
                items.append(f".. autofunction:: {name}")
            else:
                items.append(f".. autodata:: {name}\n   :no-value:")
        shown = ", ".join(f"`{n}`" for n in sorted(module.__all__))
        out += [
            f"## `{module.__name__}`",
            "",
            summary,
            "",
            f"Names: {shown}. Import them from `peermatch` or from `{module.__name__}`.",
            "",
            "```{eval-rst}",
            "\n\n".join(items),
            "```",
            "",
        ]
    return "\n".join(out)


# -- writing --------------------------------------------------------------------------------


def pages() -> dict[str, str]:
    """File name -> content of every generated page."""
    return {
        "data-dictionary.md": data_dictionary_md(),
        "kinds.md": kinds_md(),
        "presets.md": presets_md(),
        "default-config.toml": default_config_toml(),
        "solvers.md": solvers_md(),
        "metrics.md": metrics_md(),
        "cli.md": cli_md(),
        "api.md": api_md(),
    }


def write_all(folder: str | Path) -> list[Path]:
    """Write every generated page into ``folder``; return the files whose content changed.

    Files are rewritten only when their content changes, so an incremental documentation
    build does not redo pages that did not change.
    """
    target = Path(folder)
    target.mkdir(parents=True, exist_ok=True)
    changed = []
    for name, text in pages().items():
        path = target / name
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            changed.append(path)
    return changed
