"""The business case area's share of the route-walking tests: its pages need no record of
their own (they read the organization's systems, profile and roadmap); the assumptions are
stored so that the pages show entered figures as well as estimates."""

from __future__ import annotations

from decimal import Decimal

from aims.businesscase.models import Assumptions
from aims.businesscase.services import save_assumptions
from aims.organizations.models import Access


def make(world, records) -> dict:
    assumptions = save_assumptions(
        Assumptions(organization=world.org, day_rate=Decimal(700), certification_audit=None),
        actor=world.manager,
    )
    return {"objects": {"business_case_assumptions": assumptions}}


API_ACCESS = {("GET", "/business-case"): Access.READ}
API_BODIES: dict = {}
