def staff(request):
    member = getattr(request, "staff", None)
    if member is None or not getattr(request, "user", None) or not request.user.is_authenticated:
        return {"staff_member": None}
    return {"staff_member": member}
