"""The inputs of a management review (9.3.2), compiled from the records of the other areas.

One :class:`InputSection` for each input the clause lists (a to e, with the three parts of the
AIMS's performance under d), then risk treatment, incidents and whatever the areas below this
one contribute through the hook ``review_inputs`` (the readiness assessment). Each section reads
its source with a fixed number of queries (aggregates, and a bounded list of records), so the
review's page costs the same however much the organization has recorded.

The period a section covers starts at the previous held review (or twelve months before, for
the first). Until the review is held its inputs are computed live; :func:`freeze_inputs` keeps
them as plain data when it is held, so the minutes show what was reviewed.
"""

from .base import (
    CONTRIBUTED,
    LISTED,
    NOT_RECORDED,
    Figure,
    InputSection,
    Item,
    Period,
    period_of,
)
from .compiled import COMPILERS, ORDER, READINESS_MISSING, compile_inputs, contributed
from .frozen import compile_as_data, freeze_inputs, frozen_sections, section_as_data

__all__ = [
    "COMPILERS",
    "CONTRIBUTED",
    "LISTED",
    "NOT_RECORDED",
    "ORDER",
    "READINESS_MISSING",
    "Figure",
    "InputSection",
    "Item",
    "Period",
    "compile_as_data",
    "compile_inputs",
    "contributed",
    "freeze_inputs",
    "frozen_sections",
    "period_of",
    "section_as_data",
]
