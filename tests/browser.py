"""A real headless browser for the documents' tests and the documentation's screenshots.

The system's Chromium is driven by Playwright (``executable_path``: Playwright never downloads
a browser here). One launch loads a page, collects console messages, page errors and every
request, and takes a screenshot and a PDF: about 2.6 s on the example report, against about
10 s for four separate ``chromium --headless`` runs (``--dump-dom``, ``--screenshot``,
``--print-to-pdf``, ``--enable-logging``), which also cannot tell an error from a log line or
list the requests.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

#: Where Debian installs Chromium (``apt-get install chromium``).
CHROMIUM_PATHS = ("/usr/bin/chromium", "/usr/bin/chromium-browser")
#: No sandbox (root in a container), no GPU, and nothing that would reach the network.
LAUNCH_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def chromium() -> str | None:
    """The system Chromium, or None."""
    for path in CHROMIUM_PATHS:
        if Path(path).is_file():
            return path
    return shutil.which("chromium")


def missing() -> str | None:
    """Why the browser cannot run here, or None when it can."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed (pip install -e '.[test]')"
    if chromium() is None:
        return "Chromium is not installed (apt-get install chromium)"
    return None


def required() -> bool:
    """Continuous integration installs the browser: there, its absence is a failure."""
    return os.environ.get("CI") == "true"


@dataclass
class Loaded:
    """A page as the browser loaded it."""

    page: Any
    console: list[tuple[str, str]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)


@contextmanager
def browser() -> Iterator[Any]:
    """A launched headless Chromium (closed on exit)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=chromium(), args=LAUNCH_ARGS)
        try:
            yield b
        finally:
            b.close()


def load(b: Any, path: Path, *, width: int = 1000, height: int = 1300) -> Loaded:
    """Open a file in a new page and record what happened while it loaded."""
    page = b.new_page(viewport={"width": width, "height": height})
    loaded = Loaded(page)
    page.on("console", lambda m: loaded.console.append((m.type, m.text)))
    page.on("pageerror", lambda e: loaded.errors.append(str(e)))
    page.on("request", lambda r: loaded.requests.append(r.url))
    page.goto(path.resolve().as_uri(), wait_until="load")
    return loaded
