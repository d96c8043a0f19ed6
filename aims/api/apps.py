from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "aims.api"
    label = "api"
