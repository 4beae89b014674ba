"""Write the pictures of the coordinators' page from the example cohort.

Run from the repository root after a change to the documents (needs Chromium and Playwright,
both installed for the tests; the browser is the system's, never a downloaded one):

    python docs/screenshots.py

It runs the walkthrough of ``docs/coordinators.md`` on ``examples/`` in a temporary folder
(answers for the choices file are made up by a fixed rule), opens each document in headless
Chromium and saves the top of each page as a small PNG in ``docs/images/``.
"""

from __future__ import annotations

import csv
import io
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
IMAGES = ROOT / "docs" / "images"
LAUNCH_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
#: (document, picture, CSS selector scrolled to the top or None, height in pixels)
SHOTS = [
    ("calls.html", "coordinators-script.png", None, 760),
    ("callsheets.html", "coordinators-callsheet.png", None, 700),
    ("report.html", "coordinators-report.png", None, 900),
    ("report.html", "coordinators-report-waiting.png", "text=Waiting for a leader", 520),
    ("report.html", "coordinators-report-card.png", "[data-card='P0002']", 560),
    ("committee.html", "coordinators-committee.png", None, 700),
    ("year-report.html", "coordinators-year.png", "text=What changed since the last run", 640),
]


def peermatch(*args: str, cwd: Path) -> None:
    """Run one ``peermatch`` command in ``cwd``."""
    subprocess.run([sys.executable, "-m", "peermatch", *args], cwd=cwd, check=True)


def fill_choices(path: Path) -> None:
    """Answers made up by a fixed rule: most choose two options, some none, some not yet."""
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
    for k, row in enumerate(rows):
        letters = [part.split("=")[0] for part in row["options"].split()]
        if k % 10 == 9:
            row["choice_1"] = "none"
        elif k % 7 == 6 or not letters:
            continue
        else:
            picked = letters[k % len(letters) :] + letters[: k % len(letters)]
            for n, letter in enumerate(picked[:2], start=1):
                row[f"choice_{n}"] = letter
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(rows[0]), lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8")


def documents(folder: Path) -> None:
    """The walkthrough of the coordinators' page, run on the example cohort."""
    ex = ROOT / "examples"
    ps, ls = str(ex / "participants.csv"), str(ex / "peers.csv")
    peermatch("shortlist", ps, ls, "--script", "calls.html", cwd=folder)
    fill_choices(folder / "calls-choices.csv")
    choice = ["--choices", "calls-choices.csv", "--solver", "stable"]
    peermatch("match", ps, ls, *choice, "-o", "matches.csv", cwd=folder)
    (folder / "contacts.csv").write_text(
        "id,name,phone\nL001,Sam Carter,604 555 0101\nP0041,Alex Moreau,604 555 0142\n"
        "P0066,Priya Gill,604 555 0166\nP0091,Lee Chan,604 555 0191\n",
        encoding="utf-8",
    )
    peermatch(
        "callsheet", "matches.csv", ps, ls, "--contacts", "contacts.csv", "-o",
        "callsheets.html", cwd=folder,
    )  # fmt: skip
    peermatch("report", ps, ls, *choice, "-o", "report.html", cwd=folder)
    peermatch("report", ps, ls, *choice, "--audience", "committee", "-o", "committee.html",
              cwd=folder)  # fmt: skip
    year = ex / "year"
    yp, yl = str(year / "participants.csv"), str(year / "peers.csv")
    peermatch("rematch", yp, yl, "--history", "year.json", "--new-history", "-o", "01.csv",
              cwd=folder)  # fmt: skip
    ended = str(year / "ended-march.csv")
    peermatch("rematch", yp, yl, "--history", "year.json", "--ended", ended, "-o", "03.csv",
              cwd=folder)  # fmt: skip
    peermatch("report", yp, yl, "--history", "year.json", "-o", "year-report.html", cwd=folder)


def shoot(folder: Path) -> None:
    """Open each document in headless Chromium and save the pictures."""
    from playwright.sync_api import sync_playwright

    IMAGES.mkdir(exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=LAUNCH_ARGS)
        for doc, name, selector, height in SHOTS:
            page = browser.new_page(viewport={"width": 900, "height": height})
            page.goto((folder / doc).as_uri(), wait_until="load")
            if selector:
                top = page.locator(selector).first.evaluate(
                    "e => e.getBoundingClientRect().top + window.scrollY"
                )
                page.evaluate(f"window.scrollTo(0, {max(top - 12, 0)})")
            page.screenshot(path=str(IMAGES / name))
            page.close()
        browser.close()
    _shrink()


def _shrink() -> None:
    """Fewer colours, same look: the pictures stay small in the repository."""
    try:
        from PIL import Image
    except ImportError:
        return
    for _, name, _, _ in SHOTS:
        path = IMAGES / name
        with Image.open(path) as img:
            small = img.convert("RGB").quantize(colors=64, method=Image.Quantize.MEDIANCUT)
        small.save(path, optimize=True)


def main() -> None:
    """Write every picture of the page."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        documents(folder)
        shoot(folder)
    for _, name, _, _ in SHOTS:
        print(f"{IMAGES / name}: {(IMAGES / name).stat().st_size:,} bytes")


if __name__ == "__main__":
    main()
