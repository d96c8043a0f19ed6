from django.apps import AppConfig


class OscalConfig(AppConfig):
    name = "aims.oscal"
    label = "oscal"
