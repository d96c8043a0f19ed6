"""Everything the dashboard shows about one organization, in a fixed number of queries.

:func:`summarize` is the one place that computes the dashboard; the view only renders it. Each
area adds its part (hook ``"dashboard"``, :mod:`aims.core.dashboard`): figures, checklist steps,
what needs attention and tiles. The dashboard itself adds the recent activity of the audit
trail. Every figure comes from an aggregate or a bounded list, so the number of SQL queries does
not grow with the number of records.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from aims.core.areas import Section, hooks
from aims.core.dashboard import Notice, Part, Stat, Step
from aims.trail.models import AuditEvent

ACTIVITY_LIMIT = 10


@dataclass
class Summary:
    organization: object
    parts: dict[str, Part]
    stats: list[Stat] = field(default_factory=list)
    steps: list[Step] = field(default_factory=list)
    strips: list[Notice] = field(default_factory=list)
    cells: list[Notice] = field(default_factory=list)
    half_tiles: list[Section] = field(default_factory=list)
    wide_tiles: list[Section] = field(default_factory=list)
    recent_events: list = field(default_factory=list)

    def data(self, area: str) -> dict:
        """The figures one area computed, by name (``summary.data("risk")["open"]``)."""
        return self.parts[area].data if area in self.parts else {}

    @property
    def steps_done(self) -> int:
        return sum(step.done for step in self.steps)

    @property
    def getting_started_complete(self) -> bool:
        return all(step.done for step in self.steps)

    @property
    def is_empty(self) -> bool:
        """Nothing recorded yet beyond the organization itself: show a welcome, not zeros."""
        return not any(part.has_records for part in self.parts.values())

    @property
    def attention_count(self) -> int:
        return sum(notice.count for notice in self.strips + self.cells)


def summarize(organization) -> Summary:
    """The dashboard of ``organization``: every area's part and the recent activity."""
    parts = [part for dashboard in hooks("dashboard") if (part := dashboard(organization))]
    notices = [n for part in parts for n in part.notices if n.count or n.shows_when_zero]
    tiles = sorted((t for part in parts for t in part.tiles), key=lambda tile: tile.order)
    steps = sorted((s for part in parts for s in part.steps), key=lambda step: step.order)
    return Summary(
        organization=organization,
        parts={part.area: part for part in parts},
        stats=sorted((s for part in parts for s in part.stats), key=lambda stat: stat.order),
        steps=[replace(step, order=number) for number, step in enumerate(steps, 1)],
        strips=sorted((n for n in notices if n.kind == "strip"), key=lambda n: n.section.order),
        cells=sorted((n for n in notices if n.kind == "cell"), key=lambda n: n.section.order),
        half_tiles=[tile for tile in tiles if tile.column == "half"],
        wide_tiles=[tile for tile in tiles if tile.column != "half"],
        recent_events=list(
            AuditEvent.objects.filter(organization=organization).order_by("-sequence")[
                :ACTIVITY_LIMIT
            ]
        ),
    )
