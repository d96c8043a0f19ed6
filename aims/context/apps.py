from django.apps import AppConfig


class ContextConfig(AppConfig):
    name = "aims.context"
    label = "context"
