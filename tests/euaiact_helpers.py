"""What tests share about the EU AI Act area: the records that meet every obligation of a system.

A high-risk system enters deployment only when every obligation the Act puts on it is met (the
gate requirement ``act_obligations``, aims/euaiact/gates.py). A test about something else that
takes a high-risk system there calls :func:`meet_act_obligations` first.
"""

from __future__ import annotations

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from helpers import sign_off
from impact_helpers import assessed

from aims.audits.models import Audit, AuditProgramme, AuditStatus
from aims.checks.models import Check, SourceType
from aims.checks.models import Kind as CheckKind
from aims.checks.samples import FAIR
from aims.checks.services import run_check, save_check, store_data_file
from aims.datasets.models import DataSet, Purpose
from aims.datasets.services import add_use, save_dataset
from aims.documents.models import Document
from aims.documents.models import Kind as DocumentKind
from aims.documents.models import Status as DocumentStatus
from aims.euaiact import services
from aims.euaiact.models import (
    AssessmentOutcome,
    ConformityAssessment,
    Declaration,
    LogRetention,
    MonitoringPlan,
    NoticeDuty,
    OversightMeasure,
    Procedure,
    RecourseChannel,
    Registration,
    RegistrationBasis,
    TransparencyNotice,
)
from aims.euaiact.obligations import Obligation, State, applicable, basis_of, obligations_of
from aims.inventory.models import AISystem
from aims.organizations.models import Membership
from aims.proposals.services import may_decide
from aims.reviews.models import ManagementReview, ReviewStatus
from aims.techdocs import services as techdocs
from aims.techdocs.models import ANNEX_IV_SECTIONS, Audience, TechnicalDocument
from aims.techdocs.models import Kind as DocKind

# The answers of a credit-scoring system the organization builds and uses (Annex III point 5(b)).
CREDIT_ANSWERS = {"roles": ["provider", "deployer"], "annex_iii": ["5b"]}
# What the Act obliges the provider of a high-risk system to do, and its deployer, in its order.
PROVIDER_HIGH = [
    "Art. 9",
    "Art. 10",
    "Art. 11",
    "Art. 12",
    "Art. 13",
    "Art. 14",
    "Art. 15",
    "Art. 16",
    "Art. 17",
    "Art. 19",
    "Art. 20",
    "Art. 43",
    "Art. 47",
    "Art. 48",
    "Art. 49(1)",
    "Art. 72",
    "Art. 73",
]
DEPLOYER_HIGH = ["Art. 26", "Art. 27", "Art. 86"]


def approver_for(system: AISystem, actor):
    """Another member of the system's organization with decision authority than ``actor``."""
    for membership in Membership.objects.filter(organization=system.organization).exclude(
        user=actor
    ):
        if may_decide(system.organization, membership.user):
            return membership.user
    raise AssertionError("The organization has no other member with decision authority.")


def _quality_check(system: AISystem, *, actor) -> Check:
    """A data-quality check on the sample prediction log, run once: it passes."""
    with FAIR.open("rb") as fh:
        blob, name = store_data_file(
            SimpleUploadedFile(FAIR.name, fh.read(), content_type="application/octet-stream")
        )
    check = save_check(
        Check(
            organization=system.organization,
            system=system,
            name="Training data: quality",
            kind=CheckKind.QUALITY,
            source_type=SourceType.UPLOAD,
            data_blob=blob,
            data_name=name,
            options={"max_missing": 0.01, "max_duplicate_share": 0.05},
            thresholds=[],
        ),
        actor=actor,
    )
    run_check(check, actor=actor)
    return check


def _data(system: AISystem, *, actor) -> Check:
    """Art. 10 and 15: a data set the system is trained on, tested by a passing quality check."""
    check = _quality_check(system, actor=actor)
    dataset = save_dataset(
        DataSet(
            organization=system.organization,
            name=f"Training data of {system.name}",
            description="Applications with their outcomes.",
        ),
        actor=actor,
        quality_checks=[check],
    )
    add_use(dataset, system=system, purpose=Purpose.TRAINING, actor=actor)
    return check


def _documentation(system: AISystem, *, actor, approver) -> None:
    """Art. 11, 12 and 13: the Annex IV documentation of the present version, every section
    written, and the information for users; each approved by someone who did not write it."""
    sections = {name: f"{label}: as built and tested." for name, label in ANNEX_IV_SECTIONS}
    for kind, fields in (
        (DocKind.TECHNICAL, sections),
        (
            DocKind.USER_INFO,
            {
                "audience": Audience.BOTH,
                "user_text": "How to read the output, its limits, and how to override it.",
                "channel": "Operations manual",
            },
        ),
    ):
        draft = techdocs.save_draft(
            TechnicalDocument(organization=system.organization, system=system, kind=kind, **fields),
            actor=actor,
        )
        techdocs.submit_for_review(draft, actor=actor)
        techdocs.approve(draft, actor=approver)


def _quality_management(organization, *, actor) -> None:
    """Art. 17: the AIMS as the quality management system (an approved AI policy, an internal
    audit completed and a management review held in the last year). Made as bare rows: their
    own areas test how they come about."""
    today = timezone.localdate()
    Document.objects.create(
        organization=organization,
        title="AI policy",
        kind=DocumentKind.POLICY,
        status=DocumentStatus.APPROVED,
    )
    cycle = AuditProgramme.objects.create(
        organization=organization,
        title=str(today.year),
        starts_on=today - dt.timedelta(days=60),
        ends_on=today + dt.timedelta(days=300),
    )
    Audit.objects.create(
        organization=organization,
        programme=cycle,
        ref="AUD-EUAI-1",
        title="The AIMS as a whole",
        planned_start=today - dt.timedelta(days=10),
        planned_end=today - dt.timedelta(days=8),
        status=AuditStatus.COMPLETED,
        completed_on=today - dt.timedelta(days=7),
    )
    ManagementReview.objects.create(
        organization=organization,
        title="Management review",
        planned_on=today - dt.timedelta(days=5),
        held_on=today - dt.timedelta(days=5),
        status=ReviewStatus.HELD,
        chair=actor,
    )


def meet_act_obligations(system: AISystem, actor, *, approver=None) -> list[Obligation]:
    """Record what meets each obligation the Act puts on ``system`` (from its signed
    classification, else its tier and role): ``actor`` writes, ``approver`` (another member
    with decision authority, found in the organization unless given) approves and signs what
    its author may not. Returns the obligations; raises AssertionError naming any still unmet
    (a risk of the register left unassessed, a failing check, ...)."""
    approver = approver or approver_for(system, actor)
    organization = system.organization
    today = timezone.localdate()
    codes = {spec.code for spec in applicable(basis_of(system))}
    before = {o.spec.code: o.state for o in obligations_of(system)}

    def save(record, **kwargs):
        return services.save_record(record, actor=actor, **kwargs)

    checks = []
    if before.get("art9", State.MET) != State.MET:
        sign_off(system, actor=approver)
    if codes & {"art10", "art15", "art72"}:
        checks.append(_data(system, actor=actor))
    if codes & {"art11", "art12", "art13"}:
        _documentation(system, actor=actor, approver=approver)
    if codes & {"art14", "art26"}:
        save(
            OversightMeasure(
                organization=organization,
                system=system,
                person=actor,
                role="Officer on duty",
                authority="May overrule or stop the system.",
                training="Course on the system's limits and automation bias.",
                override="Switch the system to manual decisions in its console.",
            )
        )
    if codes & {"art12", "art19", "art26"}:
        save(
            LogRetention(
                organization=organization,
                system=system,
                logs="Every output with its inputs",
                location="Log archive",
                retention_days=365,
            )
        )
    if codes & {"art16", "art47", "art48"}:
        save(
            Declaration(
                organization=organization,
                system=system,
                signed_on=today,
                signatory="The managing director",
                provider=f"{organization.name}, its registered address",
                ce_marked_on=today,
            )
        )
    if before.get("art17", State.MET) != State.MET:
        _quality_management(organization, actor=actor)
    if "art43" in codes:
        save(
            ConformityAssessment(
                organization=organization,
                system=system,
                procedure=Procedure.INTERNAL,
                assessed_on=today,
                outcome=AssessmentOutcome.PASSED,
            )
        )
    for code, registered in (
        ("art49", RegistrationBasis.HIGH_RISK),
        ("art49_2", RegistrationBasis.NOT_HIGH_RISK),
    ):
        if code in codes:
            save(
                Registration(
                    organization=organization,
                    system=system,
                    basis=registered,
                    database_id=f"EU-{system.pk}-{registered}",
                    registered_on=today,
                )
            )
    if "art72" in codes:
        save(
            MonitoringPlan(
                organization=organization,
                system=system,
                description="The checks run on every monthly batch; a failure is reviewed.",
                approved_by=approver,
                approved_on=today,
            ),
            m2m={"checks": checks},
        )
    duties = [code.removeprefix("art50_") for code in codes if code.startswith("art50_")]
    if "art26" in codes:
        duties.append(NoticeDuty.AFFECTED)
    for duty in duties:
        save(
            TransparencyNotice(
                organization=organization,
                system=system,
                duty=duty,
                text="An AI system is used here; ask us for a person at any time.",
                shown_where="the application form",
                since=today,
            )
        )
    if "art27" in codes:
        assessed(system, author=actor, signer=approver)
    if "art86" in codes:
        save(
            RecourseChannel(
                organization=organization,
                system=system,
                how_to_ask="Write to us.",
                contact="decisions@example.test",
                published_where="Decision letters",
            )
        )
    found = obligations_of(system)
    unmet = [f"{o.spec.article} ({o.state}): {o.status.detail}" for o in found if not o.met]
    assert not unmet, "Obligations still unmet: " + "; ".join(unmet)
    return found
