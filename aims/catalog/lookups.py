"""How the API names catalog items: Annex A controls by id, clauses by number, risk sources."""

from __future__ import annotations

from aims.api.lookups import Errors, many

from .models import Clause, Control, RiskSource


def controls_named(refs, *, field: str = "controls", errors: Errors) -> list[Control]:
    return many(
        Control.objects.all(), "ref", refs, field=field, errors=errors, what="Annex A control"
    )


def clauses_named(refs, *, field: str = "clauses", errors: Errors) -> list[Clause]:
    return many(Clause.objects.all(), "ref", refs, field=field, errors=errors, what="clause")


def requirement_links(data: dict, errors: Errors) -> dict:
    """The clauses and controls an API body names (``clauses``, ``controls``), by field, for a
    service's ``m2m``; a field left out or null keeps what the record has."""
    found = {}
    if data.get("clauses") is not None:
        found["clauses"] = clauses_named(data["clauses"], errors=errors)
    if data.get("controls") is not None:
        found["controls"] = controls_named(data["controls"], errors=errors)
    return found


def risk_source_named(ref: str | None, *, field: str = "source", errors: Errors):
    if not ref:
        return None
    source = RiskSource.objects.filter(ref=ref).first()
    if source is None:
        errors.add(field, f"Unknown risk source “{ref}”; use an id from Annex C.3 like C.3.4.")
    return source
