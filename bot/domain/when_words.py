"""Per-language words for saying when something happened (weekday and month names: Babel)."""

from __future__ import annotations

# Every table is keyed by language code. English entries are always merged in, because people
# mix languages; spelling is matched after case and accent folding, so one spelling is enough
# ("mañana" also matches "manana", "nächsten" also matches "nachsten" and "naechsten").

# phrase -> days from today
RELATIVE_DAYS: dict[str, dict[str, int]] = {
    "en": {
        "today": 0,
        "yesterday": -1,
        "tomorrow": 1,
        "day before yesterday": -2,
        "day after tomorrow": 2,
    },
    "es": {
        "hoy": 0,
        "ayer": -1,
        "mañana": 1,
        "anteayer": -2,
        "antier": -2,
        "antes de ayer": -2,
        "pasado mañana": 2,
    },
    "de": {
        "heute": 0,
        "gestern": -1,
        "morgen": 1,
        "vorgestern": -2,
        "übermorgen": 2,
    },
    "fr": {
        "aujourd'hui": 0,
        "hier": -1,
        "demain": 1,
        "avant-hier": -2,
        "après-demain": 2,
    },
    "pt_BR": {
        "hoje": 0,
        "ontem": -1,
        "amanhã": 1,
        "anteontem": -2,
        "antes de ontem": -2,
        "depois de amanhã": 2,
    },
    "ru": {
        "сегодня": 0,
        "вчера": -1,
        "завтра": 1,
        "позавчера": -2,
        "послезавтра": 2,
    },
    "uk": {
        "сьогодні": 0,
        "вчора": -1,
        "учора": -1,
        "завтра": 1,
        "позавчора": -2,
        "післязавтра": 2,
    },
}

# a day and a part of it in one phrase: phrase -> (days from today, part of day)
RELATIVE_DAY_PARTS: dict[str, dict[str, tuple[int, str]]] = {
    "en": {
        "tonight": (0, "night"),
        "this morning": (0, "morning"),
        "this afternoon": (0, "afternoon"),
        "this evening": (0, "evening"),
        "last night": (-1, "night"),
    },
    "es": {
        "esta mañana": (0, "morning"),
        "esta tarde": (0, "afternoon"),
        "esta noche": (0, "night"),
        "anoche": (-1, "night"),
    },
    # "Morgen" after a day is the morning, not tomorrow
    "de": {
        "heute morgen": (0, "morning"),
        "gestern morgen": (-1, "morning"),
        "vorgestern morgen": (-2, "morning"),
    },
    "fr": {
        "ce matin": (0, "morning"),
        "cet après-midi": (0, "afternoon"),
        "ce soir": (0, "evening"),
        "cette nuit": (0, "night"),
    },
    "pt_BR": {
        "esta manhã": (0, "morning"),
        "nesta manhã": (0, "morning"),
        "esta tarde": (0, "afternoon"),
        "nesta tarde": (0, "afternoon"),
        "esta noite": (0, "night"),
        "nesta noite": (0, "night"),
    },
    "ru": {},
    "uk": {},
}

# weekday qualifiers, before or after the weekday: phrase -> "next" | "last" | "this"
WEEKDAY_MODIFIERS: dict[str, dict[str, str]] = {
    "en": {
        "next": "next",
        "coming": "next",
        "last": "last",
        "past": "last",
        "previous": "last",
        "this": "this",
    },
    "es": {
        "próximo": "next",
        "próxima": "next",
        "que viene": "next",
        "siguiente": "next",
        "pasado": "last",
        "pasada": "last",
        "último": "last",
        "última": "last",
        "este": "this",
        "esta": "this",
    },
    "de": {
        "nächsten": "next",
        "nächste": "next",
        "nächster": "next",
        "kommenden": "next",
        "kommende": "next",
        "kommender": "next",
        "letzten": "last",
        "letzte": "last",
        "letzter": "last",
        "vergangenen": "last",
        "vergangene": "last",
        "vergangener": "last",
        "diesen": "this",
        "diese": "this",
        "dieser": "this",
    },
    "fr": {
        "prochain": "next",
        "prochaine": "next",
        "dernier": "last",
        "dernière": "last",
        "passé": "last",
        "ce": "this",
        "cette": "this",
    },
    "pt_BR": {
        "próxima": "next",
        "próximo": "next",
        "que vem": "next",
        "seguinte": "next",
        "passada": "last",
        "passado": "last",
        "última": "last",
        "último": "last",
        "esta": "this",
        "este": "this",
        "nesta": "this",
        "neste": "this",
    },
    "ru": {
        "следующий": "next",
        "следующую": "next",
        "следующее": "next",
        "следующего": "next",
        "следующей": "next",
        "ближайший": "next",
        "ближайшую": "next",
        "ближайшее": "next",
        "прошлый": "last",
        "прошлую": "last",
        "прошлое": "last",
        "прошлого": "last",
        "прошлой": "last",
        "прошедший": "last",
        "прошедшую": "last",
        "этот": "this",
        "эту": "this",
        "это": "this",
    },
    "uk": {
        "наступний": "next",
        "наступну": "next",
        "наступне": "next",
        "наступного": "next",
        "наступної": "next",
        "найближчий": "next",
        "найближчу": "next",
        "минулий": "last",
        "минулу": "last",
        "минуле": "last",
        "минулого": "last",
        "минулої": "last",
        "цей": "this",
        "цю": "this",
        "це": "this",
        "цього": "this",
        "цієї": "this",
    },
}

# weekday forms CLDR leaves out: 0 is Monday, as in date.weekday()
EXTRA_WEEKDAYS: dict[str, dict[str, int]] = {
    "en": {"tues": 1, "weds": 2, "thur": 3, "thurs": 3},
    "es": {},
    "de": {},
    "fr": {},
    # Brazilians mostly drop "-feira"
    "pt_BR": {"segunda": 0, "terça": 1, "quarta": 2, "quinta": 3, "sexta": 4},
    # accusative ("в среду") and genitive ("следующего вторника")
    "ru": {
        "среду": 2,
        "пятницу": 4,
        "субботу": 5,
        "понедельника": 0,
        "вторника": 1,
        "среды": 2,
        "четверга": 3,
        "пятницы": 4,
        "субботы": 5,
        "воскресенья": 6,
    },
    # accusative ("у середу") and genitive ("наступного вівторка")
    "uk": {
        "середу": 2,
        "п'ятницю": 4,
        "суботу": 5,
        "неділю": 6,
        "понеділка": 0,
        "вівторка": 1,
        "середи": 2,
        "четверга": 3,
        "п'ятниці": 4,
        "суботи": 5,
        "неділі": 6,
    },
}

# month spellings CLDR leaves out: 1 is January
EXTRA_MONTHS: dict[str, dict[str, int]] = {
    "en": {"sept": 9},
    "es": {"setiembre": 9, "sep": 9},
    "de": {},
    "fr": {},
    "pt_BR": {},
    "ru": {"фев": 2, "сен": 9, "ноя": 11},
    "uk": {},
}

# words that put a clock time after them ("at 9", "a las 9", "um 9", "о 9")
AT_WORDS: dict[str, tuple[str, ...]] = {
    "en": ("at", "@"),
    "es": ("a", "a las", "a la"),
    "de": ("um",),
    "fr": ("à",),
    "pt_BR": ("às", "à", "as", "a"),
    "ru": ("в", "во"),
    "uk": ("о", "об", "в", "у"),
}

# words that carry no date meaning here and may simply be skipped ("в среду", "am Montag")
FILLERS: dict[str, tuple[str, ...]] = {
    "en": ("on", "the", "at", "of"),
    "es": ("el", "la", "las", "los", "de", "del", "a", "al", "día"),
    "de": ("am", "an", "den", "der", "dem"),
    "fr": ("le", "la", "les", "du", "de", "à"),
    "pt_BR": ("o", "a", "os", "as", "à", "às", "ao", "no", "na", "de", "do", "da", "em", "dia"),
    "ru": ("в", "во", "г", "год", "года"),
    "uk": ("в", "у", "о", "об", "р", "рік", "року"),
}

# phrase -> "am" | "pm", right after an hour ("3pm", "3 p.m.")
MERIDIEM: dict[str, dict[str, str]] = {
    "en": {"am": "am", "pm": "pm"},
    "es": {},
    "de": {},
    "fr": {},
    "pt_BR": {},
    "ru": {},
    "uk": {},
}

# phrase -> part of the day; it settles which half of the clock a bare hour means
DAY_PARTS: dict[str, dict[str, str]] = {
    "en": {
        "morning": "morning",
        "in the morning": "morning",
        "afternoon": "afternoon",
        "in the afternoon": "afternoon",
        "evening": "evening",
        "in the evening": "evening",
        "night": "night",
        "at night": "night",
    },
    "es": {
        "por la mañana": "morning",
        "de la mañana": "morning",
        "en la mañana": "morning",
        "tarde": "afternoon",
        "por la tarde": "afternoon",
        "de la tarde": "afternoon",
        "en la tarde": "afternoon",
        "noche": "night",
        "por la noche": "night",
        "de la noche": "night",
        "en la noche": "night",
        "madrugada": "early",
        "de la madrugada": "early",
    },
    "de": {
        "früh": "morning",
        "morgens": "morning",
        "am morgen": "morning",
        "vormittag": "morning",
        "vormittags": "morning",
        "am vormittag": "morning",
        "nachmittag": "afternoon",
        "nachmittags": "afternoon",
        "am nachmittag": "afternoon",
        "abend": "evening",
        "abends": "evening",
        "nacht": "night",
        "nachts": "night",
    },
    "fr": {
        "matin": "morning",
        "du matin": "morning",
        "le matin": "morning",
        "après-midi": "afternoon",
        "de l'après-midi": "afternoon",
        "l'après-midi": "afternoon",
        "soir": "evening",
        "du soir": "evening",
        "le soir": "evening",
        "nuit": "night",
        "de la nuit": "night",
        "la nuit": "night",
    },
    "pt_BR": {
        "manhã": "morning",
        "de manhã": "morning",
        "da manhã": "morning",
        "pela manhã": "morning",
        "tarde": "afternoon",
        "à tarde": "afternoon",
        "de tarde": "afternoon",
        "da tarde": "afternoon",
        "noite": "night",
        "à noite": "night",
        "de noite": "night",
        "da noite": "night",
        "madrugada": "early",
        "da madrugada": "early",
    },
    "ru": {
        "утром": "morning",
        "утра": "morning",
        "днём": "afternoon",
        "дня": "afternoon",
        "вечером": "evening",
        "вечера": "evening",
        "ночью": "night",
        "ночи": "night",
    },
    "uk": {
        "вранці": "morning",
        "зранку": "morning",
        "ранку": "morning",
        "вдень": "afternoon",
        "удень": "afternoon",
        "дня": "afternoon",
        "ввечері": "evening",
        "увечері": "evening",
        "вечора": "evening",
        "вночі": "night",
        "уночі": "night",
        "ночі": "night",
    },
}

# words that mark a number as an hour ("15 Uhr", "14h", "15 часов")
HOUR_WORDS: dict[str, tuple[str, ...]] = {
    "en": ("o'clock", "h", "hr", "hrs"),
    "es": ("h", "hs", "hrs", "hora", "horas"),
    "de": ("uhr", "h"),
    "fr": ("h", "heure", "heures"),
    "pt_BR": ("h", "hs", "hora", "horas"),
    "ru": ("ч", "час", "часа", "часов"),
    "uk": ("год", "година", "години", "годин"),
}

# a clock time said around an hour, before it ("half past 10", "Viertel vor 11", "halb 11"):
# phrase -> minutes from the hour named. The am/pm guess is made on the hour named, as for a
# bare hour ("halb 3" is 14:30, "halb 7" is 6:30, next to "um 7"). ru/uk say these with number
# words ("в пол одиннадцатого"), which the reader does not know, so they have none.
CLOCK_BEFORE: dict[str, dict[str, int]] = {
    "en": {
        "half past": 30,
        "quarter past": 15,
        "a quarter past": 15,
        "quarter to": -15,
        "a quarter to": -15,
    },
    "es": {},
    "de": {"halb": -30, "viertel nach": 15, "viertel vor": -15},
    "fr": {},
    "pt_BR": {},
    "ru": {},
    "uk": {},
}

# the same, after the hour ("10 y media", "11h moins le quart", "10 e meia"); an hour word may
# come between ("10 heures et demie")
CLOCK_AFTER: dict[str, dict[str, int]] = {
    "en": {},
    "es": {"y media": 30, "y cuarto": 15, "menos cuarto": -15},
    "de": {},
    "fr": {
        "et demie": 30,
        "et demi": 30,
        "et quart": 15,
        "moins le quart": -15,
        "moins quart": -15,
    },
    "pt_BR": {"e meia": 30},
    "ru": {},
    "uk": {},
}

# words that may follow the minutes ("15 часов 30 минут")
MINUTE_WORDS: dict[str, tuple[str, ...]] = {
    "en": ("min", "mins", "minutes"),
    "es": ("min", "minutos"),
    "de": ("min", "minuten"),
    "fr": ("min", "minutes"),
    "pt_BR": ("min", "minutos"),
    "ru": ("мин", "минут", "минуты", "минута"),
    "uk": ("хв", "хвилин", "хвилини", "хвилина"),
}

# words meaning twelve o'clock midday
NOON_WORDS: dict[str, tuple[str, ...]] = {
    "en": ("noon", "midday"),
    "es": ("mediodía",),
    "de": ("mittag", "mittags"),
    "fr": ("midi",),
    "pt_BR": ("meio-dia",),
    "ru": ("полдень",),
    "uk": ("полудень", "опівдні"),
}

# suffixes written onto a day number ("25th", "1er", "1º", "25-го")
ORDINAL_SUFFIXES: dict[str, tuple[str, ...]] = {
    "en": ("st", "nd", "rd", "th"),
    "es": ("o",),
    "de": (),
    "fr": ("er", "e", "eme"),
    "pt_BR": ("o",),
    "ru": ("го", "е", "ое"),
    "uk": ("го", "е", "те"),
}

# units for "3 days ago" / "in 2 weeks": phrase -> days
DAY_UNITS: dict[str, dict[str, int]] = {
    "en": {"day": 1, "days": 1, "week": 7, "weeks": 7},
    "es": {"día": 1, "días": 1, "semana": 7, "semanas": 7},
    "de": {"tag": 1, "tage": 1, "tagen": 1, "woche": 7, "wochen": 7},
    "fr": {"jour": 1, "jours": 1, "semaine": 7, "semaines": 7},
    "pt_BR": {"dia": 1, "dias": 1, "semana": 7, "semanas": 7},
    "ru": {
        "день": 1,
        "дня": 1,
        "дней": 1,
        "неделю": 7,
        "недели": 7,
        "недель": 7,
    },
    "uk": {
        "день": 1,
        "дні": 1,
        "днів": 1,
        "тиждень": 7,
        "тижні": 7,
        "тижнів": 7,
    },
}

# words before "<number> <unit>": phrase -> direction (-1 back in time, +1 ahead)
SHIFT_BEFORE: dict[str, dict[str, int]] = {
    "en": {"in": 1},
    "es": {"hace": -1, "en": 1, "dentro de": 1},
    "de": {"vor": -1, "in": 1},
    "fr": {"il y a": -1, "dans": 1},
    "pt_BR": {"há": -1, "faz": -1, "em": 1, "daqui a": 1},
    "ru": {"через": 1},
    "uk": {"через": 1},
}

# words after "<number> <unit>": phrase -> direction
SHIFT_AFTER: dict[str, dict[str, int]] = {
    "en": {"ago": -1},
    "es": {"atrás": -1},
    "de": {},
    "fr": {},
    "pt_BR": {"atrás": -1},
    "ru": {"назад": -1},
    "uk": {"тому": -1},
}
