"""The version stamp of a product family: `ProductFamily.updated_at`, moved whenever anything the
configurator or the delivery quote reads of the family changes (its row, groups, options, rules here;
its BOM, routing, lines and setup groups in production, through `families_touch`).

The web tier keeps what it computes once per family (the compiled rules, the BOM catalog) in process
memory under (family id, stamp): a request reads the family row anyway (order intake at most every
COSMO_QUOTE_RECHECK_SECONDS, `orders.catalog.families_active`), so a changed family is seen by every
process at its next reading, with no query of its own. Writes that bypass model signals
(`QuerySet.update`, `bulk_create`) of these rows must call `families_touch` themselves.
"""

from django.db.models.signals import post_delete, post_save
from django.utils import timezone

from orders.models import Option, OptionGroup, ProductFamily, Rule


def families_touch(family_ids=None) -> None:
    """Move the stamp of these families (all of them when None)."""
    families = ProductFamily.objects.all() if family_ids is None else ProductFamily.objects.filter(pk__in=family_ids)
    families.update(updated_at=timezone.now())


def _group_changed(sender, instance, **kwargs):
    families_touch([instance.family_id])


def _option_changed(sender, instance, **kwargs):
    families_touch(OptionGroup.objects.filter(pk=instance.group_id).values("family_id"))


def connect() -> None:
    for model in (OptionGroup, Rule):
        post_save.connect(_group_changed, sender=model, dispatch_uid=f"family-stamp-{model.__name__}-save")
        post_delete.connect(_group_changed, sender=model, dispatch_uid=f"family-stamp-{model.__name__}-delete")
    post_save.connect(_option_changed, sender=Option, dispatch_uid="family-stamp-Option-save")
    post_delete.connect(_option_changed, sender=Option, dispatch_uid="family-stamp-Option-delete")
