"""All the inputs this area compiles, in the order of 9.3.2, and those the areas below contribute."""

from __future__ import annotations

from collections.abc import Callable

from aims.core.areas import Section, page_sections

from ..models import ManagementReview
from .base import NOT_RECORDED, InputSection, Period, period_of
from .context import interested_parties, issues, previous_actions
from .performance import audit_results, improvements, monitoring, nonconformities
from .risks import incidents, risk_treatment

# The inputs this area compiles itself, in the order of 9.3.2; areas below (nonconformities,
# improvement, audits) are read here too, as they are above this one.
COMPILERS: list[Callable[[ManagementReview, Period], InputSection]] = [
    previous_actions,
    issues,
    interested_parties,
    nonconformities,
    monitoring,
    audit_results,
    improvements,
    risk_treatment,
    incidents,
]

ORDER = ["a", "b", "c", "d1", "d2", "d3", "e", "risk", "incidents"]


def compile_inputs(review: ManagementReview, period: Period | None = None) -> list[InputSection]:
    """The sections this area compiles, live, in the order of 9.3.2."""
    period = period or period_of(review)
    sections = [compiler(review, period) for compiler in COMPILERS]
    return sorted(sections, key=lambda s: ORDER.index(s.key) if s.key in ORDER else len(ORDER))


def contributed(review: ManagementReview, request) -> list[Section]:
    """The sections the areas below contribute (hook ``review_inputs``), in their order."""
    found = page_sections("review_inputs", review, request)
    return found["main"] + found["side"]


READINESS_MISSING = InputSection(
    "readiness",
    "Readiness for certification",
    recorded=False,
    empty=NOT_RECORDED + ": no readiness assessment has been made.",
)
