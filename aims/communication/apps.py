from django.apps import AppConfig


class CommunicationConfig(AppConfig):
    name = "aims.communication"
    label = "communication"
