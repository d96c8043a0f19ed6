from django.apps import AppConfig


class DatasetsConfig(AppConfig):
    name = "aims.datasets"
    label = "datasets"
