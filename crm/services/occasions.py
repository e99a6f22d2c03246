"""Occasions on the profile: corrected, removed, folded into the same date on a merge, and
the dates told at a visit (only what changed is recorded).

Whatever was planned for a date that is no longer on file (reminders, calls) belongs to
followups, which stands on crm: crm sends `crm.signals.occasion_changed` inside the same
transaction and followups withdraws it there.
"""

import calendar

from django.db import IntegrityError, transaction
from django.utils import timezone

from core.audit import log_action, user_of
from core.errors import LoupeError
from crm.models import InteractionKind, Occasion
from crm.selectors import occasion_on_file
from crm.services.customers import interaction_add, occasion_add, occasion_checked
from crm.signals import occasion_changed


def date_text(month: int, day: int, year: int | None = None) -> str:
    text = f"{calendar.month_abbr[month]} {day}"
    return f"{text}, {year}" if year else text


@transaction.atomic
def occasion_change(*, occasion: Occasion, by, month: int, day: int, year: int | None = None,
                    label: str | None = None, prefix: str = "") -> Occasion:
    """Correct an occasion's date, year or label: the same row, its history kept.

    A new month or day withdraws what was planned for the old date (reminders held back,
    open calls closed) in this transaction; the planner plans the new date as usual. A date
    this customer already has for the same kind is refused: one occasion per kind and date.
    """
    now = timezone.now()
    locked = (Occasion.objects.select_for_update(of=("self",))
              .select_related("customer__store").get(pk=occasion.pk))
    customer = locked.customer
    occasion_checked(kind=locked.kind, month=month, day=day, year=year,
                     today=customer.store.today(now), prefix=prefix)
    label = locked.label if label is None else label.strip()[:80]
    before = (locked.month, locked.day, locked.year)
    if (*before, locked.label) == (month, day, year, label):
        return locked
    locked.month, locked.day, locked.year, locked.label = month, day, year, label
    locked._history_user = user_of(by)
    try:
        with transaction.atomic():
            locked.save(update_fields=["month", "day", "year", "label"])
    except IntegrityError as exc:
        raise LoupeError(f"{locked.get_kind_display()} on {date_text(month, day)} is already "
                         f"on file.", field=f"{prefix}day") from exc
    if before[:2] != (month, day):
        occasion_changed.send(sender=Occasion, occasion=locked, change="moved", at=now)
    interaction_add(customer=customer, kind=InteractionKind.CHANGE, by=by, at=now,
                    summary=f"{locked.title} changed from {date_text(*before)} to "
                            f"{date_text(month, day, year)}.")
    log_action(by=by, action="occasion.changed", obj=customer, at=now,
               data={"occasion": locked.pk, "kind": locked.kind, "from": list(before),
                     "to": [month, day, year]})
    return locked


@transaction.atomic
def occasion_remove(*, occasion: Occasion, by) -> None:
    """Take a date off the profile; the history keeps it, and so does every reminder that
    already went out. What was still planned for it is withdrawn in this transaction.
    Removing it twice (a double tap) is the same as once."""
    now = timezone.now()
    locked = (Occasion.objects.select_for_update(of=("self",)).select_related("customer")
              .filter(pk=occasion.pk).first())
    if locked is None:
        return
    customer = locked.customer
    summary = f"{locked.title} ({date_text(locked.month, locked.day, locked.year)}) removed."
    data = {"occasion": locked.pk, "kind": locked.kind,
            "date": [locked.month, locked.day, locked.year]}
    occasion_changed.send(sender=Occasion, occasion=locked, change="removed", at=now)
    locked._history_user = user_of(by)
    locked.delete()
    interaction_add(customer=customer, kind=InteractionKind.CHANGE, by=by, at=now,
                    summary=summary)
    log_action(by=by, action="occasion.removed", obj=customer, at=now, data=data)


def occasion_fold(*, duplicate: Occasion, keeper: Occasion, by, at) -> Occasion:
    """Let `keeper` stand for `duplicate`, an occasion of the same kind and date (a merge).

    Call inside the caller's transaction. Every row that points at the duplicate moves to
    the keeper, except one the keeper already has its own of (a reminder for that date and
    channel, a call for that date): that one is withdrawn with the duplicate, which goes.
    """
    for relation in Occasion._meta.related_objects:
        model, name = relation.related_model, relation.field.name
        for pk in model._base_manager.filter(**{name: duplicate}).values_list("pk", flat=True):
            try:
                with transaction.atomic():
                    model._base_manager.filter(pk=pk).update(**{name: keeper})
            except IntegrityError:
                continue  # the keeper's own row for that date stays the one
    occasion_changed.send(sender=Occasion, occasion=duplicate, change="merged", at=at)
    fills = [name for name in ("year", "label")
             if not getattr(keeper, name) and getattr(duplicate, name)]
    for name in fills:
        setattr(keeper, name, getattr(duplicate, name))
    if fills:
        keeper._history_user = user_of(by)
        keeper.save(update_fields=fills)
    duplicate._history_user = user_of(by)
    duplicate.delete()
    return keeper


def occasion_record(*, customer, kind: str, month: int, day: int, year: int | None = None,
                    label: str = "", by=None, prefix: str = "") -> Occasion:
    """A date told at a visit, recorded only as far as it changes what is on file.

    The same kind and date again changes nothing (a year it lacked is added); a new date for
    the occasion of that kind on file (a birthday has one date; an "other" is matched by its
    label) corrects that occasion; anything else is added.
    """
    same = customer.occasions.filter(kind=kind, month=month, day=day).first()
    if same is not None:
        if year is None or year == same.year:
            return same
        return occasion_change(occasion=same, by=by, month=month, day=day, year=year,
                               prefix=prefix)
    on_file = occasion_on_file(customer=customer, kind=kind, label=label)
    if on_file is not None:
        return occasion_change(occasion=on_file, by=by, month=month, day=day, year=year,
                               prefix=prefix)
    return occasion_add(customer=customer, kind=kind, month=month, day=day, year=year,
                        label=label, by=by, prefix=prefix)
