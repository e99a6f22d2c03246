from django.shortcuts import render

from core.access import staff_required
from staff.models import StaffMember


@staff_required("staff.manage_staff")
def home(request):
    members = StaffMember.objects.for_store(request.store).select_related("user")
    return render(request, "staff/home.html", {"members": members})
