from django.apps import AppConfig


class BusinessCaseConfig(AppConfig):
    name = "aims.businesscase"
    label = "businesscase"
