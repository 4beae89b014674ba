"""Plain words for vocabulary codes in planning reports (internal).

Every word the planning reports use for a code comes from :func:`value_words` (one value) and
:func:`list_words` (several): ``"pa"`` is "Punjabi", ``"mon_evening"`` "Monday evening",
``"basal_insulin"`` "basal insulin". A code without an entry is shown with its underscores as
spaces.
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["list_words", "value_words"]

_LANGUAGES = {
    "ar": "Arabic",
    "bn": "Bengali",
    "de": "German",
    "en": "English",
    "es": "Spanish",
    "fa": "Persian",
    "fr": "French",
    "gu": "Gujarati",
    "hi": "Hindi",
    "it": "Italian",
    "ja": "Japanese",
    "ko": "Korean",
    "pa": "Punjabi",
    "pl": "Polish",
    "pt": "Portuguese",
    "ru": "Russian",
    "so": "Somali",
    "ta": "Tamil",
    "tl": "Tagalog",
    "uk": "Ukrainian",
    "ur": "Urdu",
    "vi": "Vietnamese",
    "zh": "Chinese",
}
_DAYS = {
    "mon": "Monday",
    "tue": "Tuesday",
    "wed": "Wednesday",
    "thu": "Thursday",
    "fri": "Friday",
    "sat": "Saturday",
    "sun": "Sunday",
}
_VALUES = {
    "treatments": {
        "lifestyle_only": "lifestyle changes alone",
        "other_oral": "other oral medicines",
        "glp1": "GLP-1 medicines",
        "mdi_insulin": "multiple daily insulin injections",
        "insulin_pump": "an insulin pump",
    },
    "glucose_monitoring": {"cgm": "continuous glucose monitoring"},
    "contact_modes": {"in_person": "in person"},
}


def value_words(field: str, value: object) -> str:
    """One value of a profile field in plain words.

    Examples
    --------
    >>> value_words("languages", "pa"), value_words("availability", "mon_evening")
    ('Punjabi', 'Monday evening')
    >>> value_words("treatments", "basal_insulin")
    'basal insulin'
    """
    code = str(getattr(value, "value", value))
    if field == "languages":
        return _LANGUAGES.get(code, code)
    if field == "availability" and "_" in code:
        day, part = code.split("_", 1)
        return f"{_DAYS.get(day, day)} {part}"
    return _VALUES.get(field, {}).get(code, code.replace("_", " "))


def list_words(items: Iterable[str], last: str = "and") -> str:
    """``a``, ``a and b``, ``a, b and c``.

    Examples
    --------
    >>> list_words(["Punjabi", "English", "Chinese"], "or")
    'Punjabi, English or Chinese'
    """
    words = list(items)
    if len(words) <= 1:
        return "".join(words)
    return f"{', '.join(words[:-1])} {last} {words[-1]}"
