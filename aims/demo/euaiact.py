"""Demo content of the EU AI Act area: Northwind Credit's three systems under the Act.

* The credit scoring model: built in-house and used by its own underwriting (provider and
  deployer), Annex III point 5(b), so high-risk, with a fundamental rights impact assessment
  due. Classified after it went live (the first management review decided it), with most of
  its records since: oversight, logs kept a year, the notice in the decline letter, a
  post-market monitoring plan following its checks and a KPI, a conformity assessment under
  internal control, the declaration with the CE marking, and the EU database registration.
  Its recourse channel has three requests: one answered, one open and due within the week, one
  overdue (so Art. 86 is only partly met).
* The CV screening model: provider and deployer, Annex III point 4(a), high-risk, in validation
  with only its oversight, its logs (200 days) and a recourse channel recorded: its deployment
  gate waits for the rest.
* The customer service assistant: deployer of a supplier's language model, limited risk with
  the Art. 50(1) duty, met by the notice in the chat window.

Three changes on the regulatory watch (two recorded before the first management review, whose
frozen inputs show them; a draft standard since, still being assessed and applying within the
month), and the turnover the fine exposure is computed from.

Each classification is prepared by one person and signed by another with decision authority,
once the systems and the records of the other areas exist; the systems are past their stage
moves by then, so no gate is asked again.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from aims.checks.models import Check
from aims.euaiact import services
from aims.euaiact.models import (
    ActProfile,
    AssessmentOutcome,
    ChangeSource,
    ChangeStatus,
    Classification,
    ConformityAssessment,
    Declaration,
    LogRetention,
    MonitoringPlan,
    NoticeDuty,
    OversightMeasure,
    Procedure,
    RecourseChannel,
    RecourseRequest,
    Registration,
    RegistrationBasis,
    RegulatoryChange,
    RequestKind,
    RequestStatus,
    TransparencyNotice,
)
from aims.objectives.models import KPI

TURNOVER = Decimal(420_000_000)  # EUR, the preceding financial year: not an SME

# system key -> (answers, who prepares it, who signs it, the note for the signer)
CLASSIFICATIONS = {
    "credit": (
        {
            "roles": ["provider", "deployer"],
            "annex_iii": ["5b"],
            "profiling": True,
        },
        "priya.shah",
        "demo",
        "Reclassified as decided by the first management review: the model scores the "
        "creditworthiness of consumers, which Annex III names; it profiles applicants, so no "
        "Art. 6(3) exception can apply.",
    ),
    "cv": (
        {
            "roles": ["provider", "deployer"],
            "annex_iii": ["4a"],
            "profiling": True,
        },
        "tom.becker",
        "priya.shah",
        "Ordering applications is screening them under Annex III point 4(a), even though a "
        "recruiter reads every one; the ranking evaluates candidates from their CVs.",
    ),
    "chat": (
        {"roles": ["deployer"], "transparency": ["interaction"]},
        "priya.shah",
        "priya.shah",
        "We deploy the supplier's language model; customers chat with the assistant directly.",
    ),
}


def _application(today: dt.date, days_ago: int, number: str) -> str:
    """The lending system's number of an application received ``days_ago``."""
    return f"Application A-{(today - dt.timedelta(days=days_ago)).year}-{number}"


def _aware(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour=hour)))


def _classify(org, systems, people) -> None:
    for key, (answers, preparer, signer, note) in CLASSIFICATIONS.items():
        draft = services.save_draft(systems[key], answers, actor=people[preparer], note=note)
        services.sign(draft, actor=people[signer])


def _watch(org, *, people, systems, today) -> None:
    manager, scientist = people["priya.shah"], people["tom.becker"]
    credit, cv, chat = systems["credit"], systems["cv"], systems["chat"]
    services.save_change(
        RegulatoryChange(
            organization=org,
            title="Commission guidelines on classifying high-risk AI systems",
            source=ChangeSource.GUIDANCE,
            reference="Commission guidelines on Art. 6 of the AI Act",
            published_on=today - dt.timedelta(days=235),
            effective_on=today - dt.timedelta(days=235),
            summary="Worked examples of systems that are and are not high-risk under Annex III, "
            "how to read the Art. 6(3) exceptions, and why a system that profiles people "
            "never qualifies for them.",
            effect="Credit scoring of consumers is Annex III point 5(b) with no exception: the "
            "credit scoring model was reclassified high-risk (decided at the first management "
            "review) and its high-risk records are being put in place. Ranking CVs is "
            "screening under point 4(a): the CV screening model is high-risk too, and its "
            "deployment waits for its obligations.",
            articles="Art. 6, Annex III",
            status=ChangeStatus.ACTING,
            owner=manager,
            recorded_at=_aware(today - dt.timedelta(days=228)),
        ),
        actor=manager,
        systems=[credit, cv],
    )
    services.save_change(
        RegulatoryChange(
            organization=org,
            title="General-purpose AI code of practice",
            source=ChangeSource.GUIDANCE,
            reference="Code of practice for general-purpose AI models (AI Office)",
            published_on=today - dt.timedelta(days=420),
            effective_on=today - dt.timedelta(days=400),
            summary="How providers of general-purpose AI models can show they meet Art. 53 and "
            "55: documentation for downstream providers, a copyright policy, and, for models "
            "with systemic risk, safety and security measures.",
            effect="It binds the provider of the language model behind the customer service "
            "assistant, not us: we deploy the assistant. The supplier confirmed it signed the "
            "code and shares its downstream documentation, reviewed at its next assessment.",
            articles="Art. 53, Art. 55, Art. 56",
            status=ChangeStatus.NO_EFFECT,
            owner=scientist,
            recorded_at=_aware(today - dt.timedelta(days=395)),
        ),
        actor=manager,
        systems=[chat],
    )
    services.save_change(
        RegulatoryChange(
            organization=org,
            title="Harmonised standard on quality management systems for the AI Act (draft)",
            source=ChangeSource.STANDARD,
            reference="CEN-CENELEC JTC 21 draft, expected in the Official Journal",
            published_on=today - dt.timedelta(days=40),
            effective_on=today + dt.timedelta(days=21),
            summary="The European standard for a provider's quality management system under "
            "Art. 17. Once cited in the Official Journal, following it gives a presumption of "
            "conformity with that article.",
            effect="Not known yet: we compare the AIMS procedures with the draft's "
            "requirements and decide whether to follow it for the two high-risk systems we "
            "provide.",
            articles="Art. 17, Art. 40",
            status=ChangeStatus.ASSESSING,
            owner=people["demo"],
            recorded_at=_aware(today - dt.timedelta(days=35)),
        ),
        actor=manager,
        systems=[credit, cv],
    )


def _credit_records(org, *, people, credit, today) -> None:
    manager, owner = people["priya.shah"], people["demo"]

    def save(record, **kwargs):
        return services.save_record(record, actor=manager, **kwargs)

    save(
        OversightMeasure(
            organization=org,
            system=credit,
            person=manager,
            role="Underwriter on duty",
            authority="May overrule any score or band, refer an application for a full manual "
            "review, and ask the credit risk committee to switch the engine to manual referral.",
            training="Credit underwriting accreditation; the course on automation bias and on "
            "reading the adverse-action reasons, refreshed yearly.",
            override="Decision engine console: set the application to manual referral and record "
            "the decision with its reasons; the committee's switch sends every application to "
            "an underwriter within an hour.",
        )
    )
    save(
        LogRetention(
            organization=org,
            system=credit,
            logs="Every score with its inputs, model version, reasons and the final decision",
            location="Decision log archive (write-once storage, EU region)",
            retention_days=365,
            note="Kept longer in the lending file where the credit agreement asks for it.",
        )
    )
    save(
        TransparencyNotice(
            organization=org,
            system=credit,
            duty=NoticeDuty.AFFECTED,
            text="We use an automated scoring system to help assess your application. An "
            "underwriter reviews every referral and you can ask us to explain or reconsider "
            "the decision.",
            shown_where="Application form and decision letter",
            since=today - dt.timedelta(days=120),
        )
    )
    checks = list(Check.objects.filter(system=credit, is_active=True).order_by("name"))
    kpis = list(KPI.objects.filter(organization=org, name__icontains="credit scoring"))
    save(
        MonitoringPlan(
            organization=org,
            system=credit,
            description="Every monthly scoring batch is tested by the fairness and data-quality "
            "checks; the approval parity KPI is reported to the credit risk committee. A check "
            "that fails, or the KPI out of tolerance, opens a nonconformity and a review of the "
            "cut-off; complaints and recourse requests are read for patterns each quarter.",
            review_every_months=12,
            approved_by=manager,
            approved_on=today - dt.timedelta(days=20),
        ),
        m2m={"checks": checks, "kpis": kpis},
    )
    assessed_on = today - dt.timedelta(days=30)
    save(
        ConformityAssessment(
            organization=org,
            system=credit,
            procedure=Procedure.INTERNAL,
            assessed_on=assessed_on,
            outcome=AssessmentOutcome.PASSED,
            system_version=credit.version,
            note="Internal control against the requirements of Art. 8 to 15, with the quality "
            "management system audited in the internal audit cycle.",
        )
    )
    save(
        Declaration(
            organization=org,
            system=credit,
            signed_on=today - dt.timedelta(days=25),
            signatory="Daniel Okafor, Chief Financial Officer",
            provider="Northwind Credit Ltd, head office, Leeds, United Kingdom",
            system_version=credit.version,
            reference="Compliance file CS-4.2, declaration of conformity",
            ce_marked_on=today - dt.timedelta(days=24),
        )
    )
    save(
        Registration(
            organization=org,
            system=credit,
            basis=RegistrationBasis.HIGH_RISK,
            database_id="EU-HR-0042-1187",
            registered_on=today - dt.timedelta(days=22),
        )
    )
    save(
        RecourseChannel(
            organization=org,
            system=credit,
            how_to_ask="Reply to the decision letter, call us, or use the form in the app: say "
            "whether you want the reasons explained or the decision looked at again. An "
            "underwriter who did not take the decision answers.",
            contact="decisions@northwind-credit.example, 0800 123 4567",
            published_where="Decision letters, the website's “Our decisions” page, the app",
            response_days=30,
        )
    )
    answered = services.receive_request(
        RecourseRequest(
            organization=org,
            system=credit,
            kind=RequestKind.EXPLANATION,
            received_on=today - dt.timedelta(days=52),
            requester=_application(today, 52, "118442"),
            summary="Asks why the loan was referred and then declined although the applicant "
            "has never missed a payment.",
        ),
        actor=manager,
    )
    answered.status = RequestStatus.ANSWERED
    answered.handled_by = manager
    answered.answered_on = today - dt.timedelta(days=40)
    answered.outcome = (
        "Explained the three main reasons for the score (short credit history, high use of "
        "existing credit limits, a recent address change) and what would change it; the "
        "underwriter's decline stands on affordability."
    )
    services.save_record(answered, actor=manager)
    services.receive_request(
        RecourseRequest(
            organization=org,
            system=credit,
            kind=RequestKind.CONTEST,
            received_on=today - dt.timedelta(days=25),
            requester=_application(today, 25, "131907"),
            summary="Contests the credit limit offered: the applicant's income was recorded "
            "wrongly.",
            handled_by=owner,
        ),
        actor=manager,
    )
    services.receive_request(
        RecourseRequest(
            organization=org,
            system=credit,
            kind=RequestKind.EXPLANATION,
            received_on=today - dt.timedelta(days=41),
            requester=_application(today, 41, "127310"),
            summary="Asks what role the automated score played in the decline, and which data "
            "it used.",
        ),
        actor=manager,
    )


def _cv_records(org, *, people, cv) -> None:
    scientist = people["tom.becker"]

    def save(record):
        return services.save_record(record, actor=scientist)

    save(
        OversightMeasure(
            organization=org,
            system=cv,
            role="Recruiter on duty",
            authority="Reads every application whatever its rank, may shortlist any applicant, "
            "and stops using the ranking for a role when it looks wrong.",
            training="Recruiter induction with the session on automation bias; the Head of "
            "Talent reviews shortlist diversity monthly.",
            override="Sort the applicant tracking system by date instead of rank; the Head of "
            "Talent can switch the ranking off for every role.",
        )
    )
    save(
        LogRetention(
            organization=org,
            system=cv,
            logs="Every ranking with the model version and the matched skills",
            location="Applicant tracking system audit log",
            retention_days=200,
        )
    )
    save(
        RecourseChannel(
            organization=org,
            system=cv,
            how_to_ask="Write to the recruitment team to ask how your application was assessed "
            "or to have it read again by another recruiter.",
            contact="careers@northwind-credit.example",
            published_where="Careers site, privacy notice for applicants",
            response_days=30,
        )
    )


def _chat_records(org, *, people, chat, today) -> None:
    manager = people["priya.shah"]
    services.save_record(
        TransparencyNotice(
            organization=org,
            system=chat,
            duty=NoticeDuty.INTERACTION,
            text="You're chatting with Northwind's virtual assistant, an AI system. It can make "
            "mistakes. Type “agent” at any time to talk to a person.",
            shown_where="the opening of every chat window",
            since=today - dt.timedelta(days=120),
        ),
        actor=manager,
    )


def load(org, *, people, systems, risks, today) -> None:
    if Classification.objects.filter(organization=org).exists():
        return
    systems = {key: system.__class__.objects.get(pk=system.pk) for key, system in systems.items()}
    _watch(org, people=people, systems=systems, today=today)
    services.save_profile(
        ActProfile(organization=org, annual_turnover=TURNOVER, is_sme=False),
        actor=people["demo"],
    )
    _classify(org, systems, people)
    _credit_records(org, people=people, credit=systems["credit"], today=today)
    _cv_records(org, people=people, cv=systems["cv"])
    _chat_records(org, people=people, chat=systems["chat"], today=today)
