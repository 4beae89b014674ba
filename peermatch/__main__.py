"""``python -m peermatch``: the command line."""

from peermatch.cli import main

raise SystemExit(main())
