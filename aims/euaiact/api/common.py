"""What the EU AI Act API's modules share: the system and record lookups by path, the
fine exposure (on a system and in the profile) and the base of a system's records.
"""

import datetime as dt

from django.http import Http404
from django.shortcuts import get_object_or_404
from ninja import Field, Schema

from aims.core.areas import is_id
from aims.inventory.models import AISystem

from .. import exposure as fines


def _system(request, slug: str) -> AISystem:
    return get_object_or_404(
        AISystem.objects.for_org(request.org).select_related("organization"), slug=slug
    )


def _one(queryset, value):
    """The record of ``queryset`` with this id, or 404 (an id that can be no record's too)."""
    if not is_id(value):
        raise Http404
    return get_object_or_404(queryset, pk=int(value))


class ExposureOut(Schema):
    article: str
    what: str = Field(description="What the fine is for.")
    amount: int | None = Field(
        description="The cap in euros; null when it cannot be known without the turnover."
    )
    at_least: bool = Field(description="The turnover is not recorded: the cap may be higher.")
    formula: str


def exposure_out(found: fines.Exposure | None) -> dict | None:
    if found is None:
        return None
    amount = found.amount
    return {
        "article": found.cap.article,
        "what": found.cap.what,
        "amount": int(amount) if amount is not None else None,
        "at_least": found.at_least,
        "formula": found.formula,
    }


class SystemRecordOut(Schema):
    id: int
    system: str = Field(description="The AI system's short id (slug).")
    created_at: dt.datetime

    @staticmethod
    def resolve_system(obj) -> str:
        return obj.system.slug
