"""Merging two profiles of one person into one (managers only)."""

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from core.audit import log_action
from core.errors import LoupeError
from crm.models import Assignment, Customer, InteractionKind, Occasion
from crm.services.assignment import client_assign
from crm.services.customers import interaction_add
from crm.services.occasions import occasion_fold

# Profile fields the survivor takes from the merged profile when its own are blank.
FILLABLE = ["last_name", "email", "phone", "address_line", "city", "region", "postal_code",
            "partner_name"]


@transaction.atomic
def customer_merge(*, survivor: Customer, merged: Customer, by) -> Customer:
    """Move every row that points at `merged` to `survivor`, then delete `merged`.

    Rows of every app move (occasions, consent, timeline, purchases, repairs envelopes,
    assignments, follow-up messages, ...): the relations are read from the model's
    `_meta.related_objects`, so a model another app adds later moves too. A date both
    profiles have is kept once (one occasion per kind and date). Both profiles are locked
    (in id order, so two merges cannot deadlock) for the whole transaction.
    """
    if survivor.pk == merged.pk:
        raise LoupeError("Choose a different profile to keep.", field="survivor")
    if survivor.store_id != merged.store_id:
        raise LoupeError("Both profiles must belong to this store.", field="survivor")
    now = timezone.now()
    locked = {c.pk: c for c in Customer.objects.select_for_update().filter(
        pk__in=[survivor.pk, merged.pk]).order_by("pk")}
    survivor, merged = locked[survivor.pk], locked[merged.pk]
    associate = merged.assigned_to
    _close_open_assignment(merged, now)
    _fold_shared_occasions(survivor, merged, by, now)
    _move_related_rows(survivor, merged)
    _fill_blanks(survivor, merged)
    summary = f"Merged with the profile of {merged.full_name} (#{merged.pk})."
    merged_pk, merged_name = merged.pk, merged.full_name
    merged.delete()
    if survivor.assigned_to_id is None and associate is not None and associate.can_sell:
        client_assign(customer=survivor, associate=associate, by=by, reason="merge", at=now)
    interaction_add(customer=survivor, kind=InteractionKind.CHANGE, summary=summary, by=by,
                    at=now)
    log_action(by=by, action="customer.merged", obj=survivor, at=now,
               data={"merged_id": merged_pk, "merged_name": merged_name})
    return survivor


def _close_open_assignment(merged: Customer, now) -> None:
    # Only one assignment may be open per customer: the survivor keeps its own.
    Assignment.objects.filter(customer=merged, ended_at__isnull=True).update(ended_at=now)


def _fold_shared_occasions(survivor: Customer, merged: Customer, by, now) -> None:
    """A date both profiles have (the same kind, month and day) is kept once: the survivor's
    occasion stands for the merged one, so it is reminded once."""
    kept = {(o.kind, o.month, o.day): o for o in Occasion.objects.filter(customer=survivor)}
    for occasion in Occasion.objects.filter(customer=merged).order_by("pk"):
        keeper = kept.get((occasion.kind, occasion.month, occasion.day))
        if keeper is not None:
            occasion_fold(duplicate=occasion, keeper=keeper, by=by, at=now)


def _move_related_rows(survivor: Customer, merged: Customer) -> None:
    for relation in Customer._meta.related_objects:
        try:
            with transaction.atomic():
                if relation.many_to_many:
                    _move_m2m(relation, survivor, merged)
                else:
                    relation.related_model._base_manager.filter(
                        **{relation.field.name: merged}).update(**{relation.field.name: survivor})
        except IntegrityError as exc:
            raise LoupeError(
                f"These profiles both have {relation.related_model._meta.verbose_name_plural} "
                f"that cannot be combined; nothing was merged.") from exc


def _move_m2m(relation, survivor: Customer, merged: Customer) -> None:
    """A many-to-many from another model (e.g. a campaign's list): join once, keep both."""
    through = relation.through
    ours = relation.field.m2m_reverse_field_name()
    theirs = relation.field.m2m_field_name()
    already = through.objects.filter(**{ours: survivor}).values(theirs)
    through.objects.filter(**{ours: merged, f"{theirs}__in": already}).delete()
    through.objects.filter(**{ours: merged}).update(**{ours: survivor})


def _fill_blanks(survivor: Customer, merged: Customer) -> None:
    changed = [name for name in FILLABLE
               if not getattr(survivor, name) and getattr(merged, name)]
    for name in changed:
        setattr(survivor, name, getattr(merged, name))
    if merged.email and merged.email != survivor.email and not survivor.secondary_email:
        survivor.secondary_email = merged.email
        changed.append("secondary_email")
    survivor.preferences.add(*merged.preferences.all())
    firsts = [d for d in (survivor.first_purchase_on, merged.first_purchase_on) if d]
    lasts = [d for d in (survivor.last_purchase_on, merged.last_purchase_on) if d]
    visits = [d for d in (survivor.last_visit_at, merged.last_visit_at) if d]
    survivor.first_purchase_on = min(firsts, default=None)
    survivor.last_purchase_on = max(lasts, default=None)
    survivor.last_visit_at = max(visits, default=None)
    survivor.save(update_fields=[*changed, "first_purchase_on", "last_purchase_on", "last_visit_at",
                                 "updated_at"])
    Customer.objects.filter(pk=survivor.pk).update(
        lifetime_value=F("lifetime_value") + merged.lifetime_value)
    survivor.refresh_from_db(fields=["lifetime_value"])
