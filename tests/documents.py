"""Reading the documents peermatch writes for people, the way a test needs (shared helpers).

The documents are checked for content: which participants, pairs, figures and words they hold,
never how they are laid out.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

from peermatch import LABELS, Participant, PeerLeader


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("style", "script"):
            self.skip += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("style", "script"):
            self.skip -= 1

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.parts.append(data)


def visible_text(html: str) -> str:
    """The words a reader sees (and a screen reader reads): no tags, styles or attributes."""
    parser = _Text()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


def sections(html: str, attr: str) -> dict[str, str]:
    """The HTML of each ``<section ... data-ATTR="value">`` up to its ``</section>``."""
    out: dict[str, str] = {}
    for m in re.finditer(rf'<section[^>]*data-{attr}="([^"]+)"[^>]*>(.*?)</section>', html, re.S):
        assert m.group(1) not in out, f"{m.group(1)} has two sections"
        out[m.group(1)] = m.group(2)
    return out


def attr_values(html: str, attr: str) -> list[str]:
    """Every value of ``data-ATTR`` in document order."""
    return re.findall(rf'data-{attr}="([^"]+)"', html)


def has_word(text: str, word: str) -> bool:
    """Whether ``word`` occurs in ``text`` as a whole word (case-insensitive)."""
    return re.search(rf"(?<![\w.]){re.escape(word)}(?![\w])", text, re.I) is not None


#: Words of the labels a shared field may show.
_SHAREABLE_WORDS = {
    w.lower()
    for name, table in LABELS.items()
    if name not in ("complications", "importance", "end_reason")
    for text in table.values()
    for w in re.findall(r"\w+", text)
}


def hidden_values(*groups: list[Participant] | list[PeerLeader]) -> dict[str, set[str]]:
    """Per hidden field, every value of it in these profiles, as it could be written."""
    people = [p for g in groups for p in g]
    out: dict[str, set[str]] = {"region": set(), "hba1c": set(), "complications": set()}
    out["vetoes"] = set()
    out["importance"] = set()
    for p in people:
        if p.region:
            out["region"].add(p.region)
        if p.hba1c is not None:
            out["hba1c"].add(f"{p.hba1c:.1f}")
        for c in p.complications or ():
            out["complications"].add(LABELS["complications"][c.value])
            if c.value not in _SHAREABLE_WORDS:  # "foot" is also in "Foot care", a support goal
                out["complications"] |= {c.value, c.value.replace("_", " ")}
        out["vetoes"] |= set(p.vetoes or ())
        for name, level in (p.importance or {}).items():
            out["importance"].add(f"{name}:{level.value}")
    return out
