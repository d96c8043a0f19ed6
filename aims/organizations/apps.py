from django.apps import AppConfig


class OrganizationsConfig(AppConfig):
    name = "aims.organizations"
    label = "organizations"

    def ready(self) -> None:
        from . import signals

        signals.connect()
