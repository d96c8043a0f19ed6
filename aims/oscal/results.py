"""A readiness assessment or an internal audit as OSCAL assessment results.

One result per record. Each rated item (a readiness item with a level, an audit checklist item
with a result) is an observation (what was seen, with the evidence looked at) and a finding
that names the clause or control and says whether it is satisfied:

* readiness: satisfied at level 3 (implemented) or above, the level the results count as in
  place (:data:`aims.readiness.models.TARGET_LEVEL`);
* audit: satisfied when conforming, or when the result is an observation or an opportunity
  for improvement; not satisfied for a minor or major nonconformity.

Items not rated yet are in the reviewed controls but have no finding. OSCAL asks for the
assessment plan the results follow; OpenAIMS has none as a document, so ``import-ap`` points to
the record's page, where its scope and plan are.
"""

from __future__ import annotations

from django.db.models import Prefetch

from aims.audits.models import NONCONFORMITIES, Audit, ChecklistItem, Result
from aims.evidence.models import Evidence
from aims.readiness.models import TARGET_LEVEL, Assessment, AssessmentItem, Maturity

from .common import (
    Linker,
    control_id,
    document,
    latest,
    line,
    metadata,
    org_uuid,
    prop,
    relative,
    token,
    when,
)


def _reviewed(refs: list[str]) -> dict:
    if not refs:
        return {"control-selections": [{"include-all": {}}]}
    return {
        "control-selections": [{"include-controls": [{"control-id": control_id(r)} for r in refs]}]
    }


def _evidence(evidence: list[Evidence], link: Linker) -> list[dict]:
    return [
        {"href": link(e.get_absolute_url()), "description": line(e.title, f"Evidence {e.pk}")}
        for e in evidence
    ]


def _finding(
    org,
    key: tuple,
    ref: str,
    title: str,
    *,
    satisfied: bool,
    reason: str,
    observation: str,
    props,
    remarks="",
) -> dict:
    return {
        "uuid": org_uuid(org, *key, "finding"),
        "title": line(title, ref),
        "description": remarks or title,
        "props": props,
        "target": {
            "type": "objective-id",
            "target-id": control_id(ref),
            "status": {"state": "satisfied" if satisfied else "not-satisfied", "reason": reason},
        },
        "related-observations": [{"observation-uuid": observation}],
    }


def build_readiness_results(assessment: Assessment, *, link: Linker = relative) -> dict:
    """A readiness assessment as assessment results: a finding per rated item."""
    org = assessment.organization
    items = list(
        AssessmentItem.objects.filter(assessment=assessment)
        .select_related("clause", "control")
        .prefetch_related(Prefetch("evidence", queryset=Evidence.objects.order_by("title", "pk")))
        .order_by("position", "pk")
    )
    for item in items:
        item.assessment = assessment
    for e in (e for item in items for e in item.evidence.all()):
        e.organization = org
    modified = latest(
        [assessment.updated_at, *(i.updated_at for i in items)], assessment.created_at
    )
    observations, findings = [], []
    for item in items:
        if item.level is None:
            continue
        key = ("readiness", assessment.pk, "item", item.kind, item.ref)
        level = Maturity(item.level)
        observation = org_uuid(org, *key, "observation")
        text = item.note.strip() or item.proposal_reason.strip() or f"Rated {level.label}."
        observations.append(
            {
                "uuid": observation,
                "title": line(f"{item.ref} rated {level.label}"),
                "description": text,
                "props": [
                    prop("maturity-level", item.level),
                    prop("decision", token(item.decision)),
                ],
                "methods": ["EXAMINE"],
                "relevant-evidence": _evidence(list(item.evidence.all()), link),
                "collected": when(item.updated_at),
            }
        )
        findings.append(
            _finding(
                org,
                key,
                item.ref,
                f"{item.ref} {item.title}: {level.short}",
                satisfied=item.level >= TARGET_LEVEL,
                reason="pass" if item.level >= TARGET_LEVEL else "fail",
                observation=observation,
                props=[prop("label", item.ref, ns=None), prop("maturity-level", item.level)],
                remarks=text,
            )
        )
    result = {
        "uuid": org_uuid(org, "readiness", assessment.pk, "result"),
        "title": line(assessment.title, "Readiness assessment"),
        "description": assessment.summary.strip() or "Gap and readiness assessment of the AIMS.",
        "start": when(assessment.assessed_on),
        "end": when(assessment.completed_at) if assessment.completed_at else None,
        "props": [
            prop("status", token(assessment.status)),
            prop("target-level", TARGET_LEVEL),
            prop("rated-items", len(findings)),
            prop("items", len(items)),
        ],
        "reviewed-controls": _reviewed([item.ref for item in items]),
        "observations": observations,
        "findings": findings,
    }
    return document(
        "assessment-results",
        {
            "uuid": org_uuid(org, "readiness", assessment.pk, when(modified)),
            "metadata": metadata(
                f"Readiness assessment of {org.name}: {line(assessment.title)}",
                modified,
                version=when(modified),
                organization=org,
                props=[prop("record", f"readiness-{assessment.pk}")],
                remarks="Each rated item is an observation and a finding; satisfied at level "
                f"{TARGET_LEVEL} (implemented) or above on the 0 to 5 maturity scale.",
            ),
            "import-ap": {
                "href": link(assessment.get_absolute_url()),
                "remarks": "The assessment's page in OpenAIMS: its scope and items.",
            },
            "results": [result],
        },
    )


def build_audit_results(audit: Audit, *, link: Linker = relative) -> dict:
    """An internal audit as assessment results: a finding per checklist item with a result."""
    org = audit.organization
    items = list(
        ChecklistItem.objects.filter(audit=audit)
        .select_related("clause", "control", "nonconformity")
        .prefetch_related(Prefetch("evidence", queryset=Evidence.objects.order_by("title", "pk")))
        .order_by("position", "pk")
    )
    for item in items:
        item.audit = audit
        if item.nonconformity is not None:
            item.nonconformity.organization = org
    for e in (e for item in items for e in item.evidence.all()):
        e.organization = org
    modified = latest([audit.updated_at, *(i.answered_at for i in items)], audit.created_at)
    observations, findings = [], []
    for item in items:
        if not item.result:
            continue
        result = Result(item.result)
        key = ("audit", audit.pk, "item", item.ref)
        observation = org_uuid(org, *key, "observation")
        text = item.notes.strip() or result.label
        observations.append(
            {
                "uuid": observation,
                "title": line(f"{item.ref}: {result.label}"),
                "description": text,
                "props": [prop("audit-result", token(result))],
                "methods": ["EXAMINE", "INTERVIEW"],
                "relevant-evidence": _evidence(list(item.evidence.all()), link),
                "collected": when(item.answered_at or audit.updated_at),
                "remarks": item.evidence_sampled,
            }
        )
        finding = _finding(
            org,
            key,
            item.ref,
            f"{item.ref} {item.requirement.title}: {result.label}",
            satisfied=result not in NONCONFORMITIES,
            reason="fail"
            if result in NONCONFORMITIES
            else ("pass" if result == Result.CONFORMING else "other"),
            observation=observation,
            props=[prop("label", item.ref, ns=None), prop("audit-result", token(result))],
            remarks=text,
        )
        if item.nonconformity is not None:
            finding["links"] = [
                {
                    "href": link(item.nonconformity.get_absolute_url()),
                    "rel": "nonconformity",
                    "text": line(str(item.nonconformity)),
                }
            ]
        findings.append(finding)
    result_of = {
        "uuid": org_uuid(org, "audit", audit.pk, "result"),
        "title": line(str(audit), "Internal audit"),
        "description": audit.scope.strip() or "Internal audit of the AIMS.",
        "start": when(audit.started_on or audit.planned_start),
        "end": when(audit.completed_on) if audit.completed_on else None,
        "props": [
            prop("status", token(audit.status)),
            prop("findings", sum(1 for item in items if item.is_finding)),
            prop("answered-items", len(findings)),
            prop("items", len(items)),
        ],
        "reviewed-controls": _reviewed([item.ref for item in items]),
        "observations": observations,
        "findings": findings,
        "remarks": audit.conclusion,
    }
    return document(
        "assessment-results",
        {
            "uuid": org_uuid(org, "audit", audit.pk, when(modified)),
            "metadata": metadata(
                f"Internal audit of {org.name}: {line(str(audit))}",
                modified,
                version=when(modified),
                organization=org,
                props=[prop("record", audit.ref or f"audit-{audit.pk}")],
                remarks="Each checklist item with a result is an observation and a finding; a "
                "minor or major nonconformity is not satisfied, an observation or an "
                "opportunity for improvement is satisfied with reason other.",
            ),
            "import-ap": {
                "href": link(audit.get_absolute_url()),
                "remarks": "The audit's page in OpenAIMS: its scope, criteria and checklist.",
            },
            "results": [result_of],
        },
    )
