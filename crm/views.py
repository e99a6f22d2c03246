from django.shortcuts import render

from core.access import staff_required
from crm import selectors


@staff_required("crm.view_customer")
def home(request):
    clients = selectors.clients_of(staff_member=request.staff)
    return render(request, "crm/home.html", {"clients": clients})
