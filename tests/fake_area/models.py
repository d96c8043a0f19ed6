from django.db import models

from aims.catalog.links import AddressesRequirements


class Lesson(AddressesRequirements):
    """A lesson learned: a record of a made-up area that addresses clauses and controls."""

    organization = models.ForeignKey("organizations.Organization", on_delete=models.CASCADE)
    title = models.CharField(max_length=200)
    current = models.BooleanField(default=True)

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return f"/o/{self.organization.slug}/lessons/"
