"""The generated reference pages cover the code, and the documentation's examples are valid.

These checks need no Sphinx; the full build (``sphinx-build -W``) runs as a separate CI step.
"""

from __future__ import annotations

import argparse
import re
import sys
import tomllib
from pathlib import Path

import pytest

import peermatch
from peermatch import MatchConfig, Participant, PeerLeader, generate_cohort
from peermatch.scoring._config import KINDS, PRESETS

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"

sys.path.insert(0, str(DOCS / "_ext"))
import peermatch_docgen as _docgen  # noqa: E402


def test_data_dictionary_lists_every_field_with_its_vocabulary() -> None:
    text = _docgen.data_dictionary_md()
    for name in {*Participant.model_fields, *PeerLeader.model_fields}:
        assert f"(field-{name})=" in text, name
        assert f"{{ref}}`{name} <field-{name}>`" in text, name
    # a few vocabularies and default scorings, spelled out
    assert "`sedentary` < `light` < `moderate` < `active`" in text
    assert "`insulin_pump`" in text and "`sun_evening`" in text
    assert "`coverage`, weight 3 (12% of the total weight)" in text
    assert "information only" in text  # hba1c
    section = text[text.index("(field-languages)=") : text.index("(field-region)=")]
    assert "**hard**" in section


def test_data_dictionary_shows_every_label() -> None:
    text = _docgen.data_dictionary_md()
    for name, table in peermatch.LABELS.items():
        if name in ("languages", "end_reason"):
            continue
        section = text[text.index(f"(field-{name})=") :]
        section = section[: section.index("\n(field-", 1)] if "\n(field-" in section else section
        for code, label in table.items():
            assert f"`{code}` {label}" in section, (name, code)
    assert "`en` English" in text


def test_data_dictionary_follows_the_default_configuration() -> None:
    text = _docgen.data_dictionary_md()
    cfg = MatchConfig()
    for name, crit in cfg.criteria.items():
        section = text[text.index(f"(field-{name})=") :]
        section = section[: section.index("\n(field-", 1)] if "\n(field-" in section else section
        assert f"**Default scoring:** `{crit.kind}`" in section, name


def test_kinds_and_presets_pages() -> None:
    kinds = _docgen.kinds_md()
    for kind in KINDS:
        assert f"| `{kind}` |" in kinds
    presets = _docgen.presets_md()
    for name in PRESETS:
        assert f"### `{name}`" in presets
    assert MatchConfig.from_mapping(tomllib.loads(_docgen.default_config_toml())) == MatchConfig(
        preset="none", criteria=MatchConfig().criteria
    )


def test_solver_page_lists_every_registered_solver() -> None:
    text = _docgen.solvers_md()
    for name, spec in peermatch.SOLVERS.items():
        assert f"`{name}`" in text and spec.guarantee in text
    assert text.splitlines()[2].startswith("| `hungarian` (default)")


def test_metrics_page_lists_every_metric_of_a_run() -> None:
    ps, ls = generate_cohort(5, 2, seed=1)
    text = _docgen.metrics_md()
    for name in peermatch.match(ps, ls).metrics:
        assert f"| `{name}` |" in text
    assert "| — |" not in text  # every current metric is described


def test_cli_reference_covers_every_subcommand_including_new_ones() -> None:
    text = _docgen.cli_md()
    for name in ("validate", "match", "explain", "demo"):
        assert f"(cli-{name})=" in text and f"## `peermatch {name}`" in text
    assert "--plot FIGURE" in text
    options = [line for line in text.splitlines() if line.startswith("  ")]
    assert options and max(len(line) for line in options) <= _docgen.HELP_WIDTH

    from peermatch.cli._main import build_parser

    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    extra = sub.add_parser("frobnicate", help="a command added later", epilog="example: x")
    extra.add_argument("--level")
    text = _docgen.cli_md(parser)
    assert "## `peermatch frobnicate`" in text and "--level LEVEL" in text
    assert "{ref}`frobnicate <cli-frobnicate>` | a command added later |" in text


def test_api_page_documents_every_public_name() -> None:
    text = _docgen.api_md()
    for name in peermatch.__all__:
        if name.startswith("__"):
            continue
        assert re.search(rf":: {name}\b", text), name
    for module in peermatch.PUBLIC_MODULES:
        assert f".. module:: {module.__name__}" in text
        for name in module.__all__:
            assert re.search(rf":: {name}\b", text), (module.__name__, name)
    assert ".. autofunction:: plot_summary" in text


def test_write_all_rewrites_only_what_changed(tmp_path: Path) -> None:
    first = _docgen.write_all(tmp_path)
    assert {p.name for p in first} == set(_docgen.pages())
    (tmp_path / "kinds.md").write_text("stale", encoding="utf-8")
    assert _docgen.write_all(tmp_path) == [tmp_path / "kinds.md"]
    assert _docgen.write_all(tmp_path) == []


def toml_blocks() -> list[tuple[str, str]]:
    blocks = []
    for page in sorted(DOCS.glob("*.md")):
        for k, m in enumerate(re.finditer(r"```toml\n(.*?)```", page.read_text(), re.S)):
            blocks.append((f"{page.name}#{k + 1}", m.group(1)))
    return blocks


@pytest.mark.parametrize(("where", "block"), toml_blocks())
def test_every_toml_example_in_the_docs_loads(where: str, block: str) -> None:
    data = tomllib.loads(block)
    if where.startswith("bring-your-data.md"):  # that page's examples are mappings
        from peermatch.io._mapping import load_mapping

        load_mapping(data, "participant")
    else:
        MatchConfig.from_mapping(data, source=where)


def test_there_are_toml_examples_and_the_example_config_loads() -> None:
    assert len(toml_blocks()) >= 8
    cfg = MatchConfig.from_file(ROOT / "examples" / "config.toml")
    assert cfg.solver == "maximin" and cfg.criteria["region"].weight == 0


def toctree_entries() -> set[str]:
    index = (DOCS / "index.md").read_text(encoding="utf-8")
    entries: set[str] = set()
    for block in re.findall(r"```\{toctree\}\n(.*?)```", index, re.S):
        for line in block.splitlines():
            if line.strip() and not line.startswith(":"):
                entries.add(line.strip())
    return entries


def test_every_page_is_in_a_toctree_and_every_entry_exists() -> None:
    pages = {p.stem for p in DOCS.glob("*.md")} - {"index"}
    entries = toctree_entries()
    assert pages == entries, (
        "docs/index.md's toctrees must list exactly the pages in docs/ "
        f"(missing: {sorted(pages - entries)}, absent: {sorted(entries - pages)})"
    )


def test_readme_says_how_to_build_the_docs() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "sphinx-build -W -b html docs docs/_build/html" in readme
    conf = (DOCS / "conf.py").read_text(encoding="utf-8")
    assert "myst_parser" in conf and "numpydoc" in conf
