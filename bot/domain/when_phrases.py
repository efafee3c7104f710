"""Per-language words for moments relative to now: "now", "in 2 hours", "next week", "the 5th"."""

from __future__ import annotations

# Same conventions as when_words: keyed by language, English always merged in, spelling
# matched after case and accent folding.

# the present moment
NOW_WORDS: dict[str, tuple[str, ...]] = {
    "en": ("now", "right now", "just now"),
    "es": ("ahora", "ahora mismo"),
    "de": ("jetzt", "gerade", "gerade eben", "eben"),
    "fr": ("maintenant", "à l'instant"),
    "pt_BR": ("agora", "agora mesmo"),
    "ru": ("сейчас", "только что"),
    "uk": ("зараз", "щойно", "тільки що"),
}

# units for "in 2 hours" / "30 minutes ago": phrase -> minutes
TIME_UNITS: dict[str, dict[str, int]] = {
    "en": {"hour": 60, "hours": 60, "minute": 1, "minutes": 1, "min": 1, "mins": 1},
    "es": {"hora": 60, "horas": 60, "minuto": 1, "minutos": 1, "min": 1},
    "de": {"stunde": 60, "stunden": 60, "minute": 1, "minuten": 1, "min": 1},
    "fr": {"heure": 60, "heures": 60, "minute": 1, "minutes": 1, "min": 1},
    "pt_BR": {"hora": 60, "horas": 60, "minuto": 1, "minutos": 1, "min": 1},
    "ru": {
        "час": 60,
        "часа": 60,
        "часов": 60,
        "минуту": 1,
        "минуты": 1,
        "минут": 1,
        "мин": 1,
    },
    "uk": {
        "годину": 60,
        "години": 60,
        "годин": 60,
        "хвилину": 1,
        "хвилини": 1,
        "хвилин": 1,
        "хв": 1,
    },
}

# "in an hour", "через час": a unit with no number counts one
ONE_WORDS: dict[str, tuple[str, ...]] = {
    "en": ("a", "an", "one"),
    "es": ("un", "una", "uno"),
    "de": ("ein", "eine", "einer", "einem"),
    "fr": ("un", "une"),
    "pt_BR": ("um", "uma"),
    "ru": ("один", "одну"),
    "uk": ("один", "одну"),
}

# a whole week: phrase -> weeks from this one
WEEK_PHRASES: dict[str, dict[str, int]] = {
    "en": {"this week": 0, "next week": 1, "the coming week": 1, "last week": -1},
    "es": {
        "esta semana": 0,
        "la semana que viene": 1,
        "semana que viene": 1,
        "la próxima semana": 1,
        "próxima semana": 1,
        "la semana próxima": 1,
        "la semana pasada": -1,
        "semana pasada": -1,
    },
    "de": {
        "diese woche": 0,
        "dieser woche": 0,
        "nächste woche": 1,
        "nächster woche": 1,
        "kommende woche": 1,
        "kommender woche": 1,
        "letzte woche": -1,
        "letzter woche": -1,
        "vergangene woche": -1,
        "vergangener woche": -1,
    },
    "fr": {
        "cette semaine": 0,
        "la semaine prochaine": 1,
        "semaine prochaine": 1,
        "la semaine dernière": -1,
        "semaine dernière": -1,
        "la semaine passée": -1,
    },
    "pt_BR": {
        "esta semana": 0,
        "nesta semana": 0,
        "semana que vem": 1,
        "na semana que vem": 1,
        "próxima semana": 1,
        "na próxima semana": 1,
        "semana passada": -1,
        "na semana passada": -1,
    },
    "ru": {
        "на этой неделе": 0,
        "эта неделя": 0,
        "на следующей неделе": 1,
        "следующая неделя": 1,
        "на будущей неделе": 1,
        "на прошлой неделе": -1,
        "прошлая неделя": -1,
    },
    "uk": {
        "цього тижня": 0,
        "на цьому тижні": 0,
        "наступного тижня": 1,
        "на наступному тижні": 1,
        "наступний тиждень": 1,
        "минулого тижня": -1,
        "на минулому тижні": -1,
    },
}

# words before a bare day number that make it a day of the month ("the 5th", "el 5", "am 5.")
DAY_ARTICLES: dict[str, tuple[str, ...]] = {
    "en": ("the", "on the"),
    "es": ("el", "el día", "día"),
    "de": ("am", "den"),
    "fr": ("le",),
    "pt_BR": ("dia", "no dia", "o dia"),
    "ru": (),
    "uk": (),
}

# "by Friday", "bis Freitag": said of an answer date; they carry no meaning of their own here
DEADLINE_WORDS: dict[str, tuple[str, ...]] = {
    "en": ("by", "until", "till", "before"),
    "es": ("hasta", "para", "antes del", "antes de"),
    "de": ("bis", "bis zum", "bis zur", "zum", "vor dem"),
    "fr": ("d'ici", "jusqu'au", "jusqu'à", "avant", "avant le"),
    "pt_BR": ("até", "até o", "até dia"),
    "ru": ("до", "к"),
    "uk": ("до",),
}
