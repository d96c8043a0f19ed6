"""The context of the organization (ISO/IEC 42001 clause 4): the issues that shape its AI
management system (4.1), the interested parties and what they expect (4.2), the scope statement
(4.3) with the organization's role for each AI system, and the register of legal, contractual and
voluntary obligations (4.2, A.8.5)."""

from .base import TEXT, TITLE, ReviewedQuerySet, Side, owner_field, review_field, text_field
from .issues import Issue, IssueCategory, IssueQuerySet, IssueStatus, Raises
from .obligations import Compliance, Obligation, ObligationKind, ObligationQuerySet
from .parties import Addressed, InterestedParty, PartyKind, PartyQuerySet
from .roles import (
    EU_ROLES_HELP,
    ISO_ROLES_HELP,
    AIRole,
    OperatorRole,
    SystemRole,
    SystemRoleQuerySet,
    _has_value,
)
from .scope import ScopeQuerySet, ScopeStatus, ScopeVersion

__all__ = [
    "TITLE",
    "TEXT",
    "text_field",
    "owner_field",
    "review_field",
    "Side",
    "ReviewedQuerySet",
    "IssueCategory",
    "Raises",
    "IssueStatus",
    "IssueQuerySet",
    "Issue",
    "PartyKind",
    "Addressed",
    "PartyQuerySet",
    "InterestedParty",
    "ScopeStatus",
    "ScopeQuerySet",
    "ScopeVersion",
    "AIRole",
    "OperatorRole",
    "_has_value",
    "SystemRoleQuerySet",
    "ISO_ROLES_HELP",
    "EU_ROLES_HELP",
    "SystemRole",
    "ObligationKind",
    "Compliance",
    "ObligationQuerySet",
    "Obligation",
]
