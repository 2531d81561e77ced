"""Production's master data that the delivery quote caches per family moves the family's stamp
(`orders.versions`): its BOM lines, routing steps, capable lines and setup group; a sub-assembly or a
factory, a line's power, a shipping lane or the routing policy may concern any family, so it moves them
all."""

from django.db.models.signals import post_delete, post_save

from orders.versions import families_touch
from production.models import (
    BomLine,
    Factory,
    Line,
    LineCapability,
    LineSimulation,
    PartComponent,
    RoutingPolicy,
    RoutingStep,
    SetupGroup,
    ShippingLane,
)


def _family_changed(sender, instance, **kwargs):
    families_touch([instance.family_id])


def _any_changed(sender, instance, **kwargs):
    families_touch()


def connect() -> None:
    for model in (BomLine, RoutingStep, LineCapability, SetupGroup):
        post_save.connect(_family_changed, sender=model, dispatch_uid=f"family-stamp-{model.__name__}-save")
        post_delete.connect(_family_changed, sender=model, dispatch_uid=f"family-stamp-{model.__name__}-delete")
    for model in (PartComponent, Factory, Line, LineSimulation, ShippingLane, RoutingPolicy):
        post_save.connect(_any_changed, sender=model, dispatch_uid=f"family-stamp-{model.__name__}-save")
        post_delete.connect(_any_changed, sender=model, dispatch_uid=f"family-stamp-{model.__name__}-delete")
