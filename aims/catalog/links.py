"""Records that address requirements of the standard: clauses (4 to 10) and Annex A controls.

A document, an objective, a training course, a communication plan entry: each says which clauses
and controls it helps satisfy. A model gets the two links from :class:`AddressesRequirements`;
its area calls :func:`addresses_requirements` once in its ``area.py``, and then

* the catalog's clause and control pages list the organization's records of that kind;
* the SoA counts a control with a current record (``current``) as evidenced, and its entry page
  lists them;
* forms get the two pickers from :func:`requirement_fields`, the API resolves ids with
  :func:`resolve_requirements`.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from aims.core.areas import ControlRecords, Section, hook

from .models import Clause, Control


class AddressesRequirements(models.Model):
    """The clauses and Annex A controls a record helps satisfy."""

    clauses = models.ManyToManyField(
        Clause, blank=True, related_name="+", help_text="Clauses of ISO/IEC 42001 this addresses."
    )
    controls = models.ManyToManyField(
        Control, blank=True, related_name="+", help_text="Annex A controls this addresses."
    )

    class Meta:
        abstract = True

    def requirement_refs(self) -> list[str]:
        """The ids of its clauses and controls, in catalog order: "5.2", "A.2.2"."""
        return [c.ref for c in self.clauses.all()] + [c.ref for c in self.controls.all()]


def addresses_requirements(model, *, label: str, current: Q | None = None, order: int = 100):
    """Register ``model`` (an :class:`AddressesRequirements`) with the catalog and the SoA.

    ``label`` names its records in a list ("Documents"); ``current`` says which of them count
    as evidence of a control (say ``Q(status="approved")``); all of them by default.
    """
    current = current if current is not None else Q()

    def records() -> ControlRecords:
        return ControlRecords(label, model, current, order)

    def listing(field: str, item, request) -> Section:
        found = list(
            model.objects.filter(**{field: item}, organization=request.org)
            .annotate(counts=models.ExpressionWrapper(current, output_field=models.BooleanField()))
            .order_by("pk")[:50]
        )
        for record in found:
            record.organization = request.org
        return Section(
            "catalog/_addressed_by.html",
            {"label": label, "records": found, "what": item},
            order=order,
        )

    hook("control_records", order=order)(records)
    hook("control_page", order=order)(
        lambda control, request: listing("controls", control, request)
    )
    hook("clause_page", order=order)(lambda clause, request: listing("clauses", clause, request))


def requirement_fields() -> dict[str, forms.Field]:
    """The two pickers of a form whose model addresses requirements."""
    return {
        "clauses": forms.ModelMultipleChoiceField(
            Clause.objects.all(),
            required=False,
            help_text="Clauses of ISO/IEC 42001 this record helps satisfy.",
            widget=forms.SelectMultiple(attrs={"size": 8}),
        ),
        "controls": forms.ModelMultipleChoiceField(
            Control.objects.all(),
            required=False,
            help_text="Annex A controls this record helps satisfy.",
            widget=forms.SelectMultiple(attrs={"size": 8}),
        ),
    }


def add_requirement_fields(form, *, clauses=(), controls=()) -> None:
    """Give ``form`` (of a record that addresses requirements) the two pickers, showing what
    the record addresses, or for a new record the clause and control ids given."""
    form.fields.update(requirement_fields())
    record = form.instance
    if record.pk is not None:
        form.initial["clauses"] = list(record.clauses.all())
        form.initial["controls"] = list(record.controls.all())
    else:
        form.initial["clauses"] = list(Clause.objects.filter(ref__in=clauses))
        form.initial["controls"] = list(Control.objects.filter(ref__in=controls))


def resolve_requirements(
    clauses: list[str] | None = None, controls: list[str] | None = None
) -> tuple[list[Clause], list[Control]]:
    """The catalog records named by ids ("5.2", "A.2.2"); a ValidationError names unknown ids
    by field."""
    errors = {}
    found_clauses = list(Clause.objects.filter(ref__in=clauses or []))
    found_controls = list(Control.objects.filter(ref__in=controls or []))
    unknown = sorted(set(clauses or []) - {c.ref for c in found_clauses})
    if unknown:
        errors["clauses"] = f"Unknown clause: {', '.join(unknown)}."
    unknown = sorted(set(controls or []) - {c.ref for c in found_controls})
    if unknown:
        errors["controls"] = f"Unknown Annex A control: {', '.join(unknown)}."
    if errors:
        raise ValidationError(errors)
    return found_clauses, found_controls
