"""The organization's own part of the dashboard: its AIMS scope, the first step of all."""

from aims.core.dashboard import Part, Step


def part(organization) -> Part:
    scope = organization.scope.strip()
    return Part(
        "organizations",
        steps=[
            Step(
                "Define the scope of your AI management system",
                bool(scope),
                "Scope written."
                if scope
                else "Say which units, sites and AI systems the AIMS covers (clause 4.3).",
                "settings_scope",
                "Write the scope",
                order=10,
                needs_manage=True,
                without_access="An Owner or AIMS Manager writes the scope.",
            )
        ],
    )
