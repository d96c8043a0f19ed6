from django.db import models


class Framework(models.Model):
    """A versioned standard loaded from a data file shipped in the package."""

    slug = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=100)
    title = models.CharField(max_length=300)
    version = models.CharField(max_length=20)
    publisher = models.CharField(max_length=100)
    catalog_version = models.CharField(max_length=20)

    def __str__(self) -> str:
        return self.name


class CatalogItem(models.Model):
    """Fields every catalog entry shares: an id from the standard, a title and a summary."""

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE)
    ref = models.CharField("id", max_length=20)
    title = models.CharField(max_length=200)
    summary = models.TextField(blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True
        ordering = ["position"]

    def __str__(self) -> str:
        return f"{self.ref} {self.title}"


class Clause(CatalogItem):
    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="clauses")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    guidance = models.TextField(blank=True)

    class Meta(CatalogItem.Meta):
        constraints = [models.UniqueConstraint(fields=["framework", "ref"], name="unique_clause")]

    @property
    def depth(self) -> int:
        return self.ref.count(".")


class ControlObjective(CatalogItem):
    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="objectives")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )

    class Meta(CatalogItem.Meta):
        constraints = [
            models.UniqueConstraint(fields=["framework", "ref"], name="unique_objective")
        ]


class Control(CatalogItem):
    """An Annex A control. Each organization decides on it in its Statement of Applicability."""

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="controls")
    objective = models.ForeignKey(
        ControlObjective, on_delete=models.CASCADE, related_name="controls"
    )
    guidance = models.TextField(blank=True)

    class Meta(CatalogItem.Meta):
        constraints = [models.UniqueConstraint(fields=["framework", "ref"], name="unique_control")]


class AIObjective(CatalogItem):
    """A potential AI-related organizational objective (Annex C.2)."""

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="ai_objectives")

    class Meta(CatalogItem.Meta):
        verbose_name = "AI objective"
        constraints = [
            models.UniqueConstraint(fields=["framework", "ref"], name="unique_ai_objective")
        ]


class RiskSource(CatalogItem):
    """A potential source of AI risk (Annex C.3)."""

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="risk_sources")

    class Meta(CatalogItem.Meta):
        constraints = [
            models.UniqueConstraint(fields=["framework", "ref"], name="unique_risk_source")
        ]
