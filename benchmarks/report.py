"""The one table `make bench` prints, and its JSON twin.

A row is one measured figure. Machine-dependent figures carry a ratio against a
baseline measured in the same run (a bare python-telegram-bot bot, Telegram's own limit,
the same scenario at another size); a target, when the issue sets one, is a bound on
that ratio (or on the value, for counts such as 429s and SQL statements).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import platform
import statistics
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

Compare = Literal[">=", "<=", "=="]


@dataclasses.dataclass(frozen=True)
class Target:
    """`ratio >= 0.8`, `value == 0`: what the issue asks of a row."""

    bound: float
    compare: Compare = ">="
    on: Literal["ratio", "value"] = "ratio"

    def met(self, value: float, ratio: float | None) -> bool | None:
        subject = ratio if self.on == "ratio" else value
        if subject is None:
            return None
        if self.compare == ">=":
            return subject >= self.bound
        if self.compare == "<=":
            return subject <= self.bound
        return subject == self.bound

    def __str__(self) -> str:
        bound = f"{self.bound:g}"
        return f"{'ratio' if self.on == 'ratio' else 'value'} {self.compare} {bound}"


@dataclasses.dataclass(frozen=True)
class Row:
    scenario: str
    database: str  # "sqlite", "postgres" or "-"
    measure: str
    value: float
    unit: str
    ratio: float | None = None
    baseline: str = ""  # what the ratio is against
    target: Target | None = None
    note: str = ""  # more figures, said in words (p50/p99, counts)
    extra: dict[str, float] = dataclasses.field(default_factory=dict)  # the same, for JSON

    @property
    def met(self) -> bool | None:
        return self.target.met(self.value, self.ratio) if self.target is not None else None

    def as_json(self) -> dict[str, Any]:
        return {
            "scenario": self.scenario,
            "database": self.database,
            "measure": self.measure,
            "value": round(self.value, 4),
            "unit": self.unit,
            "ratio": None if self.ratio is None else round(self.ratio, 4),
            "baseline": self.baseline,
            "target": None if self.target is None else str(self.target),
            "met": self.met,
            "note": self.note,
            **{k: round(v, 4) for k, v in self.extra.items()},
        }


def ratio(value: float, baseline: float) -> float | None:
    return value / baseline if baseline else None


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0-100) by linear interpolation; 0 for no values."""
    if not values:
        return 0.0
    if len(values) == 1:
        return values[0]
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return cuts[min(98, max(0, round(q) - 1))]


def _number(value: float) -> str:
    if value == int(value) and abs(value) < 1e9:
        return f"{int(value):d}"
    if abs(value) >= 100:
        return f"{value:.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.3g}"


def _cells(row: dict[str, Any]) -> list[str]:
    """A row's cells, from its JSON form (so a saved run renders the same)."""
    met = {True: "yes", False: "NO", None: ""}[row["met"]]
    return [
        row["scenario"],
        row["database"],
        row["measure"],
        f"{_number(row['value'])} {row['unit']}".strip(),
        "" if row["ratio"] is None else f"{row['ratio']:.2f}",
        row["baseline"],
        row["target"] or "",
        met,
        row["note"],
    ]


HEADER = ["scenario", "db", "measure", "value", "ratio", "against", "target", "met", "note"]


def render(rows: Sequence[Row] | Sequence[dict[str, Any]], markdown: bool = False) -> str:
    """The table as aligned text, or as Markdown (the README's)."""
    cells = [_cells(r.as_json() if isinstance(r, Row) else r) for r in rows]
    table = [HEADER, *cells]
    if markdown:
        lines = ["| " + " | ".join(c.replace("|", "\\|") for c in row) + " |" for row in table]
        lines.insert(1, "| " + " | ".join("---" for _ in HEADER) + " |")
        return "\n".join(lines)
    widths = [max(len(row[i]) for row in table) for i in range(len(HEADER))]
    out = ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) for row in table]
    out.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(line.rstrip() for line in out)


def machine() -> dict[str, Any]:
    return {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "date": dt.datetime.now(dt.UTC).date().isoformat(),
    }


def write_json(path: Path, rows: Sequence[Row], options: dict[str, Any]) -> None:
    document = {
        "machine": machine(),
        "options": options,
        "rows": [r.as_json() for r in rows],
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def _markdown_main() -> None:
    """`python -m benchmarks.report [results.json]`: a saved run's table as Markdown."""
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).with_name("results.json")
    document = json.loads(path.read_text(encoding="utf-8"))
    print(render(document["rows"], markdown=True))


if __name__ == "__main__":
    _markdown_main()
