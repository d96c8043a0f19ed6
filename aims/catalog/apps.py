from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "aims.catalog"
    label = "catalog"
