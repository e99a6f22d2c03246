"""The manager's staff pages: the team, departures, orphaned clients and their reassignment."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from core.access import has_staff_profile, staff_required
from core.errors import LoupeError
from crm import selectors as crm_selectors
from crm import services as crm_services
from staff import selectors, services
from staff.filters import OrphanFilter
from staff.forms import (
    ClientReassignForm,
    DepartureForm,
    OrphansReassignForm,
    StaffMemberAddForm,
    StaffMemberChangeForm,
    StorePolicyForm,
    SuggestionsAcceptAllForm,
    SuggestionsAcceptForm,
)
from staff.roles import ROLE_HOME

MANAGE = "staff.manage_staff"
PER_PAGE = 50
PRINT_LIMIT = 500


def _posted(request):
    """The submitted data on a POST (even an empty one: an unticked box sends nothing)."""
    return request.POST if request.method == "POST" else None


def _member(request, staff_member_id):
    return get_object_or_404(selectors.staff_of_store(store=request.store), pk=staff_member_id)


def _sellers(request):
    return list(selectors.staff_of_store(store=request.store).filter(
        pk__in=selectors.sellers_of_store(store=request.store)))


def role_home(request):
    """Each role lands on its own home page (the site's root and where login leads); a
    superuser with no staff profile, on the admin."""
    if request.user.is_superuser and not has_staff_profile(request):
        return redirect("admin:index")
    return _own_home(request)


@staff_required()
def _own_home(request):
    return redirect(ROLE_HOME[request.staff.role])


@staff_required(MANAGE)
def home(request):
    return render(request, "staff/home.html", {
        "members": selectors.staff_of_store(store=request.store),
        "policy_form": StorePolicyForm(instance=request.store),
        "orphan_count": crm_selectors.orphan_count(store=request.store),
    })


@staff_required(MANAGE)
def member_add(request):
    form = StaffMemberAddForm(_posted(request), store=request.store)
    if form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "password2"}
        try:
            member = services.staff_member_add(store=request.store, by=request.staff,
                                               password=data.pop("password1"), **data)
        except LoupeError as error:
            error.add_to_form(form)
        else:
            messages.success(request, f"{member.display_name} can now log in as "
                                      f"{member.user.username}.")
            return redirect("staff:home")
    return render(request, "staff/member_add.html", {"form": form})


@staff_required(MANAGE)
def member_change(request, staff_member_id):
    member = _member(request, staff_member_id)
    initial = {"display_name": member.display_name, "role": member.role,
               "strengths": member.strengths.all()}
    form = StaffMemberChangeForm(_posted(request), store=request.store, initial=initial)
    if form.is_valid():
        try:
            services.staff_member_change(member=member, by=request.staff,
                                         **form.cleaned_data)
        except LoupeError as error:
            error.add_to_form(form)
        else:
            messages.success(request, f"{member.display_name}: saved.")
            return redirect("staff:home")
    return render(request, "staff/member_change.html", {"form": form, "member": member})


@staff_required(MANAGE)
def member_depart(request, staff_member_id):
    member = _member(request, staff_member_id)
    today = request.store.today()
    form = DepartureForm(_posted(request), today=today, initial={"departed_on": today})
    if form.is_valid():
        try:
            moved = services.staff_member_depart(member=member, by=request.staff,
                                                 **form.cleaned_data)
        except LoupeError as error:
            error.add_to_form(form)
        else:
            messages.success(request, _departure_message(member, moved))
            return redirect("staff:home")
    return render(request, "staff/member_depart.html", {"form": form, "member": member})


def _departure_message(member, moved):
    if moved:
        return f"{member.display_name} has left; {moved} clients were handed on at once."
    return (f"{member.display_name} has left and can no longer log in; their clients are "
            f"in Orphaned clients.")


@staff_required(MANAGE)
def store_policy(request):
    form = StorePolicyForm(_posted(request), instance=request.store)
    if form.is_valid():
        try:
            services.store_policy_set(store=request.store, by=request.staff,
                                      **form.cleaned_data)
        except LoupeError as error:
            error.add_to_form(form)
        else:
            messages.success(request, "Store policy saved.")
            return redirect("staff:home")
    return render(request, "staff/store_policy.html", {"form": form})


def _orphan_filter(request):
    return OrphanFilter(request.GET or None, request=request,
                        queryset=crm_selectors.orphans_of_store(store=request.store))


def _page(request, queryset):
    return Paginator(queryset, PER_PAGE).get_page(request.GET.get("page"))


def _back_to(name, request):
    """Back to the list the manager came from, with their filter and page."""
    return redirect(f"{reverse(name)}?{request.GET.urlencode()}")


ORPHAN_FILTERS = ("former", "preference", "min_value")


def _orphan_page(request, orphans):
    """A page of orphans; unfiltered, their number comes from the kept counts, not a count
    of the store's customers (a filtered list counts what it matched), and the first pages
    in the list's own order are read by a compiled query."""
    paginator = Paginator(orphans.qs, PER_PAGE)
    if any(request.GET.get(name) for name in ORPHAN_FILTERS):
        return paginator.get_page(request.GET.get("page"))
    paginator.count = crm_selectors.orphan_count(store=request.store)
    page = paginator.get_page(request.GET.get("page"))
    if not request.GET.get("sort") and paginator.count:
        compiled = crm_selectors.orphans_at(store=request.store, limit=PER_PAGE,
                                            offset=page.start_index() - 1)
        if compiled is not None:
            page.object_list = compiled
    return page


def _orphans_page(request, form, sellers, template="staff/orphans.jinja", **extra):
    orphans = _orphan_filter(request)
    page = _orphan_page(request, orphans)
    selectors.add_upcoming(page.object_list, today=request.store.today())
    return render(request, template, {
        "filter": orphans, "page": page, "form": form, "sellers": sellers,
        "ticked": set(request.POST.getlist("customers")), **extra,
    })


@staff_required(MANAGE)
def orphans(request):
    sellers = list(selectors.sellers_to_pick(store=request.store))
    form = OrphansReassignForm(store=request.store, sellers=sellers)
    return _orphans_page(request, form, sellers)


@staff_required(MANAGE)
def orphans_print(request):
    orphans = _orphan_filter(request)
    rows = list(orphans.qs[:PRINT_LIMIT])
    selectors.add_upcoming(rows, today=request.store.today())
    return render(request, "staff/orphans_print.html", {
        "rows": rows, "total": orphans.qs.count(), "limit": PRINT_LIMIT,
        "printed_on": request.store.today(),
    })


@staff_required(MANAGE)
@require_POST
def orphans_reassign(request):
    sellers = list(selectors.sellers_to_pick(store=request.store))
    form = OrphansReassignForm(request.POST, store=request.store, sellers=sellers)
    return (_apply_moves(request, form, done="{} clients reassigned.", back_to="staff:orphans")
            or _orphans_page(request, form, sellers))


def _apply_moves(request, form, *, done: str, back_to: str):
    """Reassign the form's moves and redirect, or None with the reason on the form."""
    if not form.is_valid():
        return None
    try:
        moved = crm_services.clients_reassign(store=request.store, by=request.staff,
                                              moves=form.cleaned_data["moves"])
    except LoupeError as error:
        error.add_to_form(form)
        return None
    messages.success(request, done.format(moved))
    return _back_to(back_to, request)


def _suggestions_page(request, form):
    orphans = _orphan_filter(request)
    suggestions = selectors.orphan_suggestions(store=request.store, orphans=orphans.qs)
    return _orphans_page(request, form, _sellers(request), template="staff/orphans_suggest.html",
                         suggestions=suggestions)


@staff_required(MANAGE)
def orphans_suggest(request):
    return _suggestions_page(request, SuggestionsAcceptForm())


@staff_required(MANAGE)
@require_POST
def suggestions_accept(request):
    form = SuggestionsAcceptForm(request.POST)
    return (_apply_moves(request, form, done="{} suggestions accepted.",
                         back_to="staff:orphans-suggest")
            or _suggestions_page(request, form))


@staff_required(MANAGE)
def suggestions_accept_all(request):
    """Every suggestion of the (filtered) list in one go, after a look at who gets what."""
    refused = []
    if request.method == "POST":
        form = SuggestionsAcceptAllForm(request.POST)
        done = _apply_moves(request, form, done="{} suggestions accepted.",
                            back_to="staff:orphans")
        if done:
            return done
        refused = [error for errors in form.errors.values() for error in errors]
    suggestions = selectors.orphan_suggestions(store=request.store,
                                               orphans=_orphan_filter(request).qs)
    return render(request, "staff/suggestions_accept_all.html", {
        "suggestions": suggestions, "shares": suggestions.shares(), "refused": refused,
        "form": SuggestionsAcceptAllForm.for_suggestions(suggestions),
    })


@staff_required(MANAGE)
def client_reassign(request, customer_id):
    customer = crm_selectors.customer_for(store=request.store, customer_id=customer_id)
    sellers = _sellers(request)
    form = ClientReassignForm(_posted(request), store=request.store, sellers=sellers,
                              initial={"shown": customer.assigned_to_id})
    if form.is_valid():
        move = crm_services.Move(customer_id=customer.pk,
                                 shown_associate_id=form.cleaned_data["shown"],
                                 associate_id=form.cleaned_data["associate"].pk)
        try:
            crm_services.clients_reassign(store=request.store, by=request.staff, moves=[move])
        except LoupeError as error:
            error.add_to_form(form)
        else:
            messages.success(request, f"{customer.full_name} reassigned.")
            return _after_one(request, customer)
    return render(request, "staff/client_reassign.html", {
        "form": form, "customer": customer, "from_customer": _from_customer(request)})


def _from_customer(request) -> bool:
    return request.GET.get("from") == "customer"


def _after_one(request, customer):
    """Back to the customer page if the manager came from it, else to the orphan list."""
    if _from_customer(request):
        return redirect("crm:customer", customer_id=customer.pk)
    return redirect("staff:orphans")
