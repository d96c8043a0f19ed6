"""The EU AI Act classification of AI systems: the questionnaire, each system's classifications
(drafted from the answers, signed with authority), a system's place under the Act (its
obligations and fine exposure) and the overview of the organization's systems.

The tier, duties and reasons of a classification are computed from its answers, never sent.
"""

import datetime as dt
from enum import StrEnum
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Prefetch
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status as HttpStatus
from pydantic import StrictBool

from aims.api.auth import CONTRIBUTE, DECIDE, READ
from aims.api.errors import BODY_ERRORS, InvalidInput, responses
from aims.api.pagination import Page
from aims.api.schemas import InputSchema, Name, api_choices, bounded_text, text_of, username_of
from aims.inventory.models import AISystem, OrganizationRole, RiskTier

from .. import exposure as fines
from .. import obligations as duties
from .. import questionnaire as q
from .. import services
from ..models import Classification, ClassificationStatus
from .common import ExposureOut, _system, exposure_out

router = Router()  # added under the area's router, and its tag, in __init__

ActClassificationStatus = api_choices("ActClassificationStatus", ClassificationStatus)
ActObligationState = StrEnum("ActObligationState", {s.name: s.value for s in duties.State})


class ActSystemState(StrEnum):
    """Where a system stands with its classification, for the overview."""

    UNCLASSIFIED = "unclassified"  # never classified
    DRAFT = "draft"  # a draft waits for a signature; none signed yet
    SIGNED = "signed"  # a signed classification is in force and current
    STALE = "stale"  # signed, but the purpose, intended use or role changed since


# --- The questionnaire -------------------------------------------------------------------------


class QuestionOptionOut(Schema):
    code: str
    label: str
    article: str = Field(description="The article the choice rests on; empty for “none”.")
    group: str = Field(description="For an Annex III use: the number of its area.")
    group_label: str = Field(description="For an Annex III use: the name of its area.")


class QuestionOut(Schema):
    key: str = Field(description="The answer's name in a classification's `answers`.")
    text: str
    guidance: str
    kind: Literal["choices", "choice", "yes-no", "text"] = Field(
        description="choices: a list of option codes; choice: one code; yes-no: true or false; "
        "text: free text."
    )
    default: Any = Field(description="The answer when none is given.")
    options: list[QuestionOptionOut]


class QuestionnaireOut(Schema):
    version: int = Field(description="Kept with each classification that answers it.")
    questions: list[QuestionOut]


def _kind_of_question(key: str) -> str:
    default = q.EMPTY[key]
    if isinstance(default, bool):
        return "yes-no"
    if isinstance(default, list):
        return "choices"
    return "choice" if key in q.OPTIONS else "text"


def questionnaire_out() -> dict:
    return {
        "version": q.VERSION,
        "questions": [
            {
                "key": key,
                "text": text,
                "guidance": guidance,
                "kind": _kind_of_question(key),
                "default": q.EMPTY[key],
                "options": [
                    {
                        "code": o.code,
                        "label": o.label,
                        "article": o.article,
                        "group": o.group,
                        "group_label": q.ANNEX_III_AREAS.get(o.group, ""),
                    }
                    for o in q.OPTIONS.get(key, ())
                ],
            }
            for key, (text, guidance) in q.QUESTIONS.items()
        ],
    }


@router.get(
    "/act/questionnaire",
    auth=READ,
    response=responses(200, QuestionnaireOut),
    summary="Read the EU AI Act classification questionnaire",
    description="Each question with its guidance and its choices (with the article each rests "
    "on), in the order asked. A classification's `answers` are keyed by `key`.",
)
def read_act_questionnaire(request):
    return questionnaire_out()


# --- Classifications ---------------------------------------------------------------------------


def _codes(key: str) -> list[str]:
    return [o.code for o in q.OPTIONS[key]]


def _choices(key: str) -> Any:
    """A list of option codes: checked by the questionnaire, whose messages name the question."""
    return Field(
        [],
        description=f"{q.QUESTIONS[key][0]} Codes among: {', '.join(_codes(key))}.",
        json_schema_extra={"items": {"type": "string", "enum": _codes(key)}},
    )


def _choice(key: str) -> Any:
    return Field(
        q.EMPTY[key],
        description=f"{q.QUESTIONS[key][0]} One of: {', '.join(_codes(key))}.",
        json_schema_extra={"enum": _codes(key)},
    )


class ClassificationAnswersIn(InputSchema):
    """The questionnaire's answers (``GET /act/questionnaire``); one left out takes its
    default."""

    roles: list[Name] = _choices("roles")
    practices: list[Name] = _choices("practices")
    annex_i: StrictBool = Field(False, description=q.QUESTIONS["annex_i"][0])
    annex_iii: list[Name] = _choices("annex_iii")
    exception: Name = _choice("exception")
    profiling: StrictBool = Field(False, description=q.QUESTIONS["profiling"][0])
    exception_reasoning: bounded_text(q.REASONING_MAX) = Field(
        "", description=q.QUESTIONS["exception_reasoning"][0]
    )
    public_service: StrictBool = Field(False, description=q.QUESTIONS["public_service"][0])
    transparency: list[Name] = _choices("transparency")
    gpai: Name = _choice("gpai")


class ClassificationIn(InputSchema):
    answers: ClassificationAnswersIn
    note: text_of(Classification, "note") = Field("", description="For the signer.")


class ReasonOut(Schema):
    article: str
    text: str


class ClassificationSummaryOut(Schema):
    number: int
    status: ActClassificationStatus
    tier: RiskTier
    roles: list[str] = Field(description="provider, deployer, or both.")
    duties: list[str] = Field(description="Codes of the Art. 50 transparency duties.")
    exception: str = Field(description="The Art. 6(3) exception claimed; “none” otherwise.")
    fria: bool = Field(description="A fundamental rights impact assessment is due (Art. 27).")
    created_at: dt.datetime
    signed_at: dt.datetime | None
    signed_by: str | None
    stale: bool = Field(
        description="Signed, but the system's purpose, intended use or role changed since: "
        "classify it again."
    )

    @staticmethod
    def resolve_signed_by(obj) -> str | None:
        return username_of(obj.signed_by)

    @staticmethod
    def resolve_stale(obj) -> bool:
        return obj.is_stale(obj.system)


class ClassificationOut(ClassificationSummaryOut):
    system: str = Field(description="The AI system's short id (slug).")
    questionnaire_version: int
    answers: dict[str, Any] = Field(description="Every answer, defaults filled in.")
    duty_labels: list[str]
    reasons: list[ReasonOut] = Field(description="Why this tier, each with its article.")
    gpai: str
    basis: dict[str, Any] = Field(
        description="The system's purpose, intended use, misuse and role when it was signed."
    )
    changed_basis: list[str] = Field(description="What changed on the system since signing.")
    note: str
    prepared_by: str | None
    signer_authority: str
    superseded_at: dt.datetime | None

    @staticmethod
    def resolve_system(obj) -> str:
        return obj.system.slug

    @staticmethod
    def resolve_duty_labels(obj) -> list[str]:
        return obj.duty_labels()

    @staticmethod
    def resolve_changed_basis(obj) -> list[str]:
        return obj.changed_basis(obj.system) if obj.status == ClassificationStatus.SIGNED else []

    @staticmethod
    def resolve_prepared_by(obj) -> str | None:
        return username_of(obj.prepared_by)


def classifications_of(system: AISystem):
    return Classification.objects.filter(system=system).select_related(
        "system", "prepared_by", "signed_by"
    )


def _classification(request, slug: str, classification_number: int) -> Classification:
    system = _system(request, slug)
    return get_object_or_404(classifications_of(system), number=classification_number)


def _answer_errors(exc: ValidationError) -> InvalidInput:
    """The questionnaire's refusal, each message under ``answers.<question>``."""
    return InvalidInput(
        {
            (f"answers.{field}" if field in q.EMPTY else field): messages
            for field, messages in exc.message_dict.items()
        }
    )


@router.get(
    "/systems/{slug}/act/classifications",
    auth=READ,
    response=responses(200, list[ClassificationOut], 404, 422),
    summary="List a system's EU AI Act classifications",
    description="Every version, newest first: the draft, the signed one in force and those it "
    "superseded.",
)
@paginate(Page)
def list_act_classifications(request, slug: Name):
    return classifications_of(_system(request, slug)).order_by("-number")


@router.post(
    "/systems/{slug}/act/classifications",
    auth=CONTRIBUTE,
    response={
        **responses(201, ClassificationOut, 403, 404, *BODY_ERRORS),
        200: ClassificationOut,
    },
    summary="Classify a system under the EU AI Act",
    description="Writes the system's draft classification from the questionnaire's answers: "
    "the tier, the transparency duties and the reasons are computed from them. A new version "
    "(201), or the draft there is rewritten (200). Answers that cannot be classified are "
    "refused (422) with each message under `answers.<question>`. The draft counts once "
    "signed.",
)
def classify_act_system(request, slug: Name, payload: ClassificationIn):
    system = _system(request, slug)
    before = services.current_draft(system)
    try:
        draft = services.save_draft(
            system,
            payload.answers.model_dump(exclude_unset=True),
            actor=request.user,
            note=payload.note,
        )
    except ValidationError as exc:
        raise _answer_errors(exc) from None
    found = get_object_or_404(classifications_of(system), pk=draft.pk)
    return HttpStatus(200 if before is not None else 201, found)


@router.get(
    "/systems/{slug}/act/classifications/{classification_number}",
    auth=READ,
    response=responses(200, ClassificationOut, 404),
    summary="Read an EU AI Act classification",
)
def read_act_classification(request, slug: Name, classification_number: int):
    return _classification(request, slug, classification_number)


@router.post(
    "/systems/{slug}/act/classifications/{classification_number}/sign",
    auth=DECIDE,
    response=responses(200, ClassificationOut, 403, 404, 409),
    summary="Sign an EU AI Act classification",
    description="By an Owner, an AIMS Manager or top management (403 otherwise); only a draft "
    "(409). It becomes the system's classification in force, the one signed before is "
    "superseded, and the system takes its risk tier.",
)
def sign_act_classification(request, slug: Name, classification_number: int):
    classification = _classification(request, slug, classification_number)
    services.sign(classification, actor=request.user)
    return _classification(request, slug, classification_number)


@router.delete(
    "/systems/{slug}/act/classifications/{classification_number}",
    auth=CONTRIBUTE,
    response=responses(204, None, 403, 404, 409),
    summary="Delete a draft EU AI Act classification",
    description="Only a draft (409 otherwise: a signed classification is the record the Act "
    "asks for, and is kept).",
)
def delete_act_classification(request, slug: Name, classification_number: int):
    services.delete_draft(_classification(request, slug, classification_number), actor=request.user)
    return HttpStatus(204, None)


# --- A system under the Act: classification, obligations, exposure -----------------------------


class LinkOut(Schema):
    label: str
    url: str = Field(description="The page of the records that meet it.")


class ActObligationOut(Schema):
    code: str
    article: str
    title: str
    summary: str = Field(description="What it asks, in short.")
    who: str = Field(description="provider, deployer or everyone.")
    state: ActObligationState
    detail: str = Field(description="Why it is met, partly met or open.")
    links: list[LinkOut]
    record_kind: str | None = Field(
        description="The kind of record of this area that meets it (oversight, notice, logs, "
        "monitoring, conformity, declaration, registration), if one does."
    )


class ObligationCountsOut(Schema):
    met: int
    partly: int
    open: int


class SystemActOut(Schema):
    system: str
    name: str
    tier: RiskTier
    organization_role: OrganizationRole = Field(description="The role written on the system.")
    roles: list[str] = Field(
        description="The roles the obligations follow: the signed classification's, else the "
        "one written on the system."
    )
    classification: ClassificationSummaryOut | None = Field(
        description="The signed classification in force."
    )
    draft: ClassificationSummaryOut | None = Field(description="The draft waiting for signing.")
    obligations: list[ActObligationOut]
    counts: ObligationCountsOut
    exposure: ExposureOut | None = Field(
        description="The fine cap for the system's tier (Art. 99); null for minimal risk or not "
        "classified."
    )


def obligation_out(obligation: duties.Obligation) -> dict:
    spec, status = obligation.spec, obligation.status
    return {
        "code": spec.code,
        "article": spec.article,
        "title": spec.title,
        "summary": spec.summary,
        "who": spec.who,
        "state": status.state.value,
        "detail": status.detail,
        "links": [{"label": link.label, "url": link.url} for link in status.links],
        "record_kind": spec.record or None,
    }


@router.get(
    "/systems/{slug}/act",
    auth=READ,
    response=responses(200, SystemActOut, 404),
    summary="Read a system's place under the EU AI Act",
    description="Its signed classification and any draft, every obligation the Act puts on it "
    "for the organization's roles with how far it is met (computed from the records, never "
    "stored), and its fine exposure.",
)
def read_act_system(request, slug: Name):
    system = _system(request, slug)
    signed = services.current_classification(system)
    draft = services.current_draft(system)
    basis = duties.basis_of(system, signed)
    found = duties.obligations_of(system, basis)
    return {
        "system": system.slug,
        "name": system.name,
        "tier": system.risk_tier,
        "organization_role": system.organization_role,
        "roles": list(basis.roles),
        "classification": signed,
        "draft": draft,
        "obligations": [obligation_out(o) for o in found],
        "counts": duties.summary(found),
        "exposure": exposure_out(fines.exposure(basis.tier, services.profile_of(request.org))),
    }


class ActSystemOut(Schema):
    slug: str
    name: str
    tier: RiskTier
    state: ActSystemState
    roles: list[str] = Field(description="From the signed classification; empty without one.")
    classification: int | None = Field(description="Number of the signed classification.")
    signed_on: dt.date | None
    stale: bool
    draft: int | None = Field(description="Number of the draft waiting for signing.")

    @staticmethod
    def resolve_tier(obj) -> str:
        return obj.risk_tier

    @staticmethod
    def resolve_state(obj) -> str:
        return _state(obj)

    @staticmethod
    def resolve_roles(obj) -> list[str]:
        signed = _signed(obj)
        return list(signed.roles) if signed else []

    @staticmethod
    def resolve_classification(obj) -> int | None:
        signed = _signed(obj)
        return signed.number if signed else None

    @staticmethod
    def resolve_signed_on(obj) -> dt.date | None:
        signed = _signed(obj)
        return timezone.localdate(signed.signed_at) if signed and signed.signed_at else None

    @staticmethod
    def resolve_stale(obj) -> bool:
        return _state(obj) == ActSystemState.STALE

    @staticmethod
    def resolve_draft(obj) -> int | None:
        draft = _drafted(obj)
        return draft.number if draft else None


def _signed(system) -> Classification | None:
    """Of a system from :func:`overview_of`: its signed classification (prefetched)."""
    return next((c for c in system.act_open if c.status == ClassificationStatus.SIGNED), None)


def _drafted(system) -> Classification | None:
    return next((c for c in system.act_open if c.status == ClassificationStatus.DRAFT), None)


def _state(system) -> ActSystemState:
    signed = _signed(system)
    if signed is not None:
        return ActSystemState.STALE if signed.is_stale(system) else ActSystemState.SIGNED
    return ActSystemState.DRAFT if _drafted(system) else ActSystemState.UNCLASSIFIED


def overview_of(org, *, tier: str | None = None, state: str | None = None):
    """The organization's systems with their classification in force and draft, filtered: a
    queryset, or a list when whether a classification is stale must be judged on each."""
    systems = (
        AISystem.objects.for_org(org)
        .prefetch_related(
            Prefetch(
                "act_classifications",
                queryset=Classification.objects.exclude(status=ClassificationStatus.SUPERSEDED),
                to_attr="act_open",
            )
        )
        .order_by("name", "pk")
    )
    if tier:
        systems = systems.filter(risk_tier=tier)
    signed = Exists(Classification.objects.signed().filter(system=OuterRef("pk")))
    drafted = Exists(
        Classification.objects.filter(system=OuterRef("pk"), status=ClassificationStatus.DRAFT)
    )
    if state == ActSystemState.UNCLASSIFIED:
        return systems.exclude(signed).exclude(drafted)
    if state == ActSystemState.DRAFT:
        return systems.exclude(signed).filter(drafted)
    if state in (ActSystemState.SIGNED, ActSystemState.STALE):
        return [s for s in systems.filter(signed) if _state(s) == state]
    return systems


class ActSystemFilters(Schema):
    tier: RiskTier | None = Field(None, description="Only systems of this tier.")
    state: ActSystemState | None = Field(
        None, description="unclassified, draft (none signed yet), signed (current) or stale."
    )


@router.get(
    "/act/systems",
    auth=READ,
    response=responses(200, list[ActSystemOut], 422),
    summary="List the AI systems under the EU AI Act",
    description="Each system of the organization, by name: its tier, the roles and number of "
    "its signed classification, whether that is stale, and any draft.",
)
@paginate(Page)
def list_act_systems(request, filters: Query[ActSystemFilters]):
    return overview_of(request.org, tier=filters.tier, state=filters.state)
