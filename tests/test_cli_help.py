"""Every command's --help carries an example (new commands are covered automatically)."""

from __future__ import annotations

import argparse
import subprocess
import sys

import pytest

from peermatch.cli._main import build_parser


def subcommands() -> dict[str, argparse.ArgumentParser]:
    parser = build_parser()
    actions = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    assert len(actions) == 1
    return dict(actions[0].choices)


def test_there_are_subcommands() -> None:
    assert {"validate", "match", "explain", "demo"} <= set(subcommands())


@pytest.mark.parametrize("name", sorted(subcommands()))
def test_help_has_a_runnable_looking_example(name: str) -> None:
    sub = subcommands()[name]
    text = sub.format_help()
    assert sub.description, f"{name}: no description"
    _, sep, example = text.partition("\nexample")
    assert sep, f"peermatch {name} --help shows no example"
    # the example is the first paragraph after "example:"; notes may follow after a blank line
    paragraph = example.split("\n\n")[0]
    lines = [line.strip() for line in paragraph.splitlines()[1:] if line.strip()]
    assert lines and all(line.startswith(f"peermatch {name}") for line in lines), lines
    # every required option in the usage appears in the example
    for action in sub._actions:
        if action.required and action.option_strings:
            assert any(opt in lines[0] for opt in action.option_strings), (name, action.dest)


def test_help_through_the_command_line() -> None:
    res = subprocess.run(
        [sys.executable, "-m", "peermatch", "match", "--help"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert res.returncode == 0
    assert "example:" in res.stdout and "--plot" in res.stdout
