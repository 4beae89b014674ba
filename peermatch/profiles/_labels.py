"""Plain-language labels of every vocabulary value (``docs/data-dictionary.md``).

One table, :data:`LABELS`, gives each code of each closed vocabulary the words a person reads
(``working_full_time`` → 'Working full time', ``en`` → 'English', ``mon_evening`` →
'Monday evening'). The readers accept a label wherever they accept the code, in any case and
spacing, so a spreadsheet or survey that holds the words imports as it is; call sheets, reports
and other outputs for people show the same words through :func:`label`.

Labels are unique within their vocabulary, so a label names exactly one code; none holds ``;``
or ``,``, so a label never splits a multi-valued cell.

Examples
--------
>>> label("life_stage", "working_full_time")
'Working full time'
>>> from peermatch.profiles import Sex
>>> label(Sex, Sex.FEMALE), label("languages", "pa"), label("availability", "mon_evening")
('Female', 'Punjabi', 'Monday evening')
>>> code_for("languages", "  ENGLISH "), code_for("treatments", "basal insulin")
('en', 'basal_insulin')
"""

from __future__ import annotations

from enum import Enum, StrEnum

from peermatch._core.frozen import FrozenMap
from peermatch._core.text import did_you_mean
from peermatch.errors import InputError, Problem
from peermatch.profiles._vocab import (
    AVAILABILITY_SLOTS,
    ISO_639_1,
    ActivityLevel,
    CommunicationStyle,
    Complication,
    ContactFrequency,
    ContactMode,
    Diet,
    EndReason,
    GlucoseMonitoring,
    Importance,
    LifeStage,
    Sex,
    Slot,
    SupportGoal,
    Treatment,
)

__all__ = ["LABELS", "VOCABULARY_OF", "code_for", "label", "label_key"]

_ENUM_LABELS: dict[type[StrEnum], dict[str, str]] = {
    Sex: {"female": "Female", "male": "Male", "intersex": "Intersex"},
    LifeStage: {
        "working_full_time": "Working full time",
        "working_part_time": "Working part time",
        "shift_worker": "Shift worker",
        "caregiver_children": "Caring for children",
        "caregiver_adult": "Caring for an adult",
        "student": "Student",
        "between_jobs": "Between jobs",
        "retired": "Retired",
    },
    ActivityLevel: {
        "sedentary": "Mostly sitting",
        "light": "Lightly active",
        "moderate": "Moderately active",
        "active": "Very active",
    },
    Diet: {
        "omnivore": "No special diet",
        "vegetarian": "Vegetarian",
        "vegan": "Vegan",
        "halal": "Halal",
        "kosher": "Kosher",
        "low_carb": "Low carbohydrate",
        "south_asian": "South Asian cooking",
        "east_asian": "East Asian cooking",
        "other": "Another diet",
    },
    Treatment: {
        "lifestyle_only": "Lifestyle only",
        "metformin": "Metformin",
        "other_oral": "Other tablets",
        "glp1": "GLP-1 injections",
        "basal_insulin": "Basal insulin",
        "mdi_insulin": "Multiple daily insulin injections",
        "insulin_pump": "Insulin pump",
    },
    GlucoseMonitoring: {
        "none": "No monitoring",
        "fingerstick": "Finger-prick meter",
        "cgm": "Continuous glucose monitor",
    },
    Complication: {
        "retinopathy": "Eye disease (retinopathy)",
        "neuropathy": "Nerve damage (neuropathy)",
        "kidney_disease": "Kidney disease",
        "cardiovascular": "Heart or blood vessel disease",
        "foot": "Foot problems",
        "hypoglycaemia": "Low blood sugar episodes",
        "distress": "Diabetes distress",
    },
    SupportGoal: {
        "healthy_eating": "Healthy eating",
        "physical_activity": "Physical activity",
        "medication": "Taking medication",
        "starting_insulin": "Starting insulin",
        "glucose_monitoring": "Checking blood sugar",
        "weight": "Weight",
        "stress": "Stress",
        "sleep": "Sleep",
        "foot_care": "Foot care",
        "work_life": "Diabetes at work",
        "navigating_care": "Finding my way in health care",
        "family": "Family life",
    },
    ContactMode: {
        "phone": "Phone call",
        "text": "Text messages",
        "video": "Video call",
        "in_person": "In person",
    },
    ContactFrequency: {
        "weekly": "Every week",
        "biweekly": "Every two weeks",
        "monthly": "Every month",
    },
    CommunicationStyle: {
        "listener": "A good listener",
        "problem_solver": "Practical problem solver",
        "motivator": "Motivator",
        "information_sharer": "Shares information",
        "humour": "Sense of humour",
    },
    Importance: {
        "must": "Must have",
        "high": "High",
        "normal": "Normal",
        "low": "Low",
        "ignore": "Does not matter",
    },
    EndReason: {
        "poor_fit": "Poor fit",
        "schedule": "Schedules did not fit",
        "moved": "Moved away",
        "completed": "Completed the programme",
        "participant_withdrew": "Participant withdrew",
        "leader_withdrew": "Peer leader withdrew",
        "safety": "Safety concern",
    },
}

_DAY_NAMES = {
    "mon": "Monday",
    "tue": "Tuesday",
    "wed": "Wednesday",
    "thu": "Thursday",
    "fri": "Friday",
    "sat": "Saturday",
    "sun": "Sunday",
}
_ENUM_LABELS[Slot] = {
    s: f"{_DAY_NAMES[s.split('_')[0]]} {s.split('_')[1]}" for s in AVAILABILITY_SLOTS
}

#: English names of the ISO 639-1 languages.
_LANGUAGE_NAMES: dict[str, str] = {
    "aa": "Afar",
    "ab": "Abkhazian",
    "ae": "Avestan",
    "af": "Afrikaans",
    "ak": "Akan",
    "am": "Amharic",
    "an": "Aragonese",
    "ar": "Arabic",
    "as": "Assamese",
    "av": "Avaric",
    "ay": "Aymara",
    "az": "Azerbaijani",
    "ba": "Bashkir",
    "be": "Belarusian",
    "bg": "Bulgarian",
    "bh": "Bihari",
    "bi": "Bislama",
    "bm": "Bambara",
    "bn": "Bengali",
    "bo": "Tibetan",
    "br": "Breton",
    "bs": "Bosnian",
    "ca": "Catalan",
    "ce": "Chechen",
    "ch": "Chamorro",
    "co": "Corsican",
    "cr": "Cree",
    "cs": "Czech",
    "cu": "Church Slavonic",
    "cv": "Chuvash",
    "cy": "Welsh",
    "da": "Danish",
    "de": "German",
    "dv": "Dhivehi",
    "dz": "Dzongkha",
    "ee": "Ewe",
    "el": "Greek",
    "en": "English",
    "eo": "Esperanto",
    "es": "Spanish",
    "et": "Estonian",
    "eu": "Basque",
    "fa": "Persian",
    "ff": "Fula",
    "fi": "Finnish",
    "fj": "Fijian",
    "fo": "Faroese",
    "fr": "French",
    "fy": "Western Frisian",
    "ga": "Irish",
    "gd": "Scottish Gaelic",
    "gl": "Galician",
    "gn": "Guarani",
    "gu": "Gujarati",
    "gv": "Manx",
    "ha": "Hausa",
    "he": "Hebrew",
    "hi": "Hindi",
    "ho": "Hiri Motu",
    "hr": "Croatian",
    "ht": "Haitian Creole",
    "hu": "Hungarian",
    "hy": "Armenian",
    "hz": "Herero",
    "ia": "Interlingua",
    "id": "Indonesian",
    "ie": "Interlingue",
    "ig": "Igbo",
    "ii": "Nuosu",
    "ik": "Inupiaq",
    "io": "Ido",
    "is": "Icelandic",
    "it": "Italian",
    "iu": "Inuktitut",
    "ja": "Japanese",
    "jv": "Javanese",
    "ka": "Georgian",
    "kg": "Kongo",
    "ki": "Kikuyu",
    "kj": "Kwanyama",
    "kk": "Kazakh",
    "kl": "Greenlandic",
    "km": "Khmer",
    "kn": "Kannada",
    "ko": "Korean",
    "kr": "Kanuri",
    "ks": "Kashmiri",
    "ku": "Kurdish",
    "kv": "Komi",
    "kw": "Cornish",
    "ky": "Kyrgyz",
    "la": "Latin",
    "lb": "Luxembourgish",
    "lg": "Ganda",
    "li": "Limburgish",
    "ln": "Lingala",
    "lo": "Lao",
    "lt": "Lithuanian",
    "lu": "Luba-Katanga",
    "lv": "Latvian",
    "mg": "Malagasy",
    "mh": "Marshallese",
    "mi": "Maori",
    "mk": "Macedonian",
    "ml": "Malayalam",
    "mn": "Mongolian",
    "mr": "Marathi",
    "ms": "Malay",
    "mt": "Maltese",
    "my": "Burmese",
    "na": "Nauruan",
    "nb": "Norwegian Bokmål",
    "nd": "Northern Ndebele",
    "ne": "Nepali",
    "ng": "Ndonga",
    "nl": "Dutch",
    "nn": "Norwegian Nynorsk",
    "no": "Norwegian",
    "nr": "Southern Ndebele",
    "nv": "Navajo",
    "ny": "Chichewa",
    "oc": "Occitan",
    "oj": "Ojibwe",
    "om": "Oromo",
    "or": "Odia",
    "os": "Ossetian",
    "pa": "Punjabi",
    "pi": "Pali",
    "pl": "Polish",
    "ps": "Pashto",
    "pt": "Portuguese",
    "qu": "Quechua",
    "rm": "Romansh",
    "rn": "Kirundi",
    "ro": "Romanian",
    "ru": "Russian",
    "rw": "Kinyarwanda",
    "sa": "Sanskrit",
    "sc": "Sardinian",
    "sd": "Sindhi",
    "se": "Northern Sami",
    "sg": "Sango",
    "si": "Sinhala",
    "sk": "Slovak",
    "sl": "Slovenian",
    "sm": "Samoan",
    "sn": "Shona",
    "so": "Somali",
    "sq": "Albanian",
    "sr": "Serbian",
    "ss": "Swati",
    "st": "Southern Sotho",
    "su": "Sundanese",
    "sv": "Swedish",
    "sw": "Swahili",
    "ta": "Tamil",
    "te": "Telugu",
    "tg": "Tajik",
    "th": "Thai",
    "ti": "Tigrinya",
    "tk": "Turkmen",
    "tl": "Tagalog",
    "tn": "Tswana",
    "to": "Tongan",
    "tr": "Turkish",
    "ts": "Tsonga",
    "tt": "Tatar",
    "tw": "Twi",
    "ty": "Tahitian",
    "ug": "Uyghur",
    "uk": "Ukrainian",
    "ur": "Urdu",
    "uz": "Uzbek",
    "ve": "Venda",
    "vi": "Vietnamese",
    "vo": "Volapük",
    "wa": "Walloon",
    "wo": "Wolof",
    "xh": "Xhosa",
    "yi": "Yiddish",
    "yo": "Yoruba",
    "za": "Zhuang",
    "zh": "Chinese",
    "zu": "Zulu",
}

#: The vocabulary each enum names, by its profile field (or ``importance``, ``end_reason``).
VOCABULARY_OF: dict[type[Enum], str] = {
    Sex: "sex",
    LifeStage: "life_stage",
    ActivityLevel: "activity_level",
    Diet: "diet",
    Treatment: "treatments",
    GlucoseMonitoring: "glucose_monitoring",
    Complication: "complications",
    SupportGoal: "support_goals",
    ContactMode: "contact_modes",
    ContactFrequency: "contact_frequency",
    CommunicationStyle: "communication_style",
    Slot: "availability",
    Importance: "importance",
    EndReason: "end_reason",
}

#: Per vocabulary (a profile field, ``importance`` or ``end_reason``), each code's label.
LABELS: FrozenMap[str, FrozenMap[str, str]] = FrozenMap(
    {
        **{
            VOCABULARY_OF[enum]: FrozenMap({m.value: table[m.value] for m in enum})
            for enum, table in _ENUM_LABELS.items()
        },
        "languages": FrozenMap({c: _LANGUAGE_NAMES[c] for c in sorted(ISO_639_1)}),
    }
)


def label_key(text: str) -> str:
    """A label or code as compared: case-folded, ``_`` as a space, spaces collapsed.

    Examples
    --------
    >>> label_key("  Working_FULL   time ")
    'working full time'
    """
    return " ".join(text.casefold().replace("_", " ").split())


_BY_KEY: dict[str, dict[str, str]] = {
    name: {label_key(text): code for code, text in table.items()} for name, table in LABELS.items()
}


def _vocabulary(vocabulary: str | type[Enum]) -> str:
    if isinstance(vocabulary, type) and issubclass(vocabulary, Enum):
        if vocabulary in VOCABULARY_OF:
            return VOCABULARY_OF[vocabulary]
        raise InputError([Problem(None, None, None, f"{vocabulary.__name__} has no labels")])
    name = str(vocabulary)
    if name not in LABELS:
        raise InputError(
            [
                Problem(
                    None,
                    None,
                    None,
                    f"unknown vocabulary {name!r}{did_you_mean(name, LABELS)}; expected one "
                    f"of: {', '.join(LABELS)}",
                )
            ]
        )
    return name


def label(vocabulary: str | type[Enum], code: str) -> str:
    """The plain-language label of a vocabulary code.

    Parameters
    ----------
    vocabulary : str or Enum class
        A profile field with a closed vocabulary (``"sex"``, ``"languages"``,
        ``"availability"``, ...), ``"importance"``, ``"end_reason"``, or the enum itself
        (:class:`~peermatch.Sex`, :class:`~peermatch.Slot`, ...).
    code : str
        The code (an enum member is a code).

    Returns
    -------
    str

    Raises
    ------
    InputError
        For an unknown vocabulary or a code that is not in it.

    Examples
    --------
    >>> label("contact_frequency", "biweekly")
    'Every two weeks'
    """
    name = _vocabulary(vocabulary)
    table = LABELS[name]
    key = str(code.value) if isinstance(code, Enum) else str(code)
    if key not in table:
        raise InputError(
            [
                Problem(
                    None,
                    None,
                    name,
                    f"{key!r} is not a code of this vocabulary{did_you_mean(key, table)}",
                )
            ]
        )
    return table[key]


def code_for(vocabulary: str | type[Enum], text: str) -> str | None:
    """The code whose label is ``text`` (any case and spacing), or None."""
    return _BY_KEY[_vocabulary(vocabulary)].get(label_key(text))
