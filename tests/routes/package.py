"""The evidence package's share of the route-walking tests: a ready package (its file on disk)
and the organization's signing key."""

from __future__ import annotations

from aims.organizations.models import Access
from aims.package import signing
from aims.package.builder import package_path
from aims.package.models import Package, Status

LIST_PAGES = ["package_list"]


def make(world, records) -> dict:
    signing.private_key(world.org)  # the key the public-key download serves
    package = Package.objects.create(
        organization=world.org,
        created_by=world.manager,
        status=Status.READY,
        file_name="evidence-package-route-test.zip",
        size=22,
        files=0,
        manifest_sha256="0" * 64,
    )
    path = package_path(package)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"PK\x05\x06" + b"\0" * 18)  # an empty ZIP
    return {
        "package_id": package.pk,
        "api": {"package_id": package.pk},
        "objects": {"package": package},
    }


def seed(world, n: int) -> None:
    Package.objects.bulk_create(
        Package(organization=world.org, created_by=world.manager, status=Status.REMOVED)
        for _ in range(n)
    )


API_ACCESS = {
    ("GET", "/packages"): Access.READ,
    ("POST", "/packages"): Access.MANAGE,
    ("GET", "/packages/{package_id}"): Access.READ,
}
API_BODIES = {("POST", "/packages"): {}}
