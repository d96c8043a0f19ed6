from django.apps import AppConfig


class ImpactConfig(AppConfig):
    name = "aims.impact"
    label = "impact"
