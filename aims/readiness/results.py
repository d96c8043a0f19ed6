"""The results of an assessment: readiness per clause, per Annex A objective and overall;
strengths; gaps ranked by the risks they leave open; and two assessments side by side.

How readiness is measured (the pages say it too):

* an item's level counts once it is decided (confirmed or set by the assessor);
* a group's readiness (a clause 4 to 10, an Annex A objective A.2 to A.10) is the mean level of
  its decided items as a percentage of level 5, the top of the scale;
* overall readiness is the same over every decided item; beside it, the share of decided items
  at level 3 (implemented) or above, which is what a certification audit looks for.

A gap is a decided item below level 3. Gaps are ranked by the open risks they leave: the open
risks of the register linked to the control (through the risk's controls, or the risks of its
SoA entry), each weighted by its current level (low 1, medium 2, high 3, critical 4); then by
level, lowest first. Clause gaps have no linked risks and rank by level.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from aims.catalog.models import Clause, ControlObjective
from aims.risk.models import Risk, RiskMatrix
from aims.soa.models import SoAEntry

from .models import STRENGTH_LEVEL, TARGET_LEVEL, AssessmentItem, Kind, Maturity

TOP = max(Maturity.values)


def percent_of_top(mean: float | None) -> int | None:
    return None if mean is None else round(100 * mean / TOP)


@dataclass(frozen=True)
class Group:
    """The readiness of one clause (4 to 10) or Annex A objective (A.2 to A.10)."""

    ref: str
    title: str
    total: int
    decided: int
    mean: float | None
    at_target: int  # decided items at level 3 or above

    @property
    def percent(self) -> int | None:
        return percent_of_top(self.mean)

    @property
    def label(self) -> str:
        return f"{self.ref} {self.title}"


@dataclass(frozen=True)
class LinkedRisk:
    risk: Risk
    level: str  # aims.risk.models.Level value
    weight: int


@dataclass(frozen=True)
class Gap:
    item: AssessmentItem
    risks: tuple[LinkedRisk, ...]

    @property
    def weight(self) -> int:
        return sum(r.weight for r in self.risks)


@dataclass
class Results:
    assessment: object
    items: list[AssessmentItem]
    clauses: list[Group]
    objectives: list[Group]
    total: int
    decided: int
    mean: float | None
    at_target: int
    by_level: list[tuple[Maturity, int]]
    strengths: list[AssessmentItem] = field(default_factory=list)
    gaps: list[Gap] = field(default_factory=list)

    @property
    def percent(self) -> int | None:
        """Overall readiness: the mean decided level as a percentage of level 5."""
        return percent_of_top(self.mean)

    @property
    def share_at_target(self) -> int | None:
        """The share of decided items at level 3 or above, in percent."""
        return round(100 * self.at_target / self.decided) if self.decided else None

    @property
    def pending(self) -> int:
        return self.total - self.decided

    @property
    def groups(self) -> list[Group]:
        return self.clauses + self.objectives

    def as_dict(self) -> dict:
        """The figures as plain data (the API, the management review)."""

        def group(g: Group) -> dict:
            return {
                "ref": g.ref,
                "title": g.title,
                "items": g.total,
                "decided": g.decided,
                "mean_level": None if g.mean is None else round(g.mean, 2),
                "percent": g.percent,
                "at_level_3_or_above": g.at_target,
            }

        return {
            "overall": {
                "items": self.total,
                "decided": self.decided,
                "mean_level": None if self.mean is None else round(self.mean, 2),
                "percent": self.percent,
                "share_at_level_3_or_above": self.share_at_target,
                "by_level": {str(level.value): count for level, count in self.by_level},
            },
            "clauses": [group(g) for g in self.clauses],
            "objectives": [group(g) for g in self.objectives],
            "strengths": [item.ref for item in self.strengths],
            "gaps": [
                {
                    "ref": gap.item.ref,
                    "title": gap.item.title,
                    "level": gap.item.level,
                    "risk_weight": gap.weight,
                    "risks": [linked.risk.ref for linked in gap.risks],
                }
                for gap in self.gaps
            ],
        }


def items_of(assessment) -> list[AssessmentItem]:
    """The items of ``assessment`` with what their pages read, in order (two queries)."""
    items = list(assessment.items.for_page())
    for item in items:
        item.assessment = assessment
        for evidence in item.evidence.all():
            evidence.organization = assessment.organization
    return items


def _mean(levels: list[int]) -> float | None:
    return sum(levels) / len(levels) if levels else None


def _group(ref: str, title: str, items: list[AssessmentItem]) -> Group:
    levels = [i.level for i in items if i.is_decided and i.level is not None]
    return Group(
        ref=ref,
        title=title,
        total=len(items),
        decided=len(levels),
        mean=_mean(levels),
        at_target=sum(1 for level in levels if level >= TARGET_LEVEL),
    )


def group_titles() -> tuple[dict[str, str], dict[str, str]]:
    """The titles of the top-level clauses (4 to 10) and Annex A objectives (A.2 to A.10), in
    the standard's order."""
    clauses = dict(
        Clause.objects.filter(parent__isnull=True).order_by("position").values_list("ref", "title")
    )
    objectives = dict(
        ControlObjective.objects.filter(parent__isnull=True)
        .order_by("position")
        .values_list("ref", "title")
    )
    return clauses, objectives


def results(assessment, *, items: list[AssessmentItem] | None = None, titles=None) -> Results:
    """The results of ``assessment``, in a fixed number of queries."""
    items = items if items is not None else items_of(assessment)
    clause_titles, objective_titles = titles or group_titles()
    by_group: dict[str, list[AssessmentItem]] = defaultdict(list)
    for item in items:
        by_group[item.group].append(item)
    decided = [i for i in items if i.is_decided and i.level is not None]
    levels = [i.level for i in decided]
    found = Results(
        assessment=assessment,
        items=items,
        clauses=[
            _group(ref, title, by_group[ref])
            for ref, title in clause_titles.items()
            if by_group[ref]
        ],
        objectives=[
            _group(ref, title, by_group[ref])
            for ref, title in objective_titles.items()
            if by_group[ref]
        ],
        total=len(items),
        decided=len(decided),
        mean=_mean(levels),
        at_target=sum(1 for level in levels if level >= TARGET_LEVEL),
        by_level=[(level, levels.count(level.value)) for level in Maturity],
    )
    found.strengths = [i for i in decided if i.level >= STRENGTH_LEVEL]
    found.gaps = ranked_gaps(assessment.organization, [i for i in decided if i.is_gap])
    return found


def ranked_gaps(organization, gaps: list[AssessmentItem]) -> list[Gap]:
    """``gaps`` with the open risks each leaves, most risk first (three queries)."""
    control_ids = {item.control_id for item in gaps if item.kind == Kind.CONTROL}
    risks_of: dict[int, set[int]] = defaultdict(set)
    if control_ids:
        links = Risk.controls.through.objects.filter(
            control_id__in=control_ids, risk__organization=organization
        ).values_list("control_id", "risk_id")
        for control_id, risk_id in links:
            risks_of[control_id].add(risk_id)
        links = SoAEntry.risks.through.objects.filter(
            soaentry__organization=organization, soaentry__control_id__in=control_ids
        ).values_list("soaentry__control_id", "risk_id")
        for control_id, risk_id in links:
            risks_of[control_id].add(risk_id)
    wanted = set().union(*risks_of.values()) if risks_of else set()
    linked: dict[int, LinkedRisk] = {}
    if wanted:
        matrix = RiskMatrix.objects.filter(organization=organization).first()
        for risk in Risk.objects.for_org(organization).open().with_scores().filter(pk__in=wanted):
            risk.organization = organization
            level = matrix.level_for(risk.current_score_db) if matrix else None
            linked[risk.pk] = LinkedRisk(
                risk=risk,
                level=level.value if level else "",
                weight=(level.rank + 1) if level else 1,
            )
    found = []
    for item in gaps:
        risks = sorted(
            (linked[pk] for pk in risks_of.get(item.control_id, ()) if pk in linked),
            key=lambda r: (-r.weight, r.risk.ref),
        )
        found.append(Gap(item=item, risks=tuple(risks)))
    found.sort(key=lambda gap: (-gap.weight, gap.item.level, gap.item.position))
    return found


# --- Two assessments side by side -------------------------------------------------------------


@dataclass(frozen=True)
class GroupChange:
    ref: str
    title: str
    before: int | None
    after: int | None

    @property
    def change(self) -> int | None:
        if self.before is None or self.after is None:
            return None
        return self.after - self.before


@dataclass(frozen=True)
class ItemChange:
    ref: str
    title: str
    before: int | None
    after: int | None
    url: str

    @property
    def change(self) -> int:
        return (self.after or 0) - (self.before or 0)


@dataclass
class Comparison:
    before: Results
    after: Results
    clauses: list[GroupChange]
    objectives: list[GroupChange]
    up: list[ItemChange]
    down: list[ItemChange]
    unchanged: int
    only_before: list[str]
    only_after: list[str]

    @property
    def change(self) -> int | None:
        if self.before.percent is None or self.after.percent is None:
            return None
        return self.after.percent - self.before.percent

    @property
    def share_change(self) -> int | None:
        if self.before.share_at_target is None or self.after.share_at_target is None:
            return None
        return self.after.share_at_target - self.before.share_at_target


def _group_changes(before: list[Group], after: list[Group], titles: dict) -> list[GroupChange]:
    old = {g.ref: g for g in before}
    new = {g.ref: g for g in after}
    return [
        GroupChange(
            ref=ref,
            title=title,
            before=old[ref].percent if ref in old else None,
            after=new[ref].percent if ref in new else None,
        )
        for ref, title in titles.items()
        if ref in old or ref in new
    ]


def compare(before, after) -> Comparison:
    """``before`` and ``after`` (two assessments of one organization) side by side."""
    titles = group_titles()
    old, new = results(before, titles=titles), results(after, titles=titles)
    key = lambda item: (item.kind, item.clause_id or item.control_id)  # noqa: E731
    old_items = {key(i): i for i in old.items}
    new_items = {key(i): i for i in new.items}
    up, down, unchanged = [], [], 0
    for k, item in new_items.items():
        previous = old_items.get(k)
        if previous is None:
            continue
        if not (item.is_decided and previous.is_decided):
            continue
        change = ItemChange(
            ref=item.ref,
            title=item.title,
            before=previous.level,
            after=item.level,
            url=f"{after.get_absolute_url()}#item-{item.pk}",
        )
        if change.change > 0:
            up.append(change)
        elif change.change < 0:
            down.append(change)
        else:
            unchanged += 1
    up.sort(key=lambda c: (-c.change, c.ref))
    down.sort(key=lambda c: (c.change, c.ref))
    return Comparison(
        before=old,
        after=new,
        clauses=_group_changes(old.clauses, new.clauses, titles[0]),
        objectives=_group_changes(old.objectives, new.objectives, titles[1]),
        up=up,
        down=down,
        unchanged=unchanged,
        only_before=[i.ref for k, i in old_items.items() if k not in new_items],
        only_after=[i.ref for k, i in new_items.items() if k not in old_items],
    )
