from django.apps import AppConfig


class ImprovementConfig(AppConfig):
    name = "aims.improvement"
    label = "improvement"
