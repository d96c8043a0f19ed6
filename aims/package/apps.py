from django.apps import AppConfig


class PackageConfig(AppConfig):
    name = "aims.package"
    label = "package"
