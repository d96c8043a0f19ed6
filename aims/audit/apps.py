from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "aims.audit"
    label = "audit"
