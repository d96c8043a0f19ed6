from django.apps import AppConfig


class SoaConfig(AppConfig):
    name = "aims.soa"
    label = "soa"
