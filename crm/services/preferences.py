"""The store's preference list: the lines of merchandise customers love and associates are
strong in. Each store keeps its own; a manager edits only their store's."""

from django.db import IntegrityError, transaction

from core.audit import log_action
from core.errors import LoupeError
from crm.models import Preference

# What a new store's list starts with (its managers rename, add and retire lines from there).
STARTING_LIST = ["Bridal", "Diamonds", "Colored gems", "Pearls", "Watches", "Gold", "Silver",
                 "Designer lines"]


@transaction.atomic
def preference_list_start(*, store) -> int:
    """Give a store with no preference list the starting one; returns how many were added.

    Part of opening a store (the admin, the demo, the generator), which is not audited either.
    A store that already has a list keeps it untouched, so calling this twice adds nothing.
    """
    if Preference.objects.for_store(store).exists():
        return 0
    Preference.objects.bulk_create(Preference(store=store, name=name, position=position)
                                   for position, name in enumerate(STARTING_LIST))
    return len(STARTING_LIST)


@transaction.atomic
def preference_save(*, store, by, preference: Preference | None = None, name: str,
                    active: bool = True, position: int = 0) -> Preference:
    """Add or rename a line on the store's preference list (names are unique in a store)."""
    if preference is not None and preference.store_id != store.pk:
        raise LoupeError("That preference belongs to another store.")
    name = (name or "").strip()
    if not name:
        raise LoupeError("Give the preference a name.", field="name")
    clash = Preference.objects.for_store(store).filter(name__iexact=name)
    if preference is not None:
        clash = clash.exclude(pk=preference.pk)
    if clash.exists():
        raise _already_listed(name)
    preference = preference or Preference(store=store)
    preference.name, preference.active, preference.position = name, active, position
    try:
        # Two managers adding the same line at once meet at the unique constraint.
        with transaction.atomic():
            preference.save()
    except IntegrityError as error:
        raise _already_listed(name) from error
    log_action(by=by, action="preference.saved", obj=preference,
               store=store, data={"name": name, "active": active})
    return preference


def _already_listed(name: str) -> LoupeError:
    return LoupeError(f"“{name}” is already on the list.", field="name")
