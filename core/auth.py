"""Who is asking, in one query per request.

Django's ModelBackend finds the login (one query), then its permissions (two more: the
user's own and their groups'), and the store middleware then finds the staff member and the
store (a fourth). Every floor page paid for all four. `StaffBackend.get_user` reads the login,
its staff member, the store and the permission names together, fresh on every request (a
permission taken away or a departure shows on the next page), so nothing is cached between
requests.

Building that query in the ORM cost more CPU than running it (a select_related two levels
deep and an array subquery, on every request): on PostgreSQL its SQL is compiled once per
process (`core.packed.Compiled`) and only the login's id changes from one request to the next.
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
    """'app_label.codename' of every permission the user holds, directly or by a group.

    Each way of holding one is its own subquery: `Q(user=...) | Q(group__user=...)` joined
    every permission to every group's members before filtering (6,000 rows, 1.6 ms of the
    database's time on every request); these read the login's few rows by index."""
    login = OuterRef(OuterRef("pk"))
    held = (Q(pk__in=Permission.user_set.through.objects.filter(user=login)
              .values("permission"))
            | Q(pk__in=Permission.group_set.through.objects.filter(group__user=login)
                .values("permission")))
    return ArraySubquery(
        Permission.objects.filter(held)
        .annotate(permission=Concat("content_type__app_label", Value("."), "codename",
                              output_field=CharField()))
        .values("permission"))


def _logins(*, user_id):
    """The login with its staff member and store cached on it (the staff member is the
    login's reverse relation, so core names no app)."""
    return (get_user_model()._default_manager.select_related("staff_member__store")
            .filter(pk=user_id))


def _login_read(*, user_id):
    return _logins(user_id=user_id).annotate(permission_names=_permission_names())


_LOGIN = Compiled(_login_read)


class StaffBackend(ModelBackend):
    """ModelBackend whose `get_user` also brings the staff member, its store and the
    permission names (PostgreSQL; elsewhere it reads them as ModelBackend does)."""

    def get_user(self, user_id):
        try:
            user_id = get_user_model()._meta.pk.to_python(user_id)
        except ValidationError:
            return None
        if connection.vendor == "postgresql":
            user = next(iter(_LOGIN.instances(user_id=user_id)), None)
        else:
            user = _logins(user_id=user_id).first()
        if user is None or not self.user_can_authenticate(user):
            return None
        if hasattr(user, "permission_names") and not user.is_superuser:
            # What ModelBackend.get_all_permissions keeps for the rest of the request.
            user._perm_cache = set(user.permission_names)
        return user
