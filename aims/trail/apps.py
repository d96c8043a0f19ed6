from django.apps import AppConfig


class TrailConfig(AppConfig):
    """The change trail: every change of every record, hash-chained per organization.

    Its label stays ``audit`` (the database tables and migrations keep their names); the package
    is ``trail`` so that it is never mistaken for internal audits (clause 9.2).
    """

    name = "aims.trail"
    label = "audit"
    verbose_name = "Change trail"
