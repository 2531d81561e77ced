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
