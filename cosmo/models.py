from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """A person using Cosmo. The role decides which portal and which rows they see."""

    class Role(models.TextChoices):
        CONSUMER = "consumer", _("Consumer")
        SUPPLIER = "supplier", _("Supplier member")
        PLANNER = "planner", _("Planner")
        ADMIN = "admin", _("Administrator")

    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.CONSUMER)

    @property
    def is_consumer(self) -> bool:
        return self.role == self.Role.CONSUMER

    @property
    def is_planner(self) -> bool:
        # Administrators may do everything a planner does.
        return self.role in (self.Role.PLANNER, self.Role.ADMIN)

    @property
    def is_supplier_member(self) -> bool:
        return self.role == self.Role.SUPPLIER


class ClockAnchor(models.Model):
    """The one anchor of the factory clock, shared by every process through the database.

    Factory time = factory_anchor + (real now - real_anchor) * speed.
    """

    real_anchor = models.DateTimeField()
    factory_anchor = models.DateTimeField()
    speed = models.FloatField(default=1.0)

    class Meta:
        verbose_name = _("factory clock")


class Change(models.Model):
    """One change a person made to the factory's or the supply's state: who, when, what, and the values
    before and after. Written by `cosmo.audit.record` in the same transaction as the change itself."""

    at = models.DateTimeField(_("when"), db_index=True)
    actor = models.ForeignKey(
        User, verbose_name=_("who"), null=True, on_delete=models.SET_NULL, related_name="changes"
    )
    # Kept as written: the record outlives a renamed or deleted user.
    actor_name = models.CharField(_("who (name)"), max_length=150, db_index=True)
    actor_role = models.CharField(_("role"), max_length=16, blank=True)
    action = models.CharField(_("action"), max_length=32, db_index=True)
    object_type = models.CharField(_("object type"), max_length=64, db_index=True)  # app_label.model
    object_id = models.CharField(_("object id"), max_length=64)
    object_label = models.CharField(_("object"), max_length=200, db_index=True)
    before = models.JSONField(_("before"), default=dict, blank=True)
    after = models.JSONField(_("after"), default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["object_type", "object_id"], name="change_object")]
        verbose_name = _("change")
        verbose_name_plural = _("changes")

    def __str__(self) -> str:
        return f"{self.actor_name} {self.action} {self.object_label}"
