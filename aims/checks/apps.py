from django.apps import AppConfig


class ChecksConfig(AppConfig):
    name = "aims.checks"
    label = "checks"
    verbose_name = "Technical checks"

    def ready(self):
        from . import gates  # noqa: F401  (registers the stage-gate requirement)
