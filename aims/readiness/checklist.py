"""The certification-readiness checklist, in the stages of a readiness guide.

Each item is answered from the data where the app can tell, with the reason, computed live
(:func:`checklist`). A member may also tick an item by hand, or untick it, with a note
(:class:`aims.readiness.models.ChecklistTick`, on the change trail): the tick by hand decides the
item, but the data's answer stays beside it, so a manual tick never hides that the data says
otherwise. The two certification stages are met when the items they need are.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse

from aims.core.dates import add_months

from .facts import NOT_RECORDED, Facts, gather, pct, plural
from .models import Assessment, ChecklistKey, ChecklistTick
from .results import results

PEOPLE_SHARE = 80  # percent of training complete, and of members who acknowledged the policy

# The stages of the path to certification, and the items of each.
STAGES = (
    ("Define the system", (ChecklistKey.SCOPE, ChecklistKey.GAP_ANALYSIS)),
    (
        "Put it in place",
        (ChecklistKey.PLANNING, ChecklistKey.PEOPLE, ChecklistKey.CONTROLS),
    ),
    (
        "Check and act",
        (
            ChecklistKey.INTERNAL_AUDIT,
            ChecklistKey.MANAGEMENT_REVIEW,
            ChecklistKey.NONCONFORMITIES,
        ),
    ),
    ("Certification audits", (ChecklistKey.STAGE_1, ChecklistKey.STAGE_2)),
)

# What each certification stage needs: stage 1 reviews the documented system, stage 2 that it
# works.
STAGE_1_NEEDS = (
    ChecklistKey.SCOPE,
    ChecklistKey.GAP_ANALYSIS,
    ChecklistKey.PLANNING,
    ChecklistKey.INTERNAL_AUDIT,
    ChecklistKey.MANAGEMENT_REVIEW,
)
STAGE_2_NEEDS = (
    ChecklistKey.STAGE_1,
    ChecklistKey.PEOPLE,
    ChecklistKey.CONTROLS,
    ChecklistKey.NONCONFORMITIES,
)

# Where the records behind each item are.
SOURCES = {
    ChecklistKey.SCOPE: "context_overview",
    ChecklistKey.GAP_ANALYSIS: "readiness_list",
    ChecklistKey.PLANNING: "document_list",
    ChecklistKey.PEOPLE: "competence_matrix",
    ChecklistKey.CONTROLS: "soa_list",
    ChecklistKey.INTERNAL_AUDIT: "audit_programme_list",
    ChecklistKey.MANAGEMENT_REVIEW: "review_list",
    ChecklistKey.NONCONFORMITIES: "nonconformity_list",
}


@dataclass
class Item:
    key: ChecklistKey
    data_met: bool
    reason: str
    url: str
    tick: ChecklistTick | None

    @property
    def label(self) -> str:
        return self.key.label

    @property
    def met(self) -> bool:
        """Ticked by hand when it is; else what the data says."""
        return self.tick.ticked if self.tick is not None else self.data_met

    @property
    def by_hand(self) -> bool:
        return self.tick is not None

    @property
    def disagrees(self) -> bool:
        """A tick by hand that says otherwise than the data."""
        return self.tick is not None and self.tick.ticked != self.data_met


@dataclass(frozen=True)
class Checklist:
    stages: list[tuple[str, list[Item]]]

    @property
    def items(self) -> list[Item]:
        return [item for _, items in self.stages for item in items]

    @property
    def met(self) -> int:
        return sum(1 for item in self.items if item.met)

    @property
    def total(self) -> int:
        return len(self.items)

    @property
    def by_key(self) -> dict[str, Item]:
        return {item.key.value: item for item in self.items}

    def as_dict(self) -> dict:
        return {
            "met": self.met,
            "total": self.total,
            "items": [
                {
                    "key": item.key.value,
                    "label": item.label,
                    "stage": stage,
                    "met": item.met,
                    "data_met": item.data_met,
                    "reason": item.reason,
                    "by_hand": item.by_hand,
                    "ticked": item.tick.ticked if item.tick else None,
                    "note": item.tick.note if item.tick else "",
                    "ticked_by": item.tick.ticked_by.get_username()
                    if item.tick and item.tick.ticked_by
                    else None,
                    "ticked_at": item.tick.ticked_at if item.tick else None,
                }
                for stage, items in self.stages
                for item in items
            ],
        }


def _url(name: str, organization) -> str:
    try:
        return reverse(name, kwargs={"org": organization.slug})
    except NoReverseMatch:
        return ""


def _join(parts: list[str]) -> str:
    return "; ".join(parts) + "."


def _scope(f: Facts) -> tuple[bool, str]:
    missing = []
    if not f.scope_approved:
        missing.append("an approved scope statement")
    elif f.scope_overdue:
        missing.append("a scope within its review date")
    if not f.issues:
        missing.append("internal and external issues")
    if not f.parties:
        missing.append("interested parties")
    if missing:
        return False, "Missing: " + _join(missing)
    return True, (
        f"An approved scope, {plural(f.issues, 'issue')} and "
        f"{plural(f.parties, 'interested party', 'interested parties')} recorded."
    )


def _gap_analysis(latest: Assessment | None, today: dt.date) -> tuple[bool, str]:
    if latest is None:
        return False, f"No readiness assessment completed: {NOT_RECORDED}."
    found = results(latest)
    when = f"{latest.assessed_on:%Y-%m-%d}"
    figure = f"overall readiness {found.percent} %" if found.percent is not None else "no level"
    if latest.assessed_on < add_months(today, -12):
        return False, f"The last assessment, of {when}, is more than 12 months old ({figure})."
    return True, f"“{latest.title}” completed, assessed on {when}: {figure}."


def _planning(f: Facts) -> tuple[bool, str]:
    missing = []
    if not f.policy_current:
        missing.append("no approved AI policy")
    if not f.objectives:
        missing.append("no AI objective")
    if not f.risks_total:
        missing.append("no risk assessed")
    elif f.risks_review_overdue:
        missing.append(f"{plural(f.risks_review_overdue, 'risk review')} overdue")
    if not f.soa_total or f.soa_undecided:
        missing.append(f"{plural(f.soa_undecided, 'SoA control')} still to decide")
    if f.systems_with_current_impact < f.systems_needing_impact:
        count = f.systems_needing_impact - f.systems_with_current_impact
        missing.append(f"{plural(count, 'system')} without a current impact assessment")
    if missing:
        return False, "Not yet: " + _join(missing)
    return True, (
        f"An approved AI policy, {plural(f.objectives, 'objective')}, "
        f"{plural(f.risks_total, 'risk')} assessed, the SoA decided and every impact "
        "assessment needed current."
    )


def _people(f: Facts) -> tuple[bool, str]:
    training, aware = f.training_share, f.policy_acknowledged
    parts = [
        f"training {pct(training)} complete"
        if training is not None
        else f"training requirements {NOT_RECORDED}",
        f"AI policy acknowledged by {pct(aware)} of members"
        if aware is not None
        else f"acknowledgements of the AI policy {NOT_RECORDED}",
    ]
    met = (
        training is not None
        and aware is not None
        and training >= PEOPLE_SHARE
        and aware >= PEOPLE_SHARE
    )
    first = parts[0][0].upper() + parts[0][1:]
    return met, f"{first}; {parts[1]} (both need {PEOPLE_SHARE} % or more)."


def _controls(f: Facts) -> tuple[bool, str]:
    applicable = [e for e in f.entries.values() if e["applicability"] == "applicable"]
    done = [e for e in applicable if e["status"] == "implemented" and e["has_current_evidence"]]
    if not applicable:
        return False, "No Annex A control is decided applicable in the SoA yet."
    text = (
        f"{len(done)} of {len(applicable)} applicable controls implemented with current evidence."
    )
    return len(done) == len(applicable), text


def _internal_audit(f: Facts) -> tuple[bool, str]:
    audits = f.audits
    if audits is None:
        return False, f"Internal audit: {NOT_RECORDED}."
    if not audits.programme_title:
        return False, "No audit programme covers this year."
    text = (
        f"Programme “{audits.programme_title}”: {audits.percent_audited} % of the requirements "
        "audited by completed audits"
    )
    if audits.coverage_complete:
        return True, text + ": the whole AIMS."
    left = len(audits.unaudited)
    return False, f"{text}; {plural(left, 'requirement')} not audited yet."


def _management_review(f: Facts) -> tuple[bool, str]:
    reviews = f.reviews
    if reviews is None:
        return False, f"Management review: {NOT_RECORDED}."
    if not reviews.held:
        return False, "A management review is planned; none held yet."
    held = f"{reviews.latest_held_on:%Y-%m-%d}" if reviews.latest_held_on else "an unknown date"
    if not reviews.held_within_year:
        return False, f"The last management review was held on {held}: over 12 months ago."
    approved = "; its minutes approved" if reviews.latest_approved else "; minutes not approved"
    return True, f"A management review held on {held}{approved}."


def _nonconformities(f: Facts) -> tuple[bool, str]:
    found = f.nonconformities
    if found is None:
        return True, f"Nonconformities: {NOT_RECORDED}; none open."
    problems = []
    if found.open_majors:
        problems.append(
            plural(found.open_majors, "open major nonconformity", "open major nonconformities")
        )
    if found.actions_overdue:
        problems.append(plural(found.actions_overdue, "overdue corrective action"))
    text = f"{found.closed} of {found.total} nonconformities closed"
    if problems:
        return False, f"{text}; " + " and ".join(problems) + "."
    return True, f"{text}; no open major one and no overdue action."


def lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def _stage(needs, items: dict, label: str) -> tuple[bool, str]:
    missing = [lower_first(items[key].label) for key in needs if not items[key].met]
    if missing:
        return False, f"Before the {label}: " + _join(missing)
    return True, f"Everything the {label} looks at is in place."


def checklist(organization, *, today: dt.date, facts: Facts | None = None) -> Checklist:
    """The checklist of ``organization`` on ``today`` (a fixed number of queries)."""
    facts = facts or gather(organization, today=today)
    ticks = {
        tick.key: tick
        for tick in ChecklistTick.objects.filter(organization=organization).select_related(
            "ticked_by"
        )
    }
    latest = Assessment.objects.latest_completed(organization)
    if latest is not None:
        latest.organization = organization
    answers = {
        ChecklistKey.SCOPE: _scope(facts),
        ChecklistKey.GAP_ANALYSIS: _gap_analysis(latest, today),
        ChecklistKey.PLANNING: _planning(facts),
        ChecklistKey.PEOPLE: _people(facts),
        ChecklistKey.CONTROLS: _controls(facts),
        ChecklistKey.INTERNAL_AUDIT: _internal_audit(facts),
        ChecklistKey.MANAGEMENT_REVIEW: _management_review(facts),
        ChecklistKey.NONCONFORMITIES: _nonconformities(facts),
    }
    items: dict[str, Item] = {}
    for key, (met, reason) in answers.items():
        tick = ticks.get(key.value)
        if tick is not None:
            tick.organization = organization
        items[key] = Item(key, met, reason, _url(SOURCES[key], organization), tick)
    for key, needs, label in (
        (ChecklistKey.STAGE_1, STAGE_1_NEEDS, "stage 1 audit"),
        (ChecklistKey.STAGE_2, STAGE_2_NEEDS, "stage 2 audit"),
    ):
        met, reason = _stage(needs, items, label)
        tick = ticks.get(key.value)
        if tick is not None:
            tick.organization = organization
        items[key] = Item(key, met, reason, "", tick)
    return Checklist(stages=[(stage, [items[key] for key in keys]) for stage, keys in STAGES])
