from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "aims.core"
    label = "core"
    verbose_name = "OpenAIMS core"

    def ready(self):
        from . import areas

        areas.autodiscover()  # every app's area.py registers what it adds
