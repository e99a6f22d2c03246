"""Who is asking, in one query per request.

Django's ModelBackend finds the login (one query), then its permissions (two more: the
user's own and their groups'), and the store middleware then finds the staff member and the
store (a fourth). Every floor page paid for all four. `StaffBackend.get_user` reads the login,
its staff member, the store and the permission names together, fresh on every request (a
permission taken away or a departure shows on the next page), so nothing is cached between
requests.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Permission
from django.contrib.postgres.expressions import ArraySubquery
from django.db import connection
from django.db.models import CharField, OuterRef, Q, Value
from django.db.models.functions import Concat


def _permission_names():
    """'app_label.codename' of every permission the user holds, directly or by a group."""
    held = Q(user=OuterRef("pk")) | Q(group__user=OuterRef("pk"))
    return ArraySubquery(
        Permission.objects.filter(held)
        .annotate(permission=Concat("content_type__app_label", Value("."), "codename",
                              output_field=CharField()))
        .values("permission"))


class StaffBackend(ModelBackend):
    """ModelBackend whose `get_user` also brings the staff member, its store and the
    permission names (PostgreSQL; elsewhere it reads them as ModelBackend does)."""

    def get_user(self, user_id):
        users = get_user_model()._default_manager.select_related("staff_member__store")
        if connection.vendor == "postgresql":
            users = users.annotate(permission_names=_permission_names())
        user = users.filter(pk=user_id).first()
        if user is None or not self.user_can_authenticate(user):
            return None
        if hasattr(user, "permission_names") and not user.is_superuser:
            # What ModelBackend.get_all_permissions keeps for the rest of the request.
            user._perm_cache = set(user.permission_names)
        return user
