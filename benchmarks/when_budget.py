"""`python -m benchmarks.when_budget`: the worst time one `<when>` costs, parse to dates.

Tests never time anything (a busy machine must not fail them); this is where the budget
is looked at. It runs N random `<when>` texts, extremes and known pathological rules
included, and for each one and each of a few zones (east of UTC as far as it goes, and
west) times what the bot does with it: parse it, find the start /meeting add stores
(refused rules are refused there), its next three dates, and a planning pass's window.
Printed: the worst, the 99th percentile and the median, in milliseconds.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import random
import statistics
import time
import zoneinfo

from domain.recurrence import Schedule, next_occurrences, occurrences
from domain.when import When, WhenError, parse_when
from storage.meetings import first_start

ZONES = ("Asia/Ulaanbaatar", "Pacific/Kiritimati", "America/Los_Angeles", "UTC")
# Rules that used to cost seconds (dateutil walking to year 9999), and the bounds.
KNOWN = (
    "RRULE:FREQ=DAILY;INTERVAL=7;BYDAY=SA 10:00",
    "RRULE:FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30 10:00",
    "RRULE:FREQ=DAILY;BYMONTH=2;BYMONTHDAY=29;BYDAY=SA 10:00",
    "RRULE:FREQ=DAILY;INTERVAL=2;BYMONTH=2;BYMONTHDAY=29 10:00",
    "RRULE:FREQ=DAILY;COUNT=3;BYMONTH=2;BYMONTHDAY=29 10:00",
    "RRULE:FREQ=WEEKLY;BYDAY=MO;BYSETPOS=3 10:00",
    "RRULE:FREQ=MONTHLY;INTERVAL=12;BYMONTH=2 10:00",
    "RRULE:FREQ=YEARLY;BYWEEKNO=53;BYDAY=SU 10:00",
    "RRULE:FREQ=DAILY;UNTIL=99991231T235959Z 10:00",
    "RRULE:FREQ=DAILY;UNTIL=21001231T235959Z 10:00",
    "0001-01-01 00:00",
    "2100-12-31 23:59",
)
_DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_NUMBERS = (1, 2, 7, 12, 13, 28, 29, 30, 31, 52, 53, 366, -1, -5, -53, -366, 0, 400, 10**9)
_UNTILS = ("00010101", "19700101", "20240229", "21001231T235959Z", "99991231T235959Z")


@dataclasses.dataclass(frozen=True)
class Timing:
    ms: float
    text: str
    zone: str
    now: dt.datetime


def _some(rng: random.Random, values: tuple[object, ...], most: int = 3) -> str:
    return ",".join(str(rng.choice(values)) for _ in range(rng.randint(1, most)))


def random_when(rng: random.Random) -> str:
    """One `<when>` text: mostly RRULEs with any mix of parts, some other forms."""
    hhmm = f"{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}"
    kind = rng.random()
    if kind < 0.1:
        day = dt.date(1970, 1, 1) + dt.timedelta(days=rng.randint(-800, 48000))
        return f"{day.isoformat()} {hhmm}"
    if kind < 0.2:
        ordinal = rng.choice(["", "1st ", "2nd ", "5th ", "last "])
        return f"every {ordinal}{rng.choice(['day', 'mon', 'sat', 'Ням'])} {hhmm}"
    parts = [f"FREQ={rng.choice(['YEARLY', 'MONTHLY', 'WEEKLY', 'DAILY'])}"]
    if rng.random() < 0.5:
        parts.append(f"INTERVAL={rng.choice([1, 2, 3, 7, 12, 14, 52, 365, 1000])}")
    if rng.random() < 0.6:
        days = [f"{rng.choice(['', '1', '2', '-1', '5', '+3'])}{rng.choice(_DAYS)}"]
        parts.append("BYDAY=" + ",".join(days * rng.randint(1, 2)))
    for name in ("BYMONTHDAY", "BYMONTH", "BYYEARDAY", "BYWEEKNO", "BYSETPOS"):
        if rng.random() < 0.25:
            parts.append(f"{name}={_some(rng, _NUMBERS)}")
    ending = rng.random()
    if ending < 0.2:
        parts.append(f"COUNT={rng.randint(1, 1000)}")
    elif ending < 0.4:
        parts.append(f"UNTIL={rng.choice(_UNTILS)}")
    return f"RRULE:{';'.join(parts)} {hhmm}"


def expand(when: When, zone: str, now: dt.datetime) -> None:
    """What the bot does with a parsed `<when>`: its stored start, dates, a planning pass."""
    tz = zoneinfo.ZoneInfo(zone)
    try:
        start = first_start(when, now=now, tz=tz)
    except WhenError:
        return  # refused when added: what it cost counts all the same
    schedule = Schedule(start, when.rrule, zone)
    next_occurrences(schedule, now=now, count=3)
    occurrences(schedule, after=now, until=now + dt.timedelta(days=8))


def time_one(text: str, zone: str, now: dt.datetime) -> Timing:
    begin = time.perf_counter()
    try:
        when = parse_when(text)
    except WhenError:
        pass
    else:
        expand(when, zone, now)
    return Timing((time.perf_counter() - begin) * 1000, text, zone, now)


def run(n: int, seed: int = 0) -> list[Timing]:
    """Timings of n random texts plus the known ones, each in every zone."""
    rng = random.Random(seed)
    texts = [*KNOWN, *(random_when(rng) for _ in range(n))]
    timings: list[Timing] = []
    for text in texts:
        now = dt.datetime(2025, 1, 1, tzinfo=dt.UTC) + dt.timedelta(
            minutes=rng.randint(0, 60 * 24 * 365 * 20)
        )
        timings.extend(time_one(text, zone, now) for zone in ZONES)
    return timings


def retimed(timings: list[Timing], slowest: int = 20, tries: int = 3) -> list[Timing]:
    """The slowest pairs timed again, keeping each one's best: a busy machine's pauses
    are not the rule's cost."""
    top = sorted(timings, key=lambda t: t.ms, reverse=True)[:slowest]
    return [
        min((time_one(t.text, t.zone, t.now) for _ in range(tries)), key=lambda t: t.ms)
        for t in top
    ]


def report(timings: list[Timing]) -> float:
    """Print the worst (timed again), p99 and median; return the worst, in milliseconds."""
    values = sorted(t.ms for t in timings)
    worst = max(retimed(timings), key=lambda t: t.ms)
    p99 = values[min(len(values) - 1, int(len(values) * 0.99))]
    print(f"<when> parse + expand, {len(timings)} (text, zone) pairs")
    print(
        f"  worst  : {worst.ms:8.2f} ms  {worst.text!r} in {worst.zone}, now {worst.now:%Y-%m-%d}"
    )
    print(f"  p99    : {p99:8.2f} ms")
    print(f"  median : {statistics.median(values):8.2f} ms")
    return worst.ms


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("-n", type=int, default=500, help="random <when> texts")
    parser.add_argument("--seed", type=int, default=0)
    options = parser.parse_args()
    report(run(options.n, options.seed))


if __name__ == "__main__":
    main()
