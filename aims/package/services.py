"""Asking for a package, recording it in the change trail, and cleaning old ones up.

Every way in (the page, the API) asks through :func:`request_build`; the worker builds with
:func:`build`. A finished package's manifest digest is recorded in the organization's
hash-chained change trail, so the package is tied to the tamper-evident record of the AIMS: a
package whose manifest digest the trail does not hold was not made by the app.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from aims.organizations.models import Access, Membership
from aims.trail.models import Action
from aims.trail.services import record

from .builder import Build, package_path
from .models import WAITING, Package, Status

logger = logging.getLogger(__name__)

# Ready packages kept per organization; older ones lose their file (the record stays).
KEEP = 3
# A build whose progress has not moved for this long has lost its worker.
STALLED = dt.timedelta(minutes=10)
STALLED_MESSAGE = "The worker stopped while building this package (it was killed or crashed)."


def keep_days() -> int:
    return int(getattr(settings, "AIMS_PACKAGE_DAYS", 7))


def request_build(organization, *, actor) -> Package:
    """Queue a new package; refused while one is waiting or being built, or to a member who
    cannot manage the AIMS."""
    membership = Membership.objects.filter(organization=organization, user=actor).first()
    if membership is None or not membership.can(Access.MANAGE):
        raise PermissionDenied("Only the AIMS manager or the owner may build the package.")
    from .tasks import build_package_task

    fail_stalled(organization)
    with transaction.atomic():
        if Package.objects.for_org(organization).waiting().select_for_update().exists():
            raise ValidationError("A package is already being built: wait for it to finish.")
        package = Package.objects.create(organization=organization, created_by=actor)
        transaction.on_commit(lambda: build_package_task.enqueue(package.pk))
    return package


def fail_stalled(organization, now=None) -> int:
    """Record as failed the builds whose progress has not moved for STALLED, so a worker that
    died does not block the next package."""
    now = now or timezone.now()
    return (
        Package.objects.for_org(organization)
        .filter(status=Status.BUILDING, heartbeat_at__lt=now - STALLED)
        .update(status=Status.FAILED, error=STALLED_MESSAGE, finished_at=now)
    )


def build(package: Package) -> Package:
    """Build a queued package (in the worker), record its digest in the change trail, and
    clean up older packages. A package already being built is built again from the start: the
    task was queued again because its worker died (see aims.checks.tasks.reclaim_abandoned)."""
    claimed = Package.objects.filter(pk=package.pk, status__in=WAITING).update(
        status=Status.BUILDING, step="Starting", done=0, heartbeat_at=timezone.now()
    )
    if not claimed:
        return package
    package.refresh_from_db()
    membership = Membership.objects.filter(
        organization=package.organization, user=package.created_by
    ).first()
    try:
        if membership is None or not membership.can(Access.MANAGE):
            raise PermissionDenied("The member who asked for it can no longer manage the AIMS.")
        Build(package, membership).run()
    except Exception as error:
        logger.exception("Evidence package %s failed", package.pk)
        Package.objects.filter(pk=package.pk).update(
            status=Status.FAILED, error=str(error)[:2000], finished_at=timezone.now()
        )
        package.refresh_from_db()
        return package
    with transaction.atomic():
        package.status = Status.READY
        package.step = ""
        package.done = package.total
        package.finished_at = timezone.now()
        package.save()
        record(
            package.organization,
            actor=package.created_by,
            instance=package,
            action=Action.CREATE,
            changes={
                "manifest_sha256": [None, package.manifest_sha256],
                "files": [None, package.files],
                "key_fingerprint": [None, package.key_fingerprint],
            },
            note=f"Certification evidence package built: {package.file_name}",
        )
    clean_up(package.organization)
    return package


def clean_up(organization=None, now=None) -> list[Package]:
    """Remove the files of ready packages beyond the newest KEEP, or older than
    AIMS_PACKAGE_DAYS, and of failed builds; their records stay, with their digests."""
    now = now or timezone.now()
    packages = Package.objects.filter(status__in=(Status.READY, Status.FAILED))
    if organization is not None:
        packages = packages.filter(organization=organization)
    cutoff = now - dt.timedelta(days=keep_days())
    removed = []
    seen: dict[int, int] = {}
    for package in packages.select_related("organization").order_by("-created_at", "-pk"):
        seen[package.organization_id] = seen.get(package.organization_id, 0) + 1
        old = seen[package.organization_id] > KEEP or package.created_at < cutoff
        if package.status == Status.READY and not old:
            continue
        if package.file_name:
            package_path(package).unlink(missing_ok=True)
        if package.status == Status.READY:
            Package.objects.filter(pk=package.pk).update(status=Status.REMOVED)
            removed.append(package)
    return removed


def periodic(now) -> list[str]:
    """The worker's round: clean up old packages of every organization."""
    removed = clean_up(now=now)
    return [f"Removed the file of evidence package {p.pk} ({p.organization.slug})" for p in removed]
