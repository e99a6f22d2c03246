"""The manager's dashboard, the customers behind each figure, and each associate's year."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.access import staff_required
from core.errors import LoupeError
from crm import selectors as crm_selectors
from followups import services as followups_services
from insights import selectors, services
from insights.forms import GoalForm, PeriodForm
from insights.selectors import Period
from staff import selectors as staff_selectors

DASHBOARD = "insights.view_dashboard"
MY_YEAR = "insights.view_my_year"
LAPSED_SHOWN = 15
PER_PAGE = 50


def _period(request):
    """The period asked for (month to date when none is, or it makes no sense)."""
    today = request.store.today()
    default = Period.month_to_date(today)
    form = PeriodForm(request.GET if "start" in request.GET else None,
                      initial={"start": default.start, "end": default.end})
    if form.is_bound and form.is_valid():
        return form, Period(form.cleaned_data["start"], form.cleaned_data["end"]), today
    return form, default, today


@staff_required(DASHBOARD)
def dashboard(request):
    form, period, today = _period(request)
    store = request.store
    base = selectors.customer_base(store=store, today=today)
    orphans = selectors.orphans_over_time(store=store, today=today)
    lapsed = list(selectors.lapsed_customers(store=store, today=today)[:LAPSED_SHOWN])
    selectors.add_reach_out_details(store=store, customers=lapsed, today=today)
    goals = {g.associate_id: g for g in selectors.goals_of_store(store=store, year=today.year)}
    rows = selectors.associate_figures(store=store, period=period, today=today)
    for row in rows:
        row["goal"] = goals.get(row["member"].pk)
    return render(request, "insights/dashboard.html", {
        "form": form, "period": period, "today": today, "base": base, "orphans": orphans,
        "chart": selectors.chart_data(base) | {"orphans": [p["n"] for p in orphans["points"]]},
        "top": selectors.top_customers(store=store), "lapsed": lapsed,
        "rows": rows, "funnel": selectors.follow_up_funnel(store=store, period=period),
        "rolled_up_through": base["rolled_up_through"],
    })


@staff_required(DASHBOARD)
def lapsed(request):
    today = request.store.today()
    page = Paginator(selectors.lapsed_customers(store=request.store, today=today),
                     PER_PAGE).get_page(request.GET.get("page"))
    selectors.add_reach_out_details(store=request.store, customers=page.object_list,
                                    today=today)
    return render(request, "insights/lapsed.html", {"page": page, "today": today})


def _associate_asked(request):
    """Whose figure: anyone's (or everyone's) for a manager, always their own for others."""
    if not request.user.has_perm(DASHBOARD):
        return request.staff
    asked = request.GET.get("associate", "")
    if not asked:
        return None
    if not asked.isdigit():
        raise Http404
    return get_object_or_404(staff_selectors.staff_of_store(store=request.store), pk=asked)


@staff_required(MY_YEAR)
def customers(request, figure):
    """The customers behind one figure of the dashboard (or of the associate's own row)."""
    form, period, today = _period(request)
    associate = _associate_asked(request)
    found = selectors.customers_behind(store=request.store, figure=figure, period=period,
                                       today=today, associate=associate)
    if found is None:
        raise Http404("No such figure.")
    title = {**selectors.ASSOCIATE_FIGURES, **selectors.STORE_FIGURES}[figure]
    return render(request, "insights/customers.html", {
        "page": Paginator(found, PER_PAGE).get_page(request.GET.get("page")),
        "title": title, "associate": associate, "period": period, "form": form,
        "per_period": figure not in ("lapsed", "top")})


@staff_required(DASHBOARD)
@require_POST
def reach_out(request, customer_id):
    customer = crm_selectors.customer_for(store=request.store, customer_id=customer_id)
    task, created = followups_services.reach_out_task_create(customer=customer,
                                                            by=request.staff)
    who = task.assignee.display_name if task.assignee else _("the managers' list")
    if created:
        messages.success(request, _("%(who)s has a call to reach out to %(name)s today.")
                         % {"who": who, "name": customer.full_name})
    else:
        messages.info(request, _("%(who)s already has a call to reach out to %(name)s.")
                      % {"who": who, "name": customer.full_name})
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = ""
    return redirect(back or "insights:dashboard")


@staff_required(MY_YEAR)
def my_year(request):
    today = request.store.today()
    period = Period.year_to_date(today)
    rows = selectors.associate_figures(store=request.store, period=period, today=today,
                                       associate=request.staff)
    return render(request, "insights/my_year.html", {
        "progress": selectors.goal_progress(store=request.store, associate=request.staff,
                                            year=today.year),
        "row_list": rows, "period": period, "today": today})


@staff_required(MY_YEAR)
def goal_edit(request, staff_member_id):
    associate = get_object_or_404(staff_selectors.staff_of_store(store=request.store),
                                  pk=staff_member_id)
    if not services.may_set_goals(associate=associate, by=request.staff):
        raise Http404
    year = request.store.today().year
    current = selectors.goal_progress(store=request.store, associate=associate,
                                      year=year)["goal"]
    form = GoalForm(request.POST or None, initial={
        "year": year, "sales_amount": current.sales_amount if current else None,
        "new_profiles": current.new_profiles if current else None,
        "appointments": current.appointments if current else None})
    if request.method == "POST" and form.is_valid():
        try:
            services.goal_set(associate=associate, by=request.staff, **form.cleaned_data)
        except LoupeError as error:
            error.add_to_form(form)
        else:
            messages.success(request, _("Goals for %(year)s saved.") % {
                "year": form.cleaned_data["year"]})
            own = associate.pk == request.staff.pk
            return redirect("insights:my-year" if own else "insights:dashboard")
    return render(request, "insights/goal_edit.html",
                  {"form": form, "associate": associate, "year": year})
