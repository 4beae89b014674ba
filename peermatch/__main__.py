"""``python -m peermatch``: the command line."""

from peermatch.cli._main import run

run()
