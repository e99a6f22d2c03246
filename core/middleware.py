from django.utils.functional import SimpleLazyObject


def _staff_for(request):
    user = request.user
    if not user.is_authenticated:
        return None
    relation = user._meta.get_field("staff_member")
    if relation.is_cached(user):
        # Read with the login by core.auth.StaffBackend (None when the login has no profile).
        return relation.get_cached_value(user)
    # The staff member is found through the login's reverse relation, so core names no app.
    StaffMember = relation.related_model
    return StaffMember.objects.select_related("store").filter(user=user).first()


class StoreMiddleware:
    """Puts `request.staff` (the StaffMember or None) and `request.store` on every request.

    Every query a view makes is scoped to `request.store`.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.staff = SimpleLazyObject(lambda: _staff_for(request))
        request.store = SimpleLazyObject(
            lambda: request.staff.store if request.staff else None
        )
        return self.get_response(request)
