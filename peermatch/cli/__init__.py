"""The ``peermatch`` command line: parse arguments, call the library, format what it returns.

Nothing in the library imports this package; ``peermatch`` and ``python -m peermatch`` run
:func:`main`.
"""

from peermatch.cli._main import main

__all__ = ["main"]
