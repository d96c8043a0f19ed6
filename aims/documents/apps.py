from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "aims.documents"
    label = "documents"
