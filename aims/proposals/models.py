from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone


class ProposalStatus(models.TextChoices):
    OPEN = "open", "Waiting for a decision"
    APPROVED = "approved", "Approved"
    REFUSED = "refused", "Refused"
    WITHDRAWN = "withdrawn", "Withdrawn"


class ProposalQuerySet(models.QuerySet):
    def for_org(self, organization):
        return self.filter(organization=organization)

    def open(self):
        return self.filter(status=ProposalStatus.OPEN)

    def for_record(self, instance):
        return self.filter(
            record_type=instance._meta.label_lower, record_id=str(instance.pk)
        ).select_related("proposed_by", "decided_by")


class Proposal(models.Model):
    """A change someone without decision authority asks for (moving a system into deployment,
    changing an SoA decision, ...): recorded, shown to those who may decide, who approve it (the
    change is then made, by them) or refuse it, each with a reason."""

    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="proposals"
    )
    kind = models.CharField(max_length=100)
    record_type = models.CharField(max_length=100)
    record_id = models.CharField(max_length=64)
    record_label = models.CharField(max_length=300)
    summary = models.CharField(max_length=500)
    payload = models.JSONField(default=dict, blank=True)
    reason = models.TextField(max_length=10_000, validators=[MaxLengthValidator(10_000)])
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    proposed_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(
        max_length=10, choices=ProposalStatus.choices, default=ProposalStatus.OPEN
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(
        blank=True, max_length=10_000, validators=[MaxLengthValidator(10_000)]
    )

    objects = ProposalQuerySet.as_manager()

    class Meta:
        ordering = ["-proposed_at", "-pk"]
        indexes = [models.Index(fields=["organization", "status"])]

    def __str__(self) -> str:
        return self.summary

    def get_absolute_url(self) -> str:
        return reverse(
            "proposal_detail", kwargs={"org": self.organization.slug, "proposal_id": self.pk}
        )

    @property
    def is_open(self) -> bool:
        return self.status == ProposalStatus.OPEN
