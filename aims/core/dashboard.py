"""What an area adds to the dashboard (hook ``"dashboard"``: ``fn(organization) -> Part``).

Each area's part holds its figures for the top row, its steps of the getting-started checklist,
what needs attention, and its tiles; the dashboard app puts the parts together. A part is
computed from aggregates and bounded lists, so its number of queries does not grow with the
number of records.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from .areas import Section

LIST_LIMIT = 10  # records a list on the dashboard shows; the rest are behind "All n"


@dataclass(frozen=True)
class Tally:
    """One bar of a breakdown: a value of a choice field, its label and how many records."""

    value: str
    label: str
    count: int
    total: int

    @property
    def percent(self) -> int:
        return round(100 * self.count / self.total) if self.total else 0


def tallies(counts: dict[str, int], choices: Iterable[tuple[str, str]]) -> list[Tally]:
    total = sum(counts.values())
    return [Tally(value, label, counts.get(value, 0), total) for value, label in choices]


@dataclass(frozen=True)
class Stat:
    """A figure of the top row, linking to its list: "12 open risks", "4/38 controls decided"."""

    value: int
    label: str  # for one
    plural: str  # for several (or none)
    url_name: str
    of: int | None = None
    order: int = 100


@dataclass(frozen=True)
class Step:
    """One step of the getting-started checklist; ``done`` is read from the data, and so is
    ``progress``, the step's count shown beside it ("12 of 38 controls decided"). A step is done
    only when all it asks for is there: the checklist stays until every step is."""

    title: str
    done: bool
    detail: str
    url_name: str
    action: str
    order: int = 100
    needs_manage: bool = False  # only an Owner or AIMS Manager can take the step
    without_access: str = ""  # what others read instead of the button
    progress: str = ""


def how_many(n: int, one: str, several: str | None = None) -> str:
    """``n`` and the noun that goes with it: "1 AI system", "0 AI systems", "2 risks"."""
    return f"{n} {one if n == 1 else (several or one + 's')}"


@dataclass(frozen=True)
class Notice:
    """Something that needs attention: a ``count`` and how it is shown. A "strip" spans the
    section and shows only when the count is not zero; a "cell" sits in its grid."""

    count: int
    section: Section
    kind: str = "cell"
    show_when_zero: bool = True  # for a cell: "0, all is well" is worth saying

    @property
    def shows_when_zero(self) -> bool:
        return self.kind == "cell" and self.show_when_zero


@dataclass
class Part:
    """One area's share of the dashboard."""

    area: str
    stats: list[Stat] = field(default_factory=list)
    steps: list[Step] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)
    tiles: list[Section] = field(default_factory=list)  # column "half" or "wide"
    has_records: bool = False
    data: dict[str, Any] = field(default_factory=dict)  # the figures, by name
