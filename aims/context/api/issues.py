"""The context API: issues."""

import datetime as dt

from django.shortcuts import get_object_or_404
from ninja import Field, PatchDict, Query, Schema
from ninja.pagination import paginate
from ninja.responses import Status
from pydantic import StrictInt

from aims.api.auth import CONTRIBUTE, READ
from aims.api.errors import BODY_ERRORS, responses
from aims.api.lookups import Errors, apply, clean, many, member
from aims.api.pagination import Page
from aims.api.schemas import InputSchema, Name, text_of
from aims.catalog.lookups import requirement_links
from aims.risk.models import Risk

from .. import services
from ..models import Issue
from .common import (
    ContextSide,
    IssueCategory,
    IssueRaises,
    IssueStatus,
    Requirements,
    RiskCategoryIn,
    clauses_field,
    controls_field,
    owner_field,
    query_filters,
    router,
)

# --- Issues ----------------------------------------------------------------------------------


class IssueIn(InputSchema):
    title: text_of(Issue, "title")
    description: text_of(Issue, "description") = ""
    side: ContextSide = Field(description="internal or external.")
    category: IssueCategory = Field(
        description="A PESTLE heading (political … environmental) or a SWOT one (strength … "
        "threat)."
    )
    effect: text_of(Issue, "effect") = Field("", description="The effect on the AIMS.")
    raises: IssueRaises = IssueRaises.RISK
    owner: Name | None = owner_field()
    review_date: dt.date | None = Field(None, description="Today or later when set or changed.")
    status: IssueStatus = IssueStatus.OPEN
    risks: list[Name] | None = Field(None, description="Refs of linked risks, e.g. R-001.")
    clauses: list[Name] | None = clauses_field()
    controls: list[Name] | None = controls_field()


class IssueOut(Requirements):
    id: int
    ref: str
    title: str
    description: str
    side: ContextSide
    category: IssueCategory
    effect: str
    raises: IssueRaises
    owner: str | None
    review_date: dt.date | None
    status: IssueStatus
    risks: list[str]
    clauses: list[str]
    controls: list[str]
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_risks(obj) -> list[str]:
        return [r.ref for r in obj.risks.all()]


class IssueFilters(Schema):
    q: Name | None = Field(None, description="Search in id, title, description and effect.")
    side: ContextSide | None = None
    category: IssueCategory | None = None
    raises: IssueRaises | None = None
    status: IssueStatus | None = None
    owner: Name | None = Field(None, description="Username of the issue's owner.")
    overdue: bool | None = Field(None, description="true: only open issues past review.")


def issues_of(org):
    return (
        Issue.objects.for_org(org)
        .select_related("owner")
        .prefetch_related("risks", "clauses", "controls")
    )


def get_issue(request, issue_id: int) -> Issue:
    return get_object_or_404(issues_of(request.org), pk=issue_id)


@router.get(
    "/context/issues",
    auth=READ,
    response=responses(200, list[IssueOut], 422),
    summary="List context issues",
    description="Internal and external issues (4.1), by id, filtered as the page filters.",
)
@paginate(Page)
def list_issues(request, filters: Query[IssueFilters]):
    return issues_of(request.org).filtered(**query_filters(request, filters))


def _save_issue(request, issue: Issue, data: dict) -> Issue:
    errors = Errors()
    extra = requirement_links(data, errors)
    if "owner" in data:
        issue.owner = member(request.org, data["owner"], field="owner", errors=errors)
    if data.get("risks") is not None:
        extra["risks"] = many(
            Risk.objects.for_org(request.org),
            "ref",
            data["risks"],
            field="risks",
            errors=errors,
            what="risk",
        )
    apply(issue, data, skip={"owner", "risks", "clauses", "controls"})
    clean(issue, exclude=["ref"] if not issue.ref else [], errors=errors)
    services.save_issue(issue, actor=request.user, **extra)
    return get_issue(request, issue.pk)


@router.post(
    "/context/issues",
    auth=CONTRIBUTE,
    response=responses(201, IssueOut, 403, *BODY_ERRORS),
    summary="Record a context issue",
    description="Its id (ISS-001, …) is given in order; without clauses or controls it "
    "addresses clause 4.1.",
)
def create_issue(request, payload: IssueIn):
    issue = Issue(organization=request.org)
    return Status(201, _save_issue(request, issue, payload.model_dump()))


@router.get(
    "/context/issues/{issue_id}",
    auth=READ,
    response=responses(200, IssueOut, 404),
    summary="Read a context issue",
)
def read_issue(request, issue_id: int):
    return get_issue(request, issue_id)


@router.patch(
    "/context/issues/{issue_id}",
    auth=CONTRIBUTE,
    response=responses(200, IssueOut, 403, 404, *BODY_ERRORS),
    summary="Change a context issue",
    description="Changes only the fields sent; a list sent replaces the links it names.",
)
def update_issue(request, issue_id: int, payload: PatchDict[IssueIn]):
    return _save_issue(request, get_issue(request, issue_id), payload)


class RaiseRiskIn(InputSchema):
    inherent_likelihood: StrictInt = Field(
        description="1 to the matrix's number of likelihood levels."
    )
    inherent_impact: StrictInt = Field(description="1 to the matrix's number of impact levels.")
    category: RiskCategoryIn | None = Field(
        None, description="The risk register's category; by default one that fits the issue."
    )


class RaisedRiskOut(Schema):
    ref: str
    title: str
    description: str
    issue: int = Field(description="The id of the issue it was raised from.")


@router.post(
    "/context/issues/{issue_id}/risks",
    auth=CONTRIBUTE,
    response=responses(201, RaisedRiskOut, 403, 404, 409, *BODY_ERRORS),
    summary="Raise a risk from a context issue",
    description="Adds a risk to the register from the issue (title, description, effect), "
    "scored on the organization's matrix, and links the two in one step. 409 when the issue "
    "is closed.",
)
def raise_risk(request, issue_id: int, payload: RaiseRiskIn):
    issue = get_issue(request, issue_id)
    risk = services.raise_risk(
        issue,
        actor=request.user,
        likelihood=payload.inherent_likelihood,
        impact=payload.inherent_impact,
        category=payload.category,
    )
    return Status(
        201,
        {"ref": risk.ref, "title": risk.title, "description": risk.description, "issue": issue.pk},
    )
