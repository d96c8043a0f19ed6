from django.apps import AppConfig


class TrailPagesConfig(AppConfig):
    name = "aims.trail.pages"
    label = "trail_pages"
    verbose_name = "Audit trail pages"
