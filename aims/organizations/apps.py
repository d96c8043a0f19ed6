from django.apps import AppConfig


class OrganizationsConfig(AppConfig):
    name = "aims.organizations"
    label = "organizations"
