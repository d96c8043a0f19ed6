"""Changes to frameworks go through one function here, in the change trail.

Rules:

* an organization's own framework is its alone: another never sees it, and a shipped framework
  is never changed or deleted by an organization;
* an import writes the framework, its requirements and mappings in one transaction, or nothing;
* a record marked as serving a standard is a current-or-not record of the organization of a kind
  that addresses requirements (``aims.catalog.links``), and the standard is one it runs.
"""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify

from aims.catalog.models import Clause, Control
from aims.core.areas import control_records
from aims.core.errors import Refused
from aims.trail.models import Action
from aims.trail.services import delete_governed, record

from .imports import Parsed
from .loader import catalog_ref
from .models import (
    Framework,
    Kind,
    MappingSource,
    Origin,
    Requirement,
    RequirementMapping,
    ServedRecord,
    StandardInUse,
)


def _slug_for(organization, name: str) -> str:
    """A slug no framework the organization sees has yet."""
    base = (slugify(name)[:60] or "framework").strip("-") or "framework"
    taken = set(Framework.objects.visible_to(organization).values_list("slug", flat=True))
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


@transaction.atomic
def import_framework(
    organization, parsed: Parsed, *, actor, name: str, version: str = "", origin: str
) -> Framework:
    """Save an organization's own framework read by :mod:`aims.frameworks.imports`."""
    name = name.strip()
    if Framework.objects.filter(organization=organization, name=name, version=version).exists():
        raise ValidationError({"name": "Your organization has a framework of this name already."})
    framework = Framework.objects.create(
        organization=organization,
        slug=_slug_for(organization, name),
        name=name,
        title=parsed.title or name,
        version=version or parsed.version,
        publisher=organization.name[:150],
        kind=Kind.OWN,
        origin=origin,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    by_ref: dict[str, Requirement] = {}
    depth: dict[str, int] = {}
    for item in parsed.items:  # a parent always comes before its children
        depth[item.ref] = depth[item.parent] + 1 if item.parent else 0
    for level in range(max(depth.values(), default=-1) + 1):
        created = Requirement.objects.bulk_create(
            Requirement(
                framework=framework,
                ref=item.ref,
                title=item.title,
                kind=item.kind,
                parent=by_ref.get(item.parent),
                position=position,
            )
            for position, item in enumerate(parsed.items)
            if depth[item.ref] == level
        )
        by_ref.update({r.ref: r for r in created})
    if any(r.pk is None for r in by_ref.values()):  # a database that returns no ids
        by_ref = {r.ref: r for r in framework.requirements.all()}
    clauses = {c.ref: c for c in Clause.objects.all()}
    controls = {c.ref: c for c in Control.objects.all()}
    who = actor.get_username() if getattr(actor, "pk", None) else "the organization"
    mappings = [
        RequirementMapping(
            requirement=by_ref[item.ref],
            clause=clauses.get(catalog_ref(cited)),
            control=controls.get(catalog_ref(cited)),
            cited_ref=cited,
            source=MappingSource.ORGANIZATION,
            made_by=f"{who} ({organization.name})"[:200],
        )
        for item in parsed.items
        for cited in dict.fromkeys(item.mapping)
    ]
    RequirementMapping.objects.bulk_create(mappings)
    record(
        organization,
        actor=actor,
        instance=framework,
        action=Action.CREATE,
        changes={"name": [None, framework.name], "origin": [None, framework.origin]},
        note=f"{Origin(origin).label}: {len(by_ref)} requirements, {len(mappings)} mappings.",
    )
    return framework


def delete_framework(framework: Framework, *, actor) -> None:
    """Delete an organization's own framework with its requirements and mappings."""
    if framework.shipped:
        raise Refused("A framework shipped with OpenAIMS cannot be deleted.")
    delete_governed(framework, actor=actor, note=f"{framework.requirements.count()} requirements")


@transaction.atomic
def set_standard_in_use(organization, framework: Framework, *, runs: bool, actor) -> None:
    """Say whether the organization runs a management system standard beside its AIMS."""
    if framework.kind != Kind.HARMONIZED or not framework.shipped:
        raise ValidationError("Only a management system standard can be marked as run.")
    found = StandardInUse.objects.filter(organization=organization, framework=framework)
    if runs and not found.exists():
        use = StandardInUse.objects.create(
            organization=organization, framework=framework, marked_by=actor
        )
        record(organization, actor=actor, instance=use, action=Action.CREATE)
    elif not runs:
        for use in found:
            record(organization, actor=actor, instance=use, action=Action.DELETE)
            use.delete()
        ServedRecord.objects.filter(organization=organization, framework=framework).delete()


def record_kinds():
    """The kinds of record that may serve a standard: those that address requirements."""
    return control_records()


@transaction.atomic
def set_served(organization, framework: Framework, chosen: dict, *, actor) -> None:
    """Set, for each kind of record in ``chosen`` (``{model: [ids]}``), which of the
    organization's records serve ``framework``: all kinds or none."""
    for model, record_ids in chosen.items():
        set_served_records(organization, framework, model, record_ids, actor=actor)


@transaction.atomic
def set_served_records(
    organization, framework: Framework, model, record_ids: list[int], *, actor
) -> None:
    """Make ``record_ids`` (of ``model``, a kind that addresses requirements) exactly the
    organization's records of that kind serving ``framework``."""
    if not StandardInUse.objects.filter(organization=organization, framework=framework).exists():
        raise ValidationError(f"Mark {framework.name} as a standard you run first.")
    if model not in {kind.model for kind in record_kinds()}:
        raise ValidationError("This kind of record cannot serve a standard.")
    wanted = set(
        model.objects.filter(organization=organization, pk__in=record_ids).values_list(
            "pk", flat=True
        )
    )
    if len(wanted) != len(set(record_ids)):
        raise ValidationError("Choose records of this organization.")
    content_type = ContentType.objects.get_for_model(model)
    current = ServedRecord.objects.filter(
        organization=organization, framework=framework, content_type=content_type
    )
    had = set(current.values_list("object_id", flat=True))
    current.exclude(object_id__in=wanted).delete()
    ServedRecord.objects.bulk_create(
        ServedRecord(
            organization=organization,
            framework=framework,
            content_type=content_type,
            object_id=pk,
            marked_by=actor,
        )
        for pk in sorted(wanted - had)
    )
    if wanted != had:
        use = StandardInUse.objects.get(organization=organization, framework=framework)
        record(
            organization,
            actor=actor,
            instance=use,
            action=Action.UPDATE,
            changes={
                f"{content_type.model} serving": [sorted(had), sorted(wanted)],
            },
        )
