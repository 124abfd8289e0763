"""KPI rollups: cases counted per day (Asia/Shanghai) x node x category x channel, kept current
by the worker loop `insight.rollups` (at most about a minute stale), read by the bulletins
instead of the case table."""

from django.db import models


class KpiRollup(models.Model):
    day = models.DateField()
    node = models.ForeignKey("core.JurisdictionNode", on_delete=models.CASCADE, related_name="+")
    category = models.ForeignKey("cases.Category", on_delete=models.CASCADE, related_name="+")
    channel = models.CharField(max_length=20)
    calls = models.PositiveIntegerField(default=0)  # merged duplicates included
    cases = models.PositiveIntegerField(default=0)  # merged duplicates left out
    arrival_needed = models.PositiveIntegerField(default=0)
    arrived_within_8_min = models.PositiveIntegerField(default=0)
    diverted = models.PositiveIntegerField(default=0)
    hazards = models.PositiveIntegerField(default=0)
    hazards_closed = models.PositiveIntegerField(default=0)
    alarms = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["day", "node", "category", "channel"], name="kpi_rollup_one_row_per_key"
            )
        ]
        indexes = [models.Index(fields=["day", "node"])]

    def __str__(self) -> str:
        return f"{self.day} {self.node_id} {self.category_id} {self.channel}"


class RollupMark(models.Model):
    """How far the rollups have caught up: cases updated before `updated_before` are in."""

    name = models.CharField(max_length=40, primary_key=True)
    updated_before = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} < {self.updated_before}"


class BulletinIssue(models.Model):
    """A bulletin as issued by the worker: its three renderings, kept for the archive page."""

    kind = models.CharField(max_length=10)  # daily, weekly, monthly
    node = models.ForeignKey("core.JurisdictionNode", on_delete=models.CASCADE, related_name="+")
    first = models.DateField()
    last = models.DateField()
    title = models.CharField(max_length=200)
    pdf = models.BinaryField()
    xlsx = models.BinaryField()
    html = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "node", "first"], name="bulletin_once_per_period"
            )
        ]
        ordering = ["-first", "kind"]

    def __str__(self) -> str:
        return self.title
