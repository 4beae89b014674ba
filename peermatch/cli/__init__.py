"""The ``peermatch`` command line: parse arguments, call the library, format what it returns.

Nothing in the library imports this package; ``peermatch`` and ``python -m peermatch`` run
:func:`run`, which runs :func:`main` and exits with its code.
"""

from peermatch.cli._main import main, run

__all__ = ["main", "run"]
