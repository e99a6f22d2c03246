"""The floor tablet's own pages (take over by PIN, lock) and the manager's: which browsers
are floor tablets, PINs and unlocking, and the audit trail."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import authenticate, login
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from core.access import staff_required
from core.errors import LoupeError
from staff import floor, selectors, services
from staff.floor_forms import (
    AuditFilterForm,
    FloorDeviceForm,
    OwnPinSetForm,
    PinForm,
    PinSetForm,
)

MANAGE = "staff.manage_staff"
AUDIT_PER_PAGE = 50
# A PIN switch always comes from this backend: the PIN was checked by the service.
PIN_BACKEND = "django.contrib.auth.backends.ModelBackend"


def _posted(request):
    return request.POST if request.method == "POST" else None


def _device(request):
    if request.floor_device is None:
        raise Http404("This browser is not one of the store's floor tablets.")
    return request.floor_device


def _next(request) -> str:
    """Where the associate was when the screen locked (a path on this site, or "")."""
    nxt = request.POST.get("next") or request.GET.get("next") or ""
    safe = url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure())
    return nxt if safe and nxt.startswith("/") else ""


def floor_screen(request):
    """The tablet's lock and switch screen: tap your name, then type your PIN."""
    device = _device(request)
    locked = request.user.is_authenticated and floor.is_locked(request.session)
    return render(request, "staff/floor_switch.html", {
        "device": device, "members": selectors.floor_staff(store=device.store),
        "locked_user": request.user if locked else None, "next": _next(request),
    })


def floor_pin(request, staff_member_id):
    device = _device(request)
    member = get_object_or_404(selectors.floor_staff(store=device.store), pk=staff_member_id)
    form = PinForm(_posted(request))
    status = 200
    if form.is_valid():
        try:
            services.floor_pin_check(device=device, member=member,
                                     pin=form.cleaned_data["pin"])
        except LoupeError as error:
            error.add_to_form(form)
            status = 429 if error.code == "throttled" else 200
        else:
            return _take_over(request, device, member)
    return render(request, "staff/floor_pin.html", {
        "device": device, "member": member, "form": form, "next": _next(request),
    }, status=status)


def _take_over(request, device, member):
    """The session becomes `member`'s: a new session key, and another associate's session
    is emptied (Django's login flushes it), so nothing of theirs carries over."""
    previous = request.user if request.user.is_authenticated else None
    request.login_method = "pin"
    login(request, member.user, backend=PIN_BACKEND)
    floor.unlock(request.session)
    services.floor_switched(device=device, member=member, previous_user=previous)
    nxt = _next(request)
    if previous is not None and previous.pk == member.user_id and nxt:
        return redirect(nxt)
    return redirect("home")


@require_POST
def floor_lock(request):
    """Lock the screen now (the Lock button, or the page's idle timer with why=idle)."""
    device = _device(request)
    if request.user.is_authenticated:
        floor.lock(request.session)
        if request.staff:
            why = "idle" if request.POST.get("why") == "idle" else "button"
            services.floor_locked(device=device, by=request.staff, why=why)
    return redirect(f"{reverse('staff:floor')}?{urlencode({'next': _next(request)})}")


@require_POST
def floor_alive(request):
    """The page's script says the associate is still at work (typing a long note makes no
    request): the middleware has already counted this request as use of the tablet."""
    _device(request)
    return HttpResponse(status=204)


@staff_required(MANAGE)
def floor_devices(request):
    """The store's floor tablets; marking this browser as one gives it the device cookie."""
    form = FloorDeviceForm(_posted(request))
    if form.is_valid():
        try:
            device = services.floor_device_mark(store=request.store, by=request.staff,
                                                name=form.cleaned_data["name"])
        except LoupeError as error:
            error.add_to_form(form)
        else:
            messages.success(request, f"This browser is now the floor tablet "
                                      f"\u201c{device.name}\u201d.")
            response = redirect("staff:floor-devices")
            floor.remember_device(response, device)
            return response
    return render(request, "staff/floor_devices.html", {
        "form": form, "devices": selectors.floor_devices_of_store(store=request.store),
    })


def _store_device(request, device_id):
    return get_object_or_404(selectors.floor_devices_of_store(store=request.store),
                             pk=device_id)


@staff_required(MANAGE)
@require_POST
def floor_device_retire(request, device_id):
    device = _store_device(request, device_id)
    services.floor_device_retire(device=device, by=request.staff)
    messages.success(request, f"\u201c{device.name}\u201d is no longer a floor tablet.")
    response = redirect("staff:floor-devices")
    if request.floor_device is not None and request.floor_device.pk == device.pk:
        floor.forget_device(response)
    return response


@staff_required(MANAGE)
@require_POST
def floor_device_unlock(request, device_id):
    device = _store_device(request, device_id)
    services.floor_device_unlock(device=device, by=request.staff)
    messages.success(request, f"\u201c{device.name}\u201d may take PINs again.")
    return redirect("staff:floor-devices")


@staff_required()
def own_pin(request):
    """An associate sets their own PIN, after proving it is them with their password."""
    form = OwnPinSetForm(_posted(request))
    if form.is_valid():
        user = authenticate(request, username=request.user.get_username(),
                            password=form.cleaned_data["password"])
        if user is None or user.pk != request.user.pk:
            form.add_error("password", "That password is not right.")
        else:
            services.staff_pin_set(member=request.staff, pin=form.cleaned_data["pin"],
                                   by=request.staff)
            messages.success(request, "Your PIN is set: use it on the floor tablet.")
            return redirect("home")
    return render(request, "staff/own_pin.html", {"form": form})


def _member(request, staff_member_id):
    return get_object_or_404(selectors.members_of_store(store=request.store),
                             pk=staff_member_id)


@staff_required(MANAGE)
def member_pin(request, staff_member_id):
    """A manager resets an associate's PIN (forgotten, or seen by someone)."""
    member = _member(request, staff_member_id)
    form = PinSetForm(_posted(request))
    if form.is_valid():
        services.staff_pin_set(member=member, pin=form.cleaned_data["pin"], by=request.staff)
        messages.success(request, f"{member.display_name}: new PIN set.")
        return redirect("staff:member-change", staff_member_id=member.pk)
    return render(request, "staff/member_pin.html", {"form": form, "member": member})


@staff_required(MANAGE)
@require_POST
def member_unlock(request, staff_member_id):
    member = _member(request, staff_member_id)
    services.staff_unlock(member=member, by=request.staff)
    messages.success(request, f"{member.display_name} may log in again.")
    return redirect("staff:member-change", staff_member_id=member.pk)


@staff_required(MANAGE)
def audit(request):
    """Who did what, when and from which device: filterable, paginated, printable."""
    members = selectors.members_of_store(store=request.store)
    form = AuditFilterForm(request.GET or None, members=members)
    filters = form.cleaned_data if form.is_valid() else {}
    entries = selectors.audit_trail(store=request.store, **{
        key: value for key, value in filters.items() if value not in (None, "")})
    page = Paginator(entries, AUDIT_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "staff/audit.html", {"form": form, "page": page})
