from django.apps import AppConfig


class NonconformitiesConfig(AppConfig):
    name = "aims.nonconformities"
    label = "nonconformities"
