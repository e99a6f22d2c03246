"""Who is asking, in one query per request.

Django's ModelBackend finds the login (one query), then its permissions (two more: the
user's own and their groups'), and the store middleware then finds the staff member and the
store (a fourth). Every floor page paid for all four. `StaffBackend.get_user` reads the login,
its staff member, the store and the permission names together, fresh on every request (a
permission taken away or a departure shows on the next page), so nothing is cached between
requests.

Building that query in the ORM cost more CPU than running it (a select_related two levels
deep and an array subquery, on every request): on PostgreSQL its SQL is compiled once per
process (`core.packed.Compiled`) and the three rows are made from its plain columns.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Permission
from django.contrib.postgres.expressions import ArraySubquery
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import CharField, OuterRef, Q, Value
from django.db.models.functions import Concat

from core.packed import Compiled


def _permission_names():
    """'app_label.codename' of every permission the user holds, directly or by a group."""
    held = Q(user=OuterRef("pk")) | Q(group__user=OuterRef("pk"))
    return ArraySubquery(
        Permission.objects.filter(held)
        .annotate(permission=Concat("content_type__app_label", Value("."), "codename",
                              output_field=CharField()))
        .values("permission"))


def _who():
    """The login's model, its staff member's relation (the reverse one-to-one, found through
    the login so core names no app) and the staff member's store relation."""
    user_model = get_user_model()
    staff = user_model._meta.get_field("staff_member")
    return user_model, staff, staff.related_model._meta.get_field("store")


def _lookups(model, prefix: str = "") -> list[str]:
    """A model's concrete fields as `.values()` lookups (a foreign key gives its id)."""
    return [f"{prefix}{field.name}" for field in model._meta.concrete_fields]


def _row_read(*, user_id):
    user_model, staff, store = _who()
    return (user_model._default_manager.filter(pk=user_id)
            .values(*_lookups(user_model), *_lookups(staff.related_model, "staff_member__"),
                    *_lookups(store.related_model, "staff_member__store__"))
            .annotate(permission_names=_permission_names()))


_ROW = Compiled(_row_read)


def _instance(model, row: dict, prefix: str = ""):
    """One model instance from the row's `prefix` columns, as the ORM makes it (`from_db`);
    None when the outer join found no row."""
    fields = model._meta.concrete_fields
    if row[f"{prefix}{model._meta.pk.name}"] is None:
        return None
    return model.from_db(connection.alias, [field.attname for field in fields],
                         [row[f"{prefix}{field.name}"] for field in fields])


def _user_with_staff(user_id):
    """The login with its staff member and store cached on it, as
    `select_related("staff_member__store")` leaves them, and its permission names."""
    user_model, staff_relation, store_relation = _who()
    row = _ROW.fetch(user_id=user_id)
    if row is None:
        return None
    user = _instance(user_model, row)
    staff = _instance(staff_relation.related_model, row, "staff_member__")
    staff_relation.set_cached_value(user, staff)
    if staff is not None:
        staff_relation.remote_field.set_cached_value(staff, user)
        store_relation.set_cached_value(
            staff, _instance(store_relation.related_model, row, "staff_member__store__"))
    user.permission_names = row["permission_names"]
    return user


class StaffBackend(ModelBackend):
    """ModelBackend whose `get_user` also brings the staff member, its store and the
    permission names (PostgreSQL; elsewhere it reads them as ModelBackend does)."""

    def get_user(self, user_id):
        if connection.vendor == "postgresql":
            try:
                user = _user_with_staff(get_user_model()._meta.pk.to_python(user_id))
            except ValidationError:
                return None
        else:
            user = (get_user_model()._default_manager.select_related("staff_member__store")
                    .filter(pk=user_id).first())
        if user is None or not self.user_can_authenticate(user):
            return None
        if hasattr(user, "permission_names") and not user.is_superuser:
            # What ModelBackend.get_all_permissions keeps for the rest of the request.
            user._perm_cache = set(user.permission_names)
        return user
