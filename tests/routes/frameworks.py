"""The frameworks area's share of the route-walking tests: an organization's own framework
(imported from CSV), whose pages and API operations are named by its slug."""

from __future__ import annotations

from aims.frameworks.imports import read_csv
from aims.frameworks.models import Origin
from aims.frameworks.services import import_framework
from aims.organizations.models import Access

CSV = b"id,title,parent,mapping\nSEC,Security,,\nSEC-1,Access is restricted,SEC,A.4.5\n"


def make(world, records) -> dict:
    framework = import_framework(
        world.org, read_csv(CSV), actor=world.owner, name="Route controls", origin=Origin.CSV
    )
    return {
        "framework_slug": framework.slug,
        "api": {"framework_slug": framework.slug},
        "objects": {"framework": framework},
    }


API_ACCESS = {
    ("GET", "/frameworks"): Access.READ,
    ("GET", "/frameworks/{framework_slug}"): Access.READ,
    ("DELETE", "/frameworks/{framework_slug}"): Access.MANAGE,
    ("GET", "/frameworks/{framework_slug}/requirements"): Access.READ,
    ("GET", "/frameworks/{framework_slug}/coverage"): Access.READ,
}
API_BODIES = {("DELETE", "/frameworks/{framework_slug}"): {}}
