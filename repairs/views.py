from django.shortcuts import render

from core.access import staff_required


@staff_required("repairs.view_envelope")
def home(request):
    return render(request, "repairs/home.html")
