from django.apps import AppConfig


class EUAIActConfig(AppConfig):
    name = "aims.euaiact"
    label = "euaiact"
    verbose_name = "EU AI Act"
