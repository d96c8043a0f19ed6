from django.apps import AppConfig


class RemindersConfig(AppConfig):
    name = "aims.reminders"
    label = "reminders"
