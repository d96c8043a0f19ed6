from django.apps import AppConfig


class ChecksConfig(AppConfig):
    name = "aims.checks"
    label = "checks"
    verbose_name = "Technical checks"
