"""Server-side access checks shared by every view."""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils.functional import LazyObject, empty


def has_staff_profile(request) -> bool:
    """Whether the logged-in user is on a store's staff.

    `request.staff` is lazy, so it is never `None` itself: it is falsy when it wraps no
    StaffMember (a `createsuperuser` login, a user made in the admin).
    """
    return bool(request.staff)


def no_staff_profile(request):
    """The clear answer for a login that belongs to no store, with a way out (403)."""
    return render(request, "no_staff_profile.html", status=403)


def _unwrapped(value):
    if isinstance(value, LazyObject):
        if value._wrapped is empty:
            value._setup()
        return value._wrapped
    return value


def _resolved(request) -> None:
    """Who is asking, as themselves: once let in, the login, staff member and store are read
    (they were, to let them in) and the lazy stand-ins give way to the objects, so the page's
    hundreds of reads of them no longer each go through the stand-in (~0.2 ms a page)."""
    request.user = _unwrapped(request.user)
    request.staff = _unwrapped(request.staff)
    request.store = _unwrapped(request.store)


def staff_required(*perms: str):
    """Let in active staff members holding every permission in `perms`.

    Anonymous users go to the login page; a login with no staff profile gets a page saying so
    (with a logout, and the admin for superusers); a departed member, or one who lacks a
    permission, gets 403. Objects are then fetched through the store-scoped selectors, so
    another store's object is a 404.
    """

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not has_staff_profile(request):
                return no_staff_profile(request)
            if not request.staff.is_active:
                raise PermissionDenied
            if perms and not request.user.has_perms(perms):
                raise PermissionDenied
            _resolved(request)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
