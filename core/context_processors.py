import functools

from django.contrib.auth.context_processors import PermLookupDict, PermWrapper
from django.contrib.auth.models import AnonymousUser


def staff(request):
    """`staff_member` for every template: the StaffMember, or None (anonymous, no profile, or
    a floor tablet's locked screen, which shows no one's navigation)."""
    user = getattr(request, "user", None)
    member = getattr(request, "staff", None)
    if not user or not user.is_authenticated or not member \
            or getattr(request, "floor_locked", False):
        return {"staff_member": None}
    return {"staff_member": member}


class _HeldByApp(PermLookupDict):
    def __getitem__(self, perm_name):
        return self.user.is_active and (
            self.user.is_superuser or f"{self.app_label}.{perm_name}" in self.held)


class RequestPerms(PermWrapper):
    """Django's `perms`, answered from the user's permissions gathered once per request.

    `perms.crm.change_customer` asks `user.has_perm`, which loads every authentication
    backend again and asks each one (a customer page asks about a dozen times). Here the
    answer is what `has_perm` gives for backends that hold permissions as names (Django's
    ModelBackend, Loupe's StaffBackend; axes holds none): active, and a superuser or holding
    it among `get_all_permissions()`, read once, on the first question of the request."""

    @functools.cached_property
    def held(self) -> set[str]:
        return self.user.get_all_permissions()

    def __getitem__(self, app_label):
        lookup = _HeldByApp(self.user, app_label)
        lookup.held = self.held
        return lookup


def auth(request):
    """Django's `auth` context processor (`user`, `perms`) with `RequestPerms`."""
    user = request.user if hasattr(request, "user") else AnonymousUser()
    return {"user": user, "perms": RequestPerms(user)}
