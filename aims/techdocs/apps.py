from django.apps import AppConfig


class TechdocsConfig(AppConfig):
    name = "aims.techdocs"
    label = "techdocs"
