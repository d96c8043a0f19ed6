"""How each obligation of the EU AI Act is judged for one AI system: met, partly met or open,
with a sentence saying why and links to the records that meet it.

Each function reads the records where they live in the AIMS (the risk register, data sets and
their checks, the technical documentation, impact assessments, incidents, nonconformities) or
in this area, and answers a :class:`Status`. Which obligations apply is
:mod:`aims.euaiact.obligations`'s concern.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from django.urls import reverse

from aims.audits.models import Audit, AuditStatus
from aims.checks.models import Check, RunStatus
from aims.checks.models import Kind as CheckKind
from aims.datasets.models import DataSet
from aims.documents.models import Document
from aims.documents.models import Kind as DocumentKind
from aims.documents.models import Status as DocumentStatus
from aims.impact.models import ImpactAssessment
from aims.impact.models import Status as ImpactStatus
from aims.incidents.models import Incident
from aims.inventory.models import AISystem
from aims.nonconformities.models import Nonconformity
from aims.reviews.models import HELD_STATUSES, ManagementReview
from aims.risk.models import Risk, RiskAssessmentSignOff
from aims.techdocs.models import Kind as TechdocKind
from aims.techdocs.models import TechnicalDocument
from aims.techdocs.services import current_documentation, latest_approved

from .models import (
    MIN_DEPLOYER_RETENTION_DAYS,
    Classification,
    ConformityAssessment,
    Declaration,
    LogRetention,
    MonitoringPlan,
    NoticeDuty,
    OversightMeasure,
    RecourseChannel,
    RecourseRequest,
    Registration,
    TransparencyNotice,
)


class State(StrEnum):
    MET = "met"
    PARTLY = "partly"
    OPEN = "open"

    @property
    def label(self) -> str:
        return {"met": "Met", "partly": "Partly met", "open": "Open"}[self.value]


@dataclass(frozen=True)
class Link:
    label: str
    url: str


@dataclass(frozen=True)
class Status:
    state: State
    detail: str
    links: tuple[Link, ...] = ()


def _url(name: str, system: AISystem, query: str = "", **kwargs) -> str:
    url = reverse(name, kwargs={"org": system.organization.slug, **kwargs})
    return f"{url}?{query}" if query else url


def _act_page(system: AISystem, anchor: str) -> str:
    return _url("act_system", system, system_id=system.pk) + f"#{anchor}"


def _plural(count: int, one: str, many: str | None = None) -> str:
    return f"{count} {one if count == 1 else (many or one + 's')}"


def risk_management(system: AISystem, today: dt.date) -> Status:

    link = (Link("Risk register", _url("risk_list", system, f"system={system.slug}")),)
    risks = Risk.objects.filter(systems=system)
    total = risks.count()
    signoff = RiskAssessmentSignOff.objects.current_for(system)
    if not total and signoff is None:
        return Status(State.OPEN, "No risk of this system is in the risk register.", link)
    assessed = Risk.objects.assessed_for(system).count()
    waiting = Risk.objects.blocking_deployment(system).count() if total else 0
    if total and assessed < total:
        return Status(
            State.PARTLY,
            f"{_plural(total - assessed, 'risk')} of {total} not assessed yet.",
            link,
        )
    if waiting:
        return Status(
            State.PARTLY,
            f"{_plural(waiting, 'risk')} above the appetite without a treatment decision.",
            link,
        )
    if total:
        return Status(State.MET, f"{_plural(total, 'risk')} assessed and treated.", link)
    return Status(State.MET, "A current sign-off finds no significant risk.", link)


def data_governance(system: AISystem, today: dt.date) -> Status:

    datasets = DataSet.objects.filter(systems=system).distinct().count()
    links = (Link("Data sets", _url("dataset_list", system, f"system={system.slug}")),)
    if not datasets:
        return Status(State.OPEN, "No data set is recorded as used by this system.", links)
    quality = Check.objects.filter(system=system, kind=CheckKind.QUALITY, is_active=True)
    passing = [c for c in quality.prefetch_related("runs") if _last_passed(c, RunStatus.PASSED)]
    if not passing:
        return Status(
            State.PARTLY,
            f"{_plural(datasets, 'data set')} recorded, but no data-quality check has passed "
            "its latest run.",
            links,
        )
    return Status(
        State.MET,
        f"{_plural(datasets, 'data set')} recorded; {_plural(len(passing), 'data-quality check')} "
        "passed its latest run.",
        links,
    )


def _last_passed(check, passed: str) -> bool:
    runs = sorted(check.runs.all(), key=lambda run: (run.started_at, run.pk), reverse=True)
    return bool(runs) and runs[0].status == passed


def _techdoc_url(system: AISystem) -> str:
    return _url("techdoc_list", system, f"system={system.slug}")


def technical_documentation(system: AISystem, today: dt.date) -> Status:

    links = (Link("Technical documentation", _techdoc_url(system)),)
    document = current_documentation(system)
    if document is not None:
        missing = document.missing_sections()
        if missing:
            return Status(
                State.PARTLY,
                f"Version {document.number} is approved but leaves empty: {', '.join(missing)}.",
                links,
            )
        return Status(
            State.MET, f"Version {document.number} approved, every section written.", links
        )
    if TechnicalDocument.objects.filter(system=system, kind=TechdocKind.TECHNICAL).exists():
        return Status(
            State.PARTLY, "Written, but none approved for the system's present version.", links
        )
    return Status(State.OPEN, "No technical documentation is written.", links)


def record_keeping(system: AISystem, today: dt.date) -> Status:

    document = current_documentation(system)
    described = document is not None and bool(document.logging.strip())
    kept = LogRetention.objects.filter(system=system).exists()
    links = (Link("Log retention", _act_page(system, "logs")),)
    if described and kept:
        return Status(
            State.MET, "Logging described in the documentation; retention recorded.", links
        )
    if described or kept:
        missing = (
            "where the logs are kept and for how long"
            if described
            else ("what is logged, in the approved technical documentation")
        )
        return Status(State.PARTLY, f"Still to record: {missing}.", links)
    return Status(State.OPEN, "Neither what is logged nor how long it is kept is recorded.", links)


def instructions(system: AISystem, today: dt.date) -> Status:

    links = (Link("Technical documentation", _techdoc_url(system)),)
    if latest_approved(system, TechdocKind.USER_INFO) is not None:
        return Status(State.MET, "Information for users is approved.", links)
    if TechnicalDocument.objects.filter(system=system, kind=TechdocKind.USER_INFO).exists():
        return Status(State.PARTLY, "Information for users is written but not approved.", links)
    return Status(State.OPEN, "No instructions for use are written for deployers.", links)


def oversight(system: AISystem, today: dt.date) -> Status:
    links = (Link("Oversight measures", _act_page(system, "oversight")),)
    measures = OversightMeasure.objects.filter(system=system).count()
    if measures:
        return Status(State.MET, f"{_plural(measures, 'oversight measure')} recorded.", links)
    if system.human_oversight.strip():
        return Status(
            State.PARTLY,
            "Oversight is described on the system, but no one is named with their authority, "
            "training and means to override it.",
            links,
        )
    return Status(State.OPEN, "No human oversight is recorded.", links)


def accuracy(system: AISystem, today: dt.date) -> Status:

    links = (Link("Checks", _url("check_list", system, f"system={system.slug}")),)
    checks = list(Check.objects.filter(system=system, is_active=True).prefetch_related("runs"))
    if not checks:
        return Status(State.OPEN, "No check measures the system's accuracy or robustness.", links)
    failing = [c for c in checks if not _last_passed(c, RunStatus.PASSED)]
    if failing:
        names = ", ".join(c.name for c in failing[:3])
        return Status(
            State.PARTLY,
            f"{_plural(len(failing), 'check')} of {len(checks)} did not pass their latest run "
            f"(or never ran): {names}.",
            links,
        )
    return Status(State.MET, f"{_plural(len(checks), 'check')} passed their latest run.", links)


def provider_identified(system: AISystem, today: dt.date) -> Status:
    links = (Link("Declaration of conformity", _act_page(system, "declaration")),)
    if Declaration.objects.filter(system=system).exclude(provider="").exists():
        return Status(State.MET, "The provider's name and address are on the declaration.", links)
    return Status(
        State.OPEN,
        "The provider's name and address are not recorded (they go on the system and its "
        "declaration).",
        links,
    )


def quality_management(system: AISystem, today: dt.date) -> Status:

    org = system.organization
    year_ago = today - dt.timedelta(days=366)
    parts = {
        "an approved AI policy": Document.objects.filter(
            organization=org, kind=DocumentKind.POLICY, status=DocumentStatus.APPROVED
        ).exists(),
        "an internal audit completed in the last year": Audit.objects.filter(
            organization=org, status=AuditStatus.COMPLETED, completed_on__gte=year_ago
        ).exists(),
        "a management review held in the last year": ManagementReview.objects.filter(
            organization=org, status__in=HELD_STATUSES, held_on__gte=year_ago
        ).exists(),
    }
    links = (Link("Readiness", _url("readiness_list", system)),)
    missing = [name for name, present in parts.items() if not present]
    if not missing:
        return Status(
            State.MET, "The AIMS is the quality management system: policy, audit and review.", links
        )
    state = State.OPEN if len(missing) == len(parts) else State.PARTLY
    return Status(state, f"The AIMS still lacks {', '.join(missing)}.", links)


def logs_kept(minimum: int, article: str):
    def assess(system: AISystem, today: dt.date) -> Status:
        links = (Link("Log retention", _act_page(system, "logs")),)
        longest = (
            LogRetention.objects.filter(system=system)
            .order_by("-retention_days")
            .values_list("retention_days", flat=True)
            .first()
        )
        if longest is None:
            return Status(
                State.OPEN, "Where the logs are kept, and how long, is not recorded.", links
            )
        if longest < minimum:
            return Status(
                State.PARTLY,
                f"Logs are kept {longest} days: {article} asks for at least {minimum}.",
                links,
            )
        return Status(State.MET, f"Logs are kept {longest} days.", links)

    return assess


def corrective_actions(system: AISystem, today: dt.date) -> Status:

    links = (Link("Nonconformities", _url("nonconformity_list", system, f"system={system.slug}")),)
    found = Nonconformity.objects.filter(system=system)
    overdue = found.with_overdue(today).count()
    if overdue:
        return Status(
            State.PARTLY,
            f"{_plural(overdue, 'nonconformity', 'nonconformities')} of this system "
            "with corrective actions overdue.",
            links,
        )
    open_count = found.open().count()
    return Status(
        State.MET,
        f"No corrective action overdue ({_plural(open_count, 'open nonconformity', 'open nonconformities')}).",
        links,
    )


def conformity(system: AISystem, today: dt.date) -> Status:
    links = (Link("Conformity assessment", _act_page(system, "conformity")),)
    found = list(ConformityAssessment.objects.filter(system=system))
    if any(a.is_current(today) for a in found):
        return Status(
            State.MET, "A conformity assessment passed and its certificate is valid.", links
        )
    if found:
        latest = found[0]
        return Status(
            State.PARTLY,
            f"The latest conformity assessment is {latest.get_outcome_display().lower()}"
            + (" (its certificate has expired)" if latest.outcome == "passed" else "")
            + ".",
            links,
        )
    return Status(State.OPEN, "No conformity assessment is recorded.", links)


def declaration(system: AISystem, today: dt.date) -> Status:
    links = (Link("Declaration of conformity", _act_page(system, "declaration")),)
    found = Declaration.objects.filter(system=system).first()
    if found is None:
        return Status(State.OPEN, "No EU declaration of conformity is recorded.", links)
    return Status(
        State.MET, f"Signed on {found.signed_on.isoformat()} by {found.signatory}.", links
    )


def ce_marking(system: AISystem, today: dt.date) -> Status:
    links = (Link("Declaration of conformity", _act_page(system, "declaration")),)
    found = Declaration.objects.filter(system=system).first()
    if found is None:
        return Status(State.OPEN, "No declaration of conformity, so no CE marking.", links)
    if found.ce_marked_on is None:
        return Status(
            State.PARTLY, "The declaration is signed; the CE marking is not recorded.", links
        )
    return Status(State.MET, f"CE marking affixed on {found.ce_marked_on.isoformat()}.", links)


def registration(basis: str):
    def assess(system: AISystem, today: dt.date) -> Status:
        links = (Link("EU database registration", _act_page(system, "registration")),)
        found = Registration.objects.filter(system=system, basis=basis).first()
        if found is None:
            return Status(State.OPEN, "Not registered in the EU database.", links)
        return Status(
            State.MET,
            f"Registered as {found.database_id} on {found.registered_on.isoformat()}.",
            links,
        )

    return assess


def post_market(system: AISystem, today: dt.date) -> Status:
    links = (Link("Post-market monitoring plan", _act_page(system, "monitoring")),)
    plan = MonitoringPlan.objects.filter(system=system).first()
    if plan is None:
        return Status(State.OPEN, "No post-market monitoring plan.", links)
    metrics = plan.checks.count() + plan.kpis.count()
    missing = []
    if not metrics:
        missing.append("it follows no check or KPI")
    if plan.approved_on is None:
        missing.append("it is not approved")
    if missing:
        return Status(State.PARTLY, f"A plan is written, but {' and '.join(missing)}.", links)
    return Status(
        State.MET,
        f"Plan approved on {plan.approved_on.isoformat()}, following {_plural(metrics, 'metric')}.",
        links,
    )


def serious_incidents(system: AISystem, today: dt.date) -> Status:

    links = (Link("Incidents", _url("incident_list", system, f"system={system.slug}")),)
    serious = Incident.objects.filter(system=system, is_serious=True)
    overdue = serious.report_overdue().count()
    if overdue:
        return Status(
            State.OPEN,
            f"{_plural(overdue, 'serious incident')} not reported to the authority in time.",
            links,
        )
    total = serious.count()
    return Status(
        State.MET,
        f"No serious incident report overdue ({_plural(total, 'serious incident')} recorded).",
        links,
    )


def deployer_duties(system: AISystem, today: dt.date) -> Status:
    done = {
        "human oversight assigned": OversightMeasure.objects.filter(system=system).exists(),
        f"logs kept at least {MIN_DEPLOYER_RETENTION_DAYS} days": LogRetention.objects.filter(
            system=system, retention_days__gte=MIN_DEPLOYER_RETENTION_DAYS
        ).exists(),
        "affected persons informed": any(
            n.is_current(today)
            for n in TransparencyNotice.objects.filter(system=system, duty=NoticeDuty.AFFECTED)
        ),
    }
    links = (Link("The system's EU AI Act records", _act_page(system, "records")),)
    missing = [name for name, present in done.items() if not present]
    if not missing:
        return Status(State.MET, "Oversight assigned, logs kept, affected persons informed.", links)
    state = State.OPEN if len(missing) == len(done) else State.PARTLY
    return Status(state, f"Still to record: {', '.join(missing)}.", links)


def fundamental_rights(system: AISystem, today: dt.date) -> Status:

    links = (Link("Impact assessments", _url("impact_list", system, f"system={system.slug}")),)
    signed = ImpactAssessment.objects.filter(system=system, status=ImpactStatus.SIGNED_OFF).first()
    if signed is not None:
        signed.system = system
        if signed.is_stale or signed.is_overdue(today):
            return Status(
                State.PARTLY,
                f"“{signed.title}” is signed off but no longer current: reassess it.",
                links,
            )
        return Status(State.MET, f"“{signed.title}” signed off and current.", links)
    if ImpactAssessment.objects.filter(system=system).exists():
        return Status(State.PARTLY, "An impact assessment is written, not signed off.", links)
    return Status(State.OPEN, "No impact assessment of this system.", links)


def explanation(system: AISystem, today: dt.date) -> Status:
    links = (
        Link("Explanation and recourse", _act_page(system, "recourse")),
        Link("Requests", _url("act_request_list", system, f"system={system.slug}")),
    )
    channel = RecourseChannel.objects.filter(system=system).exists()
    overdue = RecourseRequest.objects.filter(system=system).overdue(today).count()
    if not channel:
        return Status(
            State.OPEN, "How an affected person asks for an explanation is not recorded.", links
        )
    if overdue:
        return Status(
            State.PARTLY, f"{_plural(overdue, 'request')} not answered by the due date.", links
        )
    return Status(State.MET, "A way to ask is published; no request is overdue.", links)


def notice(duty: str):
    def assess(system: AISystem, today: dt.date) -> Status:
        links = (Link("Transparency notices", _act_page(system, "notice")),)
        notices = TransparencyNotice.objects.filter(system=system, duty=duty)
        current = [n for n in notices if n.is_current(today)]
        if current:
            return Status(
                State.MET,
                f"Shown since {current[0].since.isoformat()}: {current[0].shown_where}.",
                links,
            )
        if notices:
            return Status(State.PARTLY, "A notice was recorded but is not shown today.", links)
        return Status(State.OPEN, "No notice is recorded.", links)

    return assess


def exception_documented(system: AISystem, today: dt.date) -> Status:
    links = (Link("Classification", _act_page(system, "classification")),)
    signed = Classification.objects.signed().filter(system=system).first()
    if signed is not None and signed.claims_exception and not signed.is_stale(system):
        return Status(
            State.MET,
            f"Classification {signed.number} documents why it is not high-risk.",
            links,
        )
    return Status(State.OPEN, "The Art. 6(3) assessment is not signed and current.", links)


def gpai(system: AISystem, today: dt.date) -> Status:
    """The model's documentation (Art. 53(1)(a)) and the information for downstream providers
    (53(1)(b)) are the technical documentation and the information for users; the copyright
    policy and the training-content summary are documents the detail reminds of."""
    documentation = technical_documentation(system, today)
    information = instructions(system, today)
    links = documentation.links
    reminder = (
        " Keep the copyright policy and the public training-content summary as documents too."
    )
    if documentation.state == State.MET and information.state == State.MET:
        return Status(
            State.MET,
            "The model's documentation and the information for downstream providers are "
            "approved." + reminder,
            links,
        )
    if State.OPEN == documentation.state == information.state:
        return Status(
            State.OPEN,
            "Neither the model's documentation nor the information "
            "for downstream providers is written.",
            links,
        )
    missing = documentation if documentation.state != State.MET else information
    return Status(State.PARTLY, missing.detail + reminder, links)


def prohibited(system: AISystem, today: dt.date) -> Status:
    return Status(
        State.OPEN,
        "A prohibited practice: stop developing, offering and using it in the EU.",
        (Link("Classification", _act_page(system, "classification")),),
    )
