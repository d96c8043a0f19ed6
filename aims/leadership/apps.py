from django.apps import AppConfig


class LeadershipConfig(AppConfig):
    name = "aims.leadership"
    label = "leadership"
