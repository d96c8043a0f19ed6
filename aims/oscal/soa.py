"""The Statement of Applicability as an OSCAL profile and a component definition.

The profile is the organization's baseline: it imports the ISO/IEC 42001 catalog, includes the
Annex A controls decided applicable and excludes those decided not applicable. Each decision's
justification travels with it, as the ``remarks`` of an ``applicability`` property: added to
the included controls by the profile's ``modify``, and listed in the metadata for the excluded
ones (a profile cannot alter a control it leaves out). Controls not decided yet are neither.

The component definition says how the controls are implemented: the AI management system is one
component, implementing every applicable control with its status, its description and links to
the evidence that supports it; each AI system is a component too, implementing the controls
whose supporting evidence names it. The evidence itself is listed in the back matter, each piece
with a link to its page in the app.

The additional controls of the SoA (ISO/IEC 27001, the organization's own: 6.1.3 c) are not in
the ISO/IEC 42001 catalog: they are a catalog of their own (:func:`build_additional_catalog`),
which the profile imports beside it and the component definition names as their source.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import iri_to_uri

from aims.evidence.models import Evidence
from aims.inventory.models import AISystem
from aims.soa.models import Applicability, ControlSource, SoAEntry

from . import catalog
from .common import (
    Linker,
    control_id,
    document,
    line,
    metadata,
    org_uuid,
    prop,
    relative,
    stable_uuid,
    token,
    when,
)


@dataclass
class Statement:
    """What the SoA documents read of it, in a few queries."""

    organization: object
    # Annex A entries in the standard's order, then the additional controls by id; each with
    # its evidence (and the evidence's AI systems).
    entries: list[SoAEntry]
    systems: list[AISystem]
    last_modified: dt.datetime
    evidence: dict[int, Evidence] = field(default_factory=dict)

    @property
    def applicable(self) -> list[SoAEntry]:
        return [e for e in self.entries if e.applicability == Applicability.APPLICABLE]

    @property
    def excluded(self) -> list[SoAEntry]:
        return [e for e in self.entries if e.applicability == Applicability.EXCLUDED]

    @property
    def undecided(self) -> list[SoAEntry]:
        return [e for e in self.entries if e.applicability == Applicability.UNDECIDED]

    @property
    def additional(self) -> list[SoAEntry]:
        return [e for e in self.entries if e.is_additional]


def read_statement(organization) -> Statement:
    evidence = Evidence.objects.filter(organization=organization).prefetch_related(
        Prefetch("systems", queryset=AISystem.objects.only("pk", "organization_id"))
    )
    entries = list(
        SoAEntry.objects.for_org(organization)
        .select_related("control", "additional_control")
        .prefetch_related(Prefetch("evidence", queryset=evidence.order_by("title", "pk")))
    )  # the model's order: Annex A as the standard orders it, then the additional controls
    systems = list(AISystem.objects.for_org(organization).order_by("name", "pk"))
    linked = {e.pk: e for entry in entries for e in entry.evidence.all()}
    moments = [entry.updated_at for entry in entries]
    moments += [e.additional_control.created_at for e in entries if e.is_additional]
    moments += [e.updated_at for e in linked.values()]
    moments += [s.updated_at for s in systems]
    return Statement(
        organization=organization,
        entries=entries,
        systems=systems,
        last_modified=max(moments, default=organization.created_at),
        evidence=linked,
    )


def oscal_id(entry: SoAEntry) -> str:
    """The OSCAL id of an entry's control: ``a.6.2.4``; an additional control's id behind
    ``add-`` (``add-27001-A.5.15``), which no Annex A id can be and keeps it a token."""
    if entry.is_additional:
        return f"add-{entry.additional_control.ref}"
    return control_id(entry.control.ref)


def _source_key(entry: SoAEntry) -> str:
    return "additional" if entry.is_additional else "iso"


def _sources(statement: Statement, link: Linker) -> dict[str, dict]:
    """The catalogs the documents point to, as back-matter resources: ISO/IEC 42001's, and
    the organization's additional controls' when it has some."""
    slug = statement.organization.slug
    found = catalog.framework()
    sources = {
        "iso": {
            "uuid": catalog.catalog_uuid(found),
            "title": f"{found.name} catalog (ids and titles)",
            "rlinks": [
                {
                    "href": link(reverse("oscal_catalog", kwargs={"org": slug})),
                    "media-type": "application/oscal.catalog+json",
                }
            ],
        }
    }
    if statement.additional:
        sources["additional"] = {
            "uuid": org_uuid(statement.organization, "additional-controls"),
            "title": f"Additional controls of {line(statement.organization.name)}",
            "rlinks": [
                {
                    "href": link(reverse("oscal_additional_catalog", kwargs={"org": slug})),
                    "media-type": "application/oscal.catalog+json",
                }
            ],
        }
    return sources


def _version(statement: Statement) -> str:
    return when(statement.last_modified)


def build_additional_catalog(statement: Statement) -> dict:
    """The organization's additional controls (6.1.3 c) as an OSCAL catalog, grouped by
    source: ids and titles only, as the ISO/IEC 42001 catalog."""
    org = statement.organization
    groups: dict[str, list[SoAEntry]] = {}
    for entry in statement.additional:
        groups.setdefault(entry.additional_control.source, []).append(entry)
    return document(
        "catalog",
        {
            "uuid": org_uuid(org, "additional-controls", _version(statement)),
            "metadata": metadata(
                f"Additional controls of {org.name}",
                statement.last_modified,
                version=_version(statement),
                organization=org,
                remarks="Controls the organization takes from other sources than Annex A of "
                "ISO/IEC 42001 (ISO/IEC 42001 6.1.3 c): ids and titles only.",
            ),
            "groups": [
                {
                    "id": f"source-{token(source)}",
                    "title": ControlSource(source).label,
                    "controls": [
                        {
                            "id": oscal_id(entry),
                            "class": "additional-control",
                            "title": line(entry.additional_control.title, entry.ref),
                            "props": [
                                prop("label", entry.ref, ns=None),
                                prop("source", token(source)),
                            ],
                        }
                        for entry in entries
                    ],
                }
                for source, entries in groups.items()
            ],
        },
    )


def build_profile(statement: Statement, *, link: Linker = relative) -> dict:
    """The SoA as an OSCAL profile. Needs one applicable control at least: a profile includes
    some controls (:func:`profile_refusal`)."""
    org = statement.organization
    sources = _sources(statement, link)
    imports = []
    for key, source in sources.items():
        included = [oscal_id(e) for e in statement.applicable if _source_key(e) == key]
        excluded = [oscal_id(e) for e in statement.excluded if _source_key(e) == key]
        if included:  # an import includes one control at least
            imports.append(
                {
                    "href": f"#{source['uuid']}",
                    "include-controls": [{"with-ids": included}],
                    "exclude-controls": [{"with-ids": excluded}] if excluded else [],
                }
            )
    alters = [
        {
            "control-id": oscal_id(entry),
            "adds": [
                {
                    "position": "ending",
                    "props": [
                        prop("applicability", "applicable", remarks=entry.justification),
                        prop("implementation-status", token(entry.status)),
                    ],
                }
            ],
        }
        for entry in statement.applicable
    ]
    exclusions = [
        prop("excluded-control", oscal_id(entry), remarks=entry.justification)
        for entry in statement.excluded
    ]
    return document(
        "profile",
        {
            "uuid": org_uuid(org, "soa-profile", _version(statement)),
            "metadata": metadata(
                f"Statement of Applicability of {org.name}",
                statement.last_modified,
                version=_version(statement),
                organization=org,
                props=[
                    prop("applicable-controls", len(statement.applicable)),
                    prop("excluded-controls", len(statement.excluded)),
                    prop("undecided-controls", len(statement.undecided)),
                    prop("additional-controls", len(statement.additional)),
                    *exclusions,
                ],
                links=[{"href": link(reverse("soa_list", kwargs={"org": org.slug}))}],
                remarks="The organization's decision on each Annex A control of ISO/IEC 42001 "
                "and on each additional control (6.1.3 c, d). Each applicable control carries "
                "its justification in the remarks of its applicability property; each excluded "
                "control is listed here with its justification. Controls not decided yet are "
                "counted, not listed.",
            ),
            "imports": imports,
            "merge": {"as-is": True},
            "modify": {"alters": alters},
            "back-matter": {"resources": list(sources.values())},
        },
    )


def profile_refusal(statement: Statement) -> str | None:
    """Why the SoA cannot be a profile yet, or None."""
    if not statement.applicable:
        return (
            "No control is decided applicable yet: a profile includes at least one. "
            "Decide the controls in the Statement of Applicability first."
        )
    return None


def _evidence_links(entry: SoAEntry, evidence: list[Evidence]) -> list[dict]:
    return [
        {
            "href": f"#{_evidence_uuid(entry.organization_id, e)}",
            "rel": "evidence",
            "text": line(e.title),
        }
        for e in evidence
    ]


def _evidence_uuid(organization_id: int, evidence: Evidence) -> str:
    return stable_uuid("organization", organization_id, "evidence", evidence.pk)


def _evidence_resource(organization, evidence: Evidence, link: Linker, today) -> dict:
    rlinks = [{"href": link(evidence.get_absolute_url())}]
    if evidence.url:
        rlinks.append({"href": iri_to_uri(evidence.url)})  # a URI: no raw non-ASCII
    return {
        "uuid": _evidence_uuid(organization.pk, evidence),
        "title": line(evidence.title, f"Evidence {evidence.pk}"),
        "props": [
            prop("evidence-state", evidence.state(today)),
            prop("effective-from", evidence.effective_from.isoformat()),
            *(
                [prop("valid-until", evidence.valid_until.isoformat())]
                if evidence.valid_until
                else []
            ),
        ],
        "rlinks": rlinks,
    }


def _requirement(org, entry: SoAEntry, evidence: list[Evidence], *, of: str) -> dict:
    return {
        "uuid": org_uuid(org, of, "implements", oscal_id(entry)),
        "control-id": oscal_id(entry),
        "description": entry.implementation.strip()
        or "How it is implemented is not described yet.",
        "props": [
            prop("implementation-status", token(entry.status)),
            prop("evidence-count", len(evidence)),
        ],
        "links": _evidence_links(entry, evidence),
        "remarks": entry.justification,
    }


SOURCE_DESCRIPTIONS = {
    "iso": "The Annex A controls of ISO/IEC 42001 decided applicable",
    "additional": "The additional controls from other sources decided applicable",
}


def build_component_definition(statement: Statement, *, link: Linker = relative) -> dict:
    """The AIMS and each AI system as components, with the applicable controls they implement
    (one control implementation per catalog: ISO/IEC 42001's, the additional controls'), their
    status and their evidence."""
    org = statement.organization
    for record in [*statement.entries, *statement.evidence.values()]:
        record.organization = org  # known already: no query per record
    sources = _sources(statement, link)
    today = timezone.localdate()

    def implementations(of: str, found: list[tuple[SoAEntry, list[Evidence]]], whose: str):
        """One control implementation per catalog that has requirements (OSCAL: one at least)."""
        return [
            {
                "uuid": org_uuid(org, of, "control-implementation", key),
                "source": f"#{source['uuid']}",
                "description": f"{SOURCE_DESCRIPTIONS[key]} {whose}.",
                "implemented-requirements": requirements,
            }
            for key, source in sources.items()
            if (
                requirements := [
                    _requirement(org, entry, evidence, of=of)
                    for entry, evidence in found
                    if _source_key(entry) == key
                ]
            )
        ]

    aims = {
        "uuid": org_uuid(org, "aims"),
        "type": "process-procedure",
        "title": f"AI management system of {org.name}",
        "description": org.scope.strip() or f"The AI management system of {org.name}.",
        "props": [prop("component-kind", "ai-management-system")],
        "links": [
            {"href": link(reverse("soa_list", kwargs={"org": org.slug})), "rel": "reference"}
        ],
        "control-implementations": implementations(
            "aims",
            [(entry, list(entry.evidence.all())) for entry in statement.applicable],
            "in the Statement of Applicability",
        ),
    }
    components = [aims]
    for system in statement.systems:
        system.organization = org
        found = []
        for entry in statement.applicable:
            evidence = [
                e for e in entry.evidence.all() if any(s.pk == system.pk for s in e.systems.all())
            ]
            if evidence:
                found.append((entry, evidence))
        components.append(
            {
                "uuid": org_uuid(org, "system", system.pk),
                "type": "software",
                "title": line(system.name, system.slug),
                "description": system.purpose.strip() or f"The AI system {system.name}.",
                "props": [
                    prop("component-kind", "ai-system"),
                    prop("risk-tier", token(system.risk_tier)),
                    prop("lifecycle-stage", token(system.stage)),
                ],
                "links": [{"href": link(system.get_absolute_url()), "rel": "reference"}],
                "control-implementations": implementations(
                    f"system/{system.pk}",
                    found,
                    "whose supporting evidence names this AI system",
                ),
            }
        )
    resources = list(sources.values()) + [
        _evidence_resource(org, e, link, today)
        for e in sorted(statement.evidence.values(), key=lambda e: (e.title, e.pk))
    ]
    return document(
        "component-definition",
        {
            "uuid": org_uuid(org, "soa-components", _version(statement)),
            "metadata": metadata(
                f"Control implementation of {org.name}",
                statement.last_modified,
                version=_version(statement),
                organization=org,
                remarks="How the applicable controls of the Statement of Applicability are "
                "implemented, with their status and supporting evidence (listed in the back "
                "matter, each linked to its page).",
            ),
            "components": components,
            "back-matter": {"resources": resources},
        },
    )
