from django.apps import AppConfig


class AuditsConfig(AppConfig):
    name = "aims.audits"
    label = "audits"
