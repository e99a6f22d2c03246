def staff(request):
    """`staff_member` for every template: the StaffMember, or None (anonymous, no profile, or
    a floor tablet's locked screen, which shows no one's navigation)."""
    user = getattr(request, "user", None)
    member = getattr(request, "staff", None)
    if not user or not user.is_authenticated or not member \
            or getattr(request, "floor_locked", False):
        return {"staff_member": None}
    return {"staff_member": member}
