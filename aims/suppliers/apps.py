from django.apps import AppConfig


class SuppliersConfig(AppConfig):
    name = "aims.suppliers"
    label = "suppliers"
