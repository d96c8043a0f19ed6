"""The starter documents: plain-language first drafts an organization adapts.

Each is a Markdown file in ``templates_md/`` with placeholders such as ``{{ organization }}``,
``{{ scope }}`` and ``{{ roles }}``. :func:`fill` replaces the placeholders it knows by plain
text substitution (never by rendering the text as a Django template); an unknown placeholder is
left as written, for the author to fill in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from django.utils import timezone

from aims.core.areas import template_values
from aims.organizations.models import Membership, Role

from .models import Kind

FOLDER = Path(__file__).resolve().parent / "templates_md"
PLACEHOLDER = re.compile(r"\{\{\s*([a-z_][a-z0-9_]*)\s*\}\}")


@dataclass(frozen=True)
class Starter:
    key: str
    title: str
    kind: str
    description: str
    clauses: tuple[str, ...] = ()
    controls: tuple[str, ...] = ()
    is_ai_policy: bool = False
    audience: tuple[str, ...] = field(default=())  # role values; empty: everyone

    @property
    def path(self) -> Path:
        return FOLDER / f"{self.key}.md"

    def text(self) -> str:
        return self.path.read_text(encoding="utf-8")


STARTERS: dict[str, Starter] = {
    s.key: s
    for s in (
        Starter(
            "ai-policy",
            "AI policy",
            Kind.POLICY,
            "What the organization commits to when it builds, buys or uses AI, signed off by "
            "top management.",
            clauses=("5.2",),
            controls=("A.2.2", "A.2.3", "A.2.4"),
            is_ai_policy=True,
        ),
        Starter(
            "ai-governance-charter",
            "AI governance charter",
            Kind.CHARTER,
            "Who decides what about AI: the governance group, its members, mandate and meetings.",
            clauses=("5.1", "5.3"),
            controls=("A.3.2", "A.3.3"),
            audience=(Role.OWNER, Role.MANAGER),
        ),
        Starter(
            "ai-risk-management",
            "AI risk management procedure",
            Kind.PROCEDURE,
            "How AI risks are identified, scored, treated, accepted and reviewed.",
            clauses=("6.1.2", "6.1.3", "8.2", "8.3"),
            audience=(Role.OWNER, Role.MANAGER, Role.CONTRIBUTOR),
        ),
        Starter(
            "ai-impact-assessment",
            "AI system impact assessment procedure",
            Kind.PROCEDURE,
            "How the effects of an AI system on people and society are assessed and recorded.",
            clauses=("6.1.4", "8.4"),
            controls=("A.5.2", "A.5.3", "A.5.4", "A.5.5"),
            audience=(Role.OWNER, Role.MANAGER, Role.CONTRIBUTOR),
        ),
        Starter(
            "data-management",
            "Data management procedure",
            Kind.PROCEDURE,
            "Where training and evaluation data comes from, its quality, provenance and "
            "preparation.",
            controls=("A.7.2", "A.7.3", "A.7.4", "A.7.5", "A.7.6"),
            audience=(Role.MANAGER, Role.CONTRIBUTOR),
        ),
        Starter(
            "model-validation-release",
            "Model validation and release procedure",
            Kind.PROCEDURE,
            "What a model must show before it is released, and who signs the release.",
            controls=("A.6.2.4", "A.6.2.5"),
            audience=(Role.MANAGER, Role.CONTRIBUTOR),
        ),
        Starter(
            "ai-incident-response",
            "AI incident response procedure",
            Kind.PROCEDURE,
            "How an AI incident is reported, contained, investigated, communicated and learned "
            "from.",
            clauses=("10.2",),
            controls=("A.8.4", "A.6.2.6"),
        ),
        Starter(
            "ai-system-retirement",
            "AI system retirement procedure",
            Kind.PROCEDURE,
            "How an AI system is taken out of use: notice, hand-over, data and records.",
            controls=("A.6.2.6",),
            audience=(Role.OWNER, Role.MANAGER, Role.CONTRIBUTOR),
        ),
        Starter(
            "communication-plan",
            "AI communication plan",
            Kind.PLAN,
            "What is said about AI, to whom, when, how and by whom, inside and outside.",
            clauses=("7.4",),
            controls=("A.8.2", "A.8.3", "A.8.5"),
        ),
    )
}


def roles_text(organization) -> str:
    """The members by role, as a Markdown list: the fallback for ``{{ roles }}``."""
    memberships = (
        Membership.objects.filter(organization=organization)
        .select_related("user")
        .order_by("role", "user__username")
    )
    by_role: dict[str, list[str]] = {}
    top: list[str] = []
    for membership in memberships:
        name = membership.user.get_full_name() or membership.user.get_username()
        by_role.setdefault(membership.role, []).append(name)
        if membership.is_top_management:
            top.append(name)
    lines = []
    if top:
        lines.append(f"- Top management: {', '.join(top)}")
    for role, label in Role.choices:
        if by_role.get(role):
            lines.append(f"- {label}: {', '.join(by_role[role])}")
    return "\n".join(lines)


def values_for(organization) -> dict[str, str]:
    """What the placeholders become: the organization's own data first, then what the other
    areas give (``template_values`` hook), where they give something."""
    values = {
        "organization": organization.name,
        "scope": organization.scope.strip()
        or "(Describe the scope of the AI management system: units, sites, AI systems.)",
        "roles": roles_text(organization),
        "date": timezone.localdate().isoformat(),
    }
    for key, value in template_values(organization).items():
        if isinstance(value, str) and value.strip():
            values[key] = value
    return values


def fill(text: str, values: dict[str, str]) -> str:
    """``text`` with each known ``{{ key }}`` replaced by its value; others left as written."""

    def replace(match: re.Match) -> str:
        key = match.group(1)
        return values[key] if key in values else match.group(0)

    return PLACEHOLDER.sub(replace, text)
