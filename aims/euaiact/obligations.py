"""What the EU AI Act obliges the organization to do for one AI system, and how far it is done.

The list is computed, never stored: from the system's classification (its tier, the roles the
organization holds, the Art. 50 duties, whether a deployer owes a fundamental rights impact
assessment) comes which obligations apply (:func:`applicable`); each is then judged from the
records that meet it, wherever they live in the AIMS: the risk register for Art. 9, data sets and
their quality checks for Art. 10, the technical documentation for Art. 11 and 13, the checks'
runs for Art. 15, the impact assessments for Art. 27, the incidents for Art. 73, this area's own
records for the rest (:func:`obligations_of`).

Each obligation is met, partly met or open, with a sentence saying why and links to the records.
The deployment gate of a high-risk system reads the same list (:mod:`aims.euaiact.gates`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.utils import timezone

from aims.inventory.models import AISystem, OrganizationRole, RiskTier

from . import questionnaire as q
from .judging import (
    State,
    Status,
    accuracy,
    ce_marking,
    conformity,
    corrective_actions,
    data_governance,
    declaration,
    deployer_duties,
    exception_documented,
    explanation,
    fundamental_rights,
    gpai,
    instructions,
    logs_kept,
    notice,
    oversight,
    post_market,
    prohibited,
    provider_identified,
    quality_management,
    record_keeping,
    registration,
    risk_management,
    serious_incidents,
    technical_documentation,
)
from .models import (
    MIN_DEPLOYER_RETENTION_DAYS,
    Classification,
    RegistrationBasis,
)


@dataclass(frozen=True)
class Basis:
    """What the obligations are computed from: the signed classification's outcome, or, for a
    system whose tier was set by hand, the tier and the role written on the system."""

    tier: str
    roles: tuple[str, ...]
    duties: tuple[str, ...] = ()
    exception: str = q.NO_EXCEPTION
    fria: bool = False
    gpai: str = q.NO_GPAI
    classification: Classification | None = None


@dataclass(frozen=True)
class Spec:
    code: str
    article: str
    title: str
    summary: str  # what it asks, in our words
    applies: Callable[[Basis], bool]
    assess: Callable[[AISystem, dt.date], Status]
    who: str = q.PROVIDER  # provider, deployer or everyone
    record: str = ""  # the kind of record of this area that meets it (kinds.py), to add one


@dataclass(frozen=True)
class Obligation:
    spec: Spec
    status: Status

    @property
    def state(self) -> State:
        return self.status.state

    @property
    def met(self) -> bool:
        return self.status.state == State.MET


def basis_of(system: AISystem, classification: Classification | None = None) -> Basis:
    """The basis of ``system``'s obligations: its signed classification when it has one
    (``classification`` given saves the query), else its tier and role as written on it."""
    if classification is None:
        classification = Classification.objects.signed().filter(system=system).first()
    if classification is not None:
        return Basis(
            tier=classification.tier,
            roles=tuple(classification.roles),
            duties=tuple(classification.duties),
            exception=classification.exception,
            fria=classification.fria,
            gpai=classification.gpai,
            classification=classification,
        )
    role = q.DEPLOYER if system.organization_role == OrganizationRole.DEPLOYER else q.PROVIDER
    return Basis(tier=system.risk_tier, roles=(role,))


# --- Which apply ------------------------------------------------------------------------------


def _provider_high(basis: Basis) -> bool:
    return basis.tier == RiskTier.HIGH and q.PROVIDER in basis.roles


def _deployer_high(basis: Basis) -> bool:
    return basis.tier == RiskTier.HIGH and q.DEPLOYER in basis.roles


def _duty(code: str) -> Callable[[Basis], bool]:
    return lambda basis: basis.tier != RiskTier.PROHIBITED and code in basis.duties


HIGH_PROVIDER = (
    (
        "art9",
        "Art. 9",
        "Risk management system",
        "Identify, assess and treat the system's "
        "risks throughout its life, and test it against them.",
        risk_management,
        "",
    ),
    (
        "art10",
        "Art. 10",
        "Data and data governance",
        "Train, validate and test on data that is "
        "relevant, representative, as error-free as possible and examined for bias.",
        data_governance,
        "",
    ),
    (
        "art11",
        "Art. 11",
        "Technical documentation",
        "Draw up the Annex IV documentation before "
        "the system is placed on the market, and keep it up to date.",
        technical_documentation,
        "",
    ),
    (
        "art12",
        "Art. 12",
        "Record-keeping",
        "The system logs events automatically over its "
        "lifetime, so that its working can be traced.",
        record_keeping,
        "logs",
    ),
    (
        "art13",
        "Art. 13",
        "Transparency and instructions for use",
        "Give deployers instructions "
        "that let them understand the output and use the system properly.",
        instructions,
        "",
    ),
    (
        "art14",
        "Art. 14",
        "Human oversight",
        "Design the system so people can oversee it, "
        "understand its limits, and override or stop it.",
        oversight,
        "oversight",
    ),
    (
        "art15",
        "Art. 15",
        "Accuracy, robustness and cybersecurity",
        "Reach and keep declared levels of accuracy and robustness, and resist attacks.",
        accuracy,
        "",
    ),
    (
        "art16",
        "Art. 16",
        "Provider's duties",
        "Put the provider's name and contact on the "
        "system, and meet the duties the next articles list.",
        provider_identified,
        "declaration",
    ),
    (
        "art17",
        "Art. 17",
        "Quality management system",
        "Run a documented quality management system; the AIMS, audited and reviewed, is it.",
        quality_management,
        "",
    ),
    (
        "art19",
        "Art. 19",
        "Automatically generated logs",
        "Keep the logs under the provider's control for at least six months.",
        logs_kept(MIN_DEPLOYER_RETENTION_DAYS, "Art. 19"),
        "logs",
    ),
    (
        "art20",
        "Art. 20",
        "Corrective actions",
        "Correct, withdraw or recall a system that does not conform, and inform those concerned.",
        corrective_actions,
        "",
    ),
    (
        "art43",
        "Art. 43",
        "Conformity assessment",
        "Have the system's conformity assessed before it is placed on the market.",
        conformity,
        "conformity",
    ),
    (
        "art47",
        "Art. 47",
        "EU declaration of conformity",
        "Sign a declaration of conformity and keep it ten years.",
        declaration,
        "declaration",
    ),
    (
        "art48",
        "Art. 48",
        "CE marking",
        "Affix the CE marking to the system, its packaging or its documentation.",
        ce_marking,
        "declaration",
    ),
    (
        "art49",
        "Art. 49(1)",
        "Registration",
        "Register the system in the EU database before it is placed on the market.",
        registration(RegistrationBasis.HIGH_RISK),
        "registration",
    ),
    (
        "art72",
        "Art. 72",
        "Post-market monitoring",
        "Collect and analyse data on the system's performance in use, under a documented plan.",
        post_market,
        "monitoring",
    ),
    (
        "art73",
        "Art. 73",
        "Serious incident reporting",
        "Report serious incidents to the market surveillance authority within 2, 10 or 15 days.",
        serious_incidents,
        "",
    ),
)

SPECS: tuple[Spec, ...] = (
    Spec(
        "art5",
        "Art. 5",
        "Prohibited practice",
        "The system may not be placed on the market, put into service or used.",
        lambda b: b.tier == RiskTier.PROHIBITED,
        prohibited,
        who="everyone",
    ),
    *(
        Spec(code, article, title, summary, _provider_high, assess, record=record)
        for code, article, title, summary, assess, record in HIGH_PROVIDER
    ),
    Spec(
        "art6_4",
        "Art. 6(4)",
        "Documented \u201cnot high-risk\u201d assessment",
        "Document why "
        "the Annex III system is not high-risk, and show it to the authorities on request.",
        lambda b: b.exception != q.NO_EXCEPTION and q.PROVIDER in b.roles,
        exception_documented,
    ),
    Spec(
        "art49_2",
        "Art. 49(2)",
        "Registration of a \u201cnot high-risk\u201d Annex III system",
        "Register the system in the EU database even though it was found not high-risk.",
        lambda b: b.exception != q.NO_EXCEPTION and q.PROVIDER in b.roles,
        registration(RegistrationBasis.NOT_HIGH_RISK),
        record="registration",
    ),
    Spec(
        "art26",
        "Art. 26",
        "Deployer's duties",
        "Use it as instructed, assign competent human "
        "oversight, keep its logs at least six months, monitor it, and tell the people it "
        "decides about.",
        _deployer_high,
        deployer_duties,
        who=q.DEPLOYER,
        record="oversight",
    ),
    Spec(
        "art27",
        "Art. 27",
        "Fundamental rights impact assessment",
        "Before first use, assess "
        "the impact on fundamental rights (public services, credit scoring, life and health "
        "insurance).",
        lambda b: _deployer_high(b) and b.fria,
        fundamental_rights,
        who=q.DEPLOYER,
    ),
    Spec(
        "art86",
        "Art. 86",
        "Right to an explanation",
        "Explain, on request, the system's role in "
        "a decision that significantly affects a person, and let them contest it.",
        _deployer_high,
        explanation,
        who=q.DEPLOYER,
    ),
    *(
        Spec(
            f"art50_{option.code}",
            option.article,
            "Transparency: " + _title,
            q.DUTIES[option.code],
            _duty(option.code),
            notice(option.code),
            who="everyone",
            record="notice",
        )
        for option, _title in zip(
            q.TRANSPARENCY,
            (
                "people know they deal with AI",
                "generated content is marked",
                "people exposed are told",
                "deep fakes are disclosed",
            ),
            strict=True,
        )
    ),
    Spec(
        "art53",
        "Art. 53",
        "General-purpose AI model",
        "Document the model, inform downstream "
        "providers, keep a copyright policy and publish a training-content summary.",
        lambda b: b.gpai != q.NO_GPAI and b.tier != RiskTier.PROHIBITED,
        gpai,
    ),
)


def applicable(basis: Basis) -> list[Spec]:
    """The obligations that apply on ``basis``, in the Act's order."""
    return [spec for spec in SPECS if spec.applies(basis)]


def obligations_of(
    system: AISystem, basis: Basis | None = None, *, today: dt.date | None = None
) -> list[Obligation]:
    """Every obligation that applies to ``system``, each judged from its records."""
    basis = basis or basis_of(system)
    today = today or timezone.localdate()
    return [Obligation(spec, spec.assess(system, today)) for spec in applicable(basis)]


def summary(obligations: list[Obligation]) -> dict[str, int]:
    counts = {state.value: 0 for state in State}
    for obligation in obligations:
        counts[obligation.state.value] += 1
    return counts
