"""The package is built by the worker (``aims worker``), never in a web request."""

from __future__ import annotations

from django_tasks import task

from . import services
from .models import Package


@task()
def build_package_task(package_id: int):
    package = (
        Package.objects.select_related("organization", "created_by").filter(pk=package_id).first()
    )
    if package is None:
        return {"error": "The package was deleted before it was built."}
    package = services.build(package)
    return {"package": package.pk, "status": package.status}
