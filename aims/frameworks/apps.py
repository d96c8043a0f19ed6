from django.apps import AppConfig


class FrameworksConfig(AppConfig):
    name = "aims.frameworks"
    label = "frameworks"
