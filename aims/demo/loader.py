"""A demo organization, Northwind Credit, built through the services like a real one.

:func:`load_demo` creates a fictional consumer lender with its people, three AI systems taken
through their life cycle, a risk register, a Statement of Applicability about half decided and
some evidence. Everything goes through the same services as the web pages, so the audit trail
reads as it would in real use. Loading twice does nothing the second time.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from aims.catalog.models import Clause, Control, RiskSource
from aims.checks.models import Check, SourceType
from aims.checks.models import Kind as CheckKind
from aims.checks.samples import FAIR as FAIR_SAMPLE
from aims.checks.services import run_check, save_check, store_data_file
from aims.evidence.models import Evidence, Kind
from aims.evidence.services import create_evidence
from aims.inventory.models import AISystem, Stage
from aims.inventory.services import move_to_stage, save_system
from aims.organizations.models import Organization
from aims.organizations.services import add_member, create_organization
from aims.risk.models import Risk, Status
from aims.risk.services import accept_risk, save_risk
from aims.soa.models import Applicability, SoAEntry
from aims.soa.services import update_entry

from . import DEMO_PASSWORD, DEMO_USERNAME
from . import audits as demo_audits
from . import changes as demo_changes
from . import communication as demo_communication
from . import competence as demo_competence
from . import context as demo_context
from . import datasets as demo_datasets
from . import documents as demo_documents
from . import euaiact as demo_euaiact
from . import frameworks as demo_frameworks
from . import impact as demo_impact
from . import improvement as demo_improvement
from . import incidents as demo_incidents
from . import leadership as demo_leadership
from . import nonconformities as demo_nonconformities
from . import objectives as demo_objectives
from . import readiness as demo_readiness
from . import reviews as demo_reviews
from . import suppliers as demo_suppliers
from . import techdocs as demo_techdocs
from .data import (
    COLLEAGUES,
    DEMO_SLUG,
    MODEL_CARD,
    OLD_TEST_REPORT,
    RISKS,
    SCOPE,
    SOA_DECISIONS,
    SYSTEMS,
    VALIDATION_CSV,
)

# Check and act: audits raise nonconformities and improvements; the first gap assessment (six
# months ago) comes before the management review held since, whose frozen inputs show it; this
# month's readiness assessment comes last and reads everything.
CHECK_AND_ACT = (
    demo_nonconformities,
    demo_improvement,
    demo_audits,
    demo_readiness.load_first,
    demo_reviews,
    demo_readiness,
)

# The areas of the AI-system records, whose ``before_stage`` runs before each stage move.
SYSTEM_RECORDS = (
    demo_datasets,
    demo_suppliers,
    demo_impact,
    demo_techdocs,
    demo_incidents,
    demo_changes,
)


def _file(name: str, text: str, content_type: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type=content_type)


def _users(password: str, username: str):
    User = get_user_model()
    people = {}
    owner = User.objects.filter(username=username).first()
    if owner is None:
        owner = User.objects.create_user(
            username=username,
            email=f"{username}@northwind-credit.example",
            password=password,
            first_name="Morgan",
            last_name="Ellis",
        )
    people["demo"] = owner
    for name, first, last, _role, _top in COLLEAGUES:
        user = User.objects.filter(username=name).first()
        if user is None:
            user = User.objects.create_user(
                username=name,
                email=f"{name}@northwind-credit.example",
                password=password,
                first_name=first,
                last_name=last,
            )
        people[name] = user
    return people


# The fairness checks run on the validation log before deployment: each sensitive feature
# the model card says is tested, linked to the risk about it (by the words of its title).
FAIRNESS_CHECKS = [
    ("Approval parity by sex", "sex", "sex=Male", "women and men"),
    ("Approval parity by age band", "age_band", "age_band=26-40", "younger applicants"),
]


@transaction.atomic
def _validate_fairness(system, *, actor) -> None:
    """Before deployment: the fairness checks on the validation log, run and passed."""
    with FAIR_SAMPLE.open("rb") as fh:
        blob, name = store_data_file(
            SimpleUploadedFile(FAIR_SAMPLE.name, fh.read(), content_type="application/octet-stream")
        )
    for check_name, feature, reference, risk_words in FAIRNESS_CHECKS:
        check = save_check(
            Check(
                organization=system.organization,
                system=system,
                name=check_name,
                kind=CheckKind.FAIRNESS,
                source_type=SourceType.UPLOAD,
                data_blob=blob,
                data_name=name,
                options={
                    "label": "repaid",
                    "prediction": "approved",
                    "sensitive": [feature],
                    "reference_group": reference,
                    "min_group_size": 30,
                },
                thresholds=[
                    {"metric": "demographic_parity_difference", "op": "max", "limit": 0.1},
                    {"metric": "disparate_impact_ratio", "op": "min", "limit": 0.8},
                ],
            ),
            actor=actor,
            controls=list(Control.objects.filter(ref__in=["A.5.4", "A.6.2.4", "A.7.4"])),
            risks=list(system.risks.filter(category="fairness", title__contains=risk_words)),
        )
        run_check(check, actor=actor)


def load_demo(*, username: str = DEMO_USERNAME, password: str = DEMO_PASSWORD):
    """Create the Northwind Credit demo organization; return ``(org, owner, created)``.

    Does nothing when an organization with the slug ``northwind-credit`` already exists.
    """
    User = get_user_model()
    existing = Organization.objects.filter(slug=DEMO_SLUG).first()
    if existing is not None:
        return existing, User.objects.filter(username=username).first(), False

    today = timezone.localdate()
    people = _users(password, username)
    owner = people["demo"]
    org = create_organization(name="Northwind Credit", owner=owner, slug=DEMO_SLUG, scope=SCOPE)
    for name, _first, _last, role, top in COLLEAGUES:
        add_member(org, actor=owner, user=people[name], role=role, is_top_management=top)
    manager, cfo = people["priya.shah"], people["daniel.okafor"]

    systems = {}
    for spec in SYSTEMS:
        fields = {
            k: v for k, v in spec.items() if k not in ("key", "owner", "stages", "went_live_as")
        }
        fields["risk_tier"] = spec.get("went_live_as", spec["risk_tier"])
        system = save_system(
            AISystem(organization=org, owner=people[spec["owner"]], **fields), actor=manager
        )
        systems[spec["key"]] = system

    controls = {c.ref: c for c in Control.objects.all()}
    sources = {s.ref: s for s in RiskSource.objects.all()}
    risks = []
    acceptances = []
    for (
        key,
        title,
        category,
        source,
        control_refs,
        risk_owner,
        lik,
        imp,
        treatment,
        residual,
        status,
        accept,
        review_days,
        description,
    ) in RISKS:
        risk = Risk(
            organization=org,
            title=title,
            description=description,
            category=category,
            source=sources.get(source),
            owner=people[risk_owner],
            inherent_likelihood=lik,
            inherent_impact=imp,
            treatment=treatment,
            treatment_plan="; ".join(
                f"{ref} {controls[ref].title}" for ref in control_refs if ref in controls
            ),
            treatment_due=today + dt.timedelta(days=90) if status != Status.CLOSED else None,
            residual_likelihood=residual[0] if residual else None,
            residual_impact=residual[1] if residual else None,
            next_review=today + dt.timedelta(days=review_days) if review_days is not None else None,
            status=status,
        )
        risk = save_risk(
            risk,
            actor=manager,
            systems=[systems[key]] if key else [],
            controls=[controls[ref] for ref in control_refs if ref in controls],
        )
        risks.append(risk)
        if accept:
            acceptances.append(risk)

    for risk in acceptances:
        accept_risk(
            risk,
            actor=cfo,
            rationale="Residual risk is above appetite but the treatment plan is funded and on "
            "track; retained until the next review, with monthly monitoring reported to the "
            "credit risk committee.",
            expires_on=today + dt.timedelta(days=180),
        )

    for spec in SYSTEMS:
        system = systems[spec["key"]]
        for stage, reason in spec["stages"]:
            if stage == Stage.DEPLOYMENT and system.affects_individuals:
                _validate_fairness(system, actor=people[spec["owner"]])
            for area in SYSTEM_RECORDS:
                # What an area records before a system enters a stage (an impact assessment
                # signed before deployment, say): an area module's optional ``before_stage``.
                before = getattr(area, "before_stage", None)
                if before is not None:
                    before(system, stage, people=people, risks=risks, today=today)
            system.refresh_from_db()
            move_to_stage(system, to_stage=stage, actor=manager, reason=reason)
        if "went_live_as" in spec:
            system.refresh_from_db()
            system.risk_tier = spec["risk_tier"]
            save_system(system, actor=manager)

    entries = {
        e.control.ref: e
        for e in SoAEntry.objects.filter(organization=org).select_related("control")
    }
    risk_by_control: dict[str, list] = {}
    for risk in risks:
        for control in risk.controls.all():
            risk_by_control.setdefault(control.ref, []).append(risk)
    for ref, (applicability, impl, entry_owner, justification) in SOA_DECISIONS.items():
        entry = entries[ref]
        entry.applicability = applicability
        entry.status = impl if applicability == Applicability.APPLICABLE else entry.status
        entry.owner = people[entry_owner]
        entry.justification = justification
        update_entry(entry, actor=manager, risks=risk_by_control.get(ref, []))

    credit = systems["credit"]
    chat = systems["chat"]
    create_evidence(
        Evidence(
            organization=org,
            title="Model card: credit-pd v4.2",
            description="Model card of the credit scoring model in operation.",
            effective_from=today - dt.timedelta(days=40),
        ),
        actor=people["tom.becker"],
        files=[_file("model-card-credit-pd-v4.2.md", MODEL_CARD, "text/markdown")],
        links={"soa_entries": [entries["A.8.2"]], "systems": [credit], "risks": [risks[0]]},
    )
    create_evidence(
        Evidence(
            organization=org,
            title="Independent validation summary: credit-pd v4.2",
            description="Results of the external validation, by check and segment.",
            effective_from=today - dt.timedelta(days=50),
            valid_until=today + dt.timedelta(days=315),
        ),
        actor=people["tom.becker"],
        files=[_file("validation-summary-credit-pd-v4.2.csv", VALIDATION_CSV, "text/csv")],
        links={
            "soa_entries": [entries["A.6.2.4"]],
            "systems": [credit],
            "risks": [risks[0], risks[1]],
        },
    )
    create_evidence(
        Evidence(
            organization=org,
            kind=Kind.LINK,
            title="AI roles and responsibilities (intranet RACI)",
            url="https://intranet.northwind-credit.example/aims/raci",
            effective_from=today - dt.timedelta(days=120),
        ),
        actor=manager,
        links={
            "soa_entries": [entries["A.3.2"]],
            "clauses": list(Clause.objects.filter(ref="5.3")),
        },
    )
    create_evidence(
        Evidence(
            organization=org,
            title="Chatbot red-team test report 2023",
            description="Superseded by the provider change; a new test is due.",
            effective_from=today - dt.timedelta(days=500),
            valid_until=today - dt.timedelta(days=30),
        ),
        actor=people["tom.becker"],
        files=[_file("red-team-report-2023.md", OLD_TEST_REPORT, "text/markdown")],
        links={"systems": [chat], "risks": [risks[8]]},
    )

    # Plan and support, then the AI-system records: each area's records, in the order they
    # build on one another (the documents' templates name the approved scope and the roles; the
    # KPIs follow the checks, the training and the policy's acknowledgements; suppliers supply
    # data sets; technical documentation names the data sets). The EU AI Act classifications
    # come once the systems are past their stage moves and their records exist (its monitoring
    # plan follows their checks and KPIs), and before the management reviews, whose inputs
    # read its regulatory watch.
    for area in (
        demo_context,
        demo_leadership,
        demo_documents,
        demo_competence,
        demo_communication,
        demo_objectives,
        *SYSTEM_RECORDS,
        demo_euaiact,
        *CHECK_AND_ACT,
        demo_frameworks,
    ):
        load = area if callable(area) else area.load
        load(org, people=people, systems=systems, risks=risks, today=today)
    return org, owner, True
