"""Lazy imports of optional dependencies (internal).

pandas and matplotlib are optional extras: they are imported only inside the functions that
need them, and a missing one raises an :class:`ImportError` that says which extra to install.
"""

from __future__ import annotations

import importlib
from types import ModuleType

__all__ = ["require"]


def require(module: str, *, extra: str, purpose: str) -> ModuleType:
    """Import ``module`` or raise an ImportError naming the extra that provides it.

    Parameters
    ----------
    module : str
        Dotted module name, e.g. ``"pandas"`` or ``"matplotlib.figure"``.
    extra : str
        The peermatch extra that installs it (``"pandas"``, ``"plot"``).
    purpose : str
        What needs it, for the message (e.g. ``"MatchResult.to_pandas()"``).

    Raises
    ------
    ImportError
        If the module cannot be imported; the message gives the ``pip install`` command.

    Examples
    --------
    >>> require("json", extra="none", purpose="this example").__name__
    'json'
    """
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        package = module.split(".")[0]
        raise ImportError(
            f"{purpose} needs {package}, which is not installed; install it with: "
            f"pip install 'peermatch[{extra}]'"
        ) from exc
