from django.apps import AppConfig


class ProposalsConfig(AppConfig):
    name = "aims.proposals"
    label = "proposals"
    verbose_name = "Proposals and decisions"
