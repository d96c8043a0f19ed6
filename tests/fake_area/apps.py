from django.apps import AppConfig


class FakeAreaConfig(AppConfig):
    name = "tests.fake_area"
    label = "fake_area"
    verbose_name = "Lessons learned (test area)"
