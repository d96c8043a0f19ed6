from django.apps import AppConfig


class DashboardConfig(AppConfig):
    name = "aims.dashboard"
    label = "dashboard"
