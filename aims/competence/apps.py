from django.apps import AppConfig


class CompetenceConfig(AppConfig):
    name = "aims.competence"
    label = "competence"
