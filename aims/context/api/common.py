"""What the context API's modules share: the router, choice types, requirement links and
the path parameters that name records."""

from ninja import Field, Router, Schema

from aims.api.lookups import Errors, member
from aims.api.schemas import api_choices, username_of
from aims.core.areas import names_record
from aims.risk.models import Category as RiskCategory

from ..models import Addressed as _Addressed
from ..models import AIRole as _AIRole
from ..models import Compliance as _Compliance
from ..models import InterestedParty, Issue, Obligation, ScopeVersion, SystemRole
from ..models import IssueCategory as _IssueCategory
from ..models import IssueStatus as _IssueStatus
from ..models import ObligationKind as _ObligationKind
from ..models import OperatorRole as _OperatorRole
from ..models import PartyKind as _PartyKind
from ..models import Raises as _Raises
from ..models import ScopeStatus as _ScopeStatus
from ..models import Side as _Side

ContextSide = api_choices("ContextSide", _Side)
IssueCategory = api_choices("IssueCategory", _IssueCategory)
IssueRaises = api_choices("IssueRaises", _Raises)
IssueStatus = api_choices("IssueStatus", _IssueStatus)
PartyKind = api_choices("PartyKind", _PartyKind)
PartyAddressed = api_choices("PartyAddressed", _Addressed)
ScopeStatus = api_choices("ScopeStatus", _ScopeStatus)
AIRole22989 = api_choices("AIRole22989", _AIRole)
EUOperatorRole = api_choices("EUOperatorRole", _OperatorRole)
ObligationKind = api_choices("ObligationKind", _ObligationKind)
ObligationCompliance = api_choices("ObligationCompliance", _Compliance)
RiskCategoryIn = api_choices("RaisedRiskCategory", RiskCategory)

router = Router(tags=["Context of the organization"])


def clauses_field():
    """A fresh field each time: pydantic must not share one FieldInfo between schemas."""
    return Field(
        None,
        description="Clause numbers this record addresses, e.g. 4.1. Left out on creation: "
        "the record kind's default.",
    )


def controls_field():
    return Field(None, description="Annex A control ids this record addresses, e.g. A.8.5.")


def owner_field():
    return Field(None, description="Username of a member of the organization.")


class Requirements(Schema):
    @staticmethod
    def resolve_clauses(obj) -> list[str]:
        return [c.ref for c in obj.clauses.all()]

    @staticmethod
    def resolve_controls(obj) -> list[str]:
        return [c.ref for c in obj.controls.all()]

    @staticmethod
    def resolve_owner(obj) -> str | None:
        return username_of(getattr(obj, "owner", None))


def _exists(model):
    """Whether a path parameter names a record of the organization (for ``api_path_records``)."""

    def exists(org, value) -> bool:
        return names_record(model.objects.filter(organization=org), value)

    return exists


PATH_RECORDS = {
    "issue_id": _exists(Issue),
    "party_id": _exists(InterestedParty),
    "obligation_id": _exists(Obligation),
    "scope_version_id": _exists(ScopeVersion),
    "system_role_id": _exists(SystemRole),
}


def query_filters(request, filters: Schema) -> dict:
    chosen = {k: v for k, v in filters.model_dump().items() if v not in (None, "")}
    if "owner" in chosen:
        errors = Errors()
        chosen["owner"] = member(request.org, chosen["owner"], field="owner", errors=errors)
        errors.raise_if_any()
    return chosen
