"""What the lifecycle remembers beside the apps' rows: the re-drives the sweeper has sent."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Redrive(models.Model):
    """A step the sweeper sent again for an order stuck in a stage. At most one is outstanding per order
    and step (the unique constraint): the sweeper sends another only once this one has expired, so a
    backlog never fills the queues with copies of the same message. Forgotten once the order moves on."""

    order = models.ForeignKey("orders.Order", on_delete=models.CASCADE, related_name="+")
    step = models.CharField(_("stage the step starts from"), max_length=16)
    sent_at = models.DateTimeField(_("sent"))
    expires_at = models.DateTimeField(_("expires"))

    class Meta:
        constraints = [models.UniqueConstraint(fields=["order", "step"], name="one_redrive_per_order_and_step")]
        indexes = [models.Index(fields=["expires_at"])]
        verbose_name = _("re-drive")

    def __str__(self) -> str:
        return f"{self.order_id}/{self.step}"
