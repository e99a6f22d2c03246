def staff(request):
    """`staff_member` for every template: the StaffMember, or None (anonymous, no profile)."""
    user = getattr(request, "user", None)
    member = getattr(request, "staff", None)
    if not user or not user.is_authenticated or not member:
        return {"staff_member": None}
    return {"staff_member": member}
