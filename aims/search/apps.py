from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "aims.search"
    label = "search"
