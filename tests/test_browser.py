"""The report and the phone script in a real headless browser (Chromium via Playwright).

Each page must render without a console message or a page error, request nothing but its own
file, show every participant once in its outcomes, and print: a screenshot and a PDF are made.
Skipped where Chromium or Playwright is missing, except in continuous integration, which
installs both.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from browser import browser, load, missing, required

from peermatch import read_participants, read_peers, shortlist
from peermatch.display._report import coordinator_report, report_result
from peermatch.display._script import phone_script

ROOT = Path(__file__).resolve().parents[1]

why = missing()
if why is not None and required():
    raise RuntimeError(f"the browser tests must run in continuous integration: {why}")
pytestmark = pytest.mark.skipif(why is not None, reason=why or "")


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    ps = read_participants(ROOT / "examples" / "participants.csv")
    ls = read_peers(ROOT / "examples" / "peers.csv")
    folder = tmp_path_factory.mktemp("pages")
    out = {
        "report": coordinator_report(report_result(ps, ls)),
        "committee": coordinator_report(report_result(ps, ls), audience="committee"),
        "script": phone_script(shortlist(ps, ls), ps),
    }
    paths = {}
    for name, html in out.items():
        paths[name] = folder / f"{name}.html"
        paths[name].write_text(html, encoding="utf-8")
    return paths


def test_pages_render_without_errors_and_print(pages: dict[str, Path], tmp_path: Path) -> None:
    ps = read_participants(ROOT / "examples" / "participants.csv")
    with browser() as b:
        for name, path in pages.items():
            loaded = load(b, path)
            assert loaded.console == [], (name, loaded.console)
            assert loaded.errors == [], (name, loaded.errors)
            assert loaded.requests == [path.resolve().as_uri()], (name, loaded.requests)
            page = loaded.page
            assert page.locator("h1").count() == 1
            shot = tmp_path / f"{name}.png"
            page.screenshot(path=str(shot), full_page=False)
            assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
            pdf = tmp_path / f"{name}.pdf"
            page.emulate_media(media="print")
            page.pdf(path=str(pdf), format="A4")
            assert pdf.read_bytes()[:5] == b"%PDF-" and pdf.stat().st_size > 2000
            if name == "report":
                cells = page.locator("table.outcomes tbody tr").evaluate_all(
                    "rows => rows.map(r => r.cells[0].innerText)"
                )
                assert sorted(cells) == sorted(p.id for p in ps)
                assert page.locator("svg").count() >= 1
            if name == "script":
                shown = page.locator("section.participant h2").all_inner_texts()
                assert sorted(shown) == sorted(f"Participant {p.id}" for p in ps)
            page.close()
