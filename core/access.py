"""Server-side access checks shared by every view."""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied


def staff_required(*perms: str):
    """Let in active staff members holding every permission in `perms`.

    Anonymous users go to the login page; a logged-in user who is not an active staff member,
    or lacks a permission, gets 403. Objects are then fetched through the store-scoped
    selectors, so another store's object is a 404.
    """

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            staff = request.staff
            if staff is None or not staff.is_active:
                raise PermissionDenied
            if perms and not request.user.has_perms(perms):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
