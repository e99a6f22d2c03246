"""Staff screens: today's follow-ups, the message log, templates and messaging settings."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from core.access import staff_required
from core.errors import LoupeError
from followups import aftercare, preview, selectors, services
from followups.filters import MessageLogFilter
from followups.forms import AftercareStepForm, CallDoneForm, MessagingSettingsForm, TemplateForm
from followups.models import MessageTemplate


@staff_required("followups.view_followups")
def today(request):
    now = timezone.now()
    staff = request.staff
    return render(request, "followups/today.html", {
        "calls": selectors.calls_to_make(staff=staff, today=request.store.today(now)),
        "sent": selectors.messages_sent_today(staff=staff, now=now),
        "replies": selectors.replies_today(staff=staff, now=now),
        "done_form": CallDoneForm(),
    })


@staff_required("followups.view_followups")
@require_POST
def call_done(request, calltask_id):
    task = selectors.call_for(staff=request.staff, calltask_id=calltask_id)
    form = CallDoneForm(request.POST)
    outcome = form.cleaned_data["outcome"] if form.is_valid() else ""
    services.call_task_done(task=task, by=request.staff, outcome=outcome)
    messages.success(request, f"Call to {task.customer.full_name} ticked off.")
    return redirect("followups:today")


@staff_required("followups.view_followups")
@require_POST
def call_voicemail(request, calltask_id):
    task = selectors.call_for(staff=request.staff, calltask_id=calltask_id)
    form = CallDoneForm(request.POST)
    data = form.cleaned_data if form.is_valid() else {}
    tries = data.get("tries")
    task = services.call_task_left_voicemail(
        task=task, by=request.staff, note=data.get("outcome", ""),
        tries_seen=task.attempts if tries is None else tries)
    messages.success(request, f"Voicemail for {task.customer.full_name} noted "
                              f"(tries: {task.attempts}); the call stays on your list.")
    return redirect("followups:today")


@staff_required("followups.manage_messaging")
def message_log(request):
    log = MessageLogFilter(request.GET, queryset=selectors.message_log(store=request.store))
    # A made-up filter value shows nothing (with the form's error), never everything.
    rows = log.qs if log.is_valid() else log.queryset.none()
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "followups/message_log.html",
                  {"filter": log, "page": page, "page_query": query.urlencode(),
                   "attention": selectors.needing_attention(store=request.store)})


@staff_required("followups.manage_messaging")
def template_list(request):
    return render(request, "followups/templates.html",
                  {"templates": selectors.templates_of(store=request.store)})


@staff_required("followups.manage_messaging")
def template_edit(request, template_id):
    template = get_object_or_404(MessageTemplate, pk=template_id, store=request.store)
    form = TemplateForm(request.POST or None,
                        initial={"subject": template.subject, "body": template.body})
    shown = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if "preview" in request.POST:
                shown = preview.render_preview(template=template, subject=data["subject"],
                                               body=data["body"],
                                               email=data["preview_customer"])
            else:
                services.template_update(template=template, subject=data["subject"],
                                         body=data["body"], by=request.staff)
                messages.success(request, f"{template} saved.")
                return redirect("followups:templates")
        except LoupeError as error:
            error.add_to_form(form)
    return render(request, "followups/template_edit.html",
                  {"template": template, "form": form, "preview": shown})


@staff_required("followups.manage_messaging")
def messaging_settings(request):
    current = services.messaging_settings_for(store=request.store)
    form = MessagingSettingsForm(request.POST or None, instance=current)
    if request.method == "POST" and form.is_valid():
        try:
            services.messaging_settings_update(settings=current, by=request.staff,
                                               **{f: form.cleaned_data[f] for f in form.fields})
        except LoupeError as error:
            error.add_to_form(form)
        else:
            messages.success(request, "Messaging settings saved.")
            return redirect("followups:settings")
    return render(request, "followups/settings.html", {"form": form})


@staff_required("followups.manage_messaging")
def aftercare_steps(request):
    """The store's messages after a sale: when each goes, from which amount, on or off."""
    forms = [AftercareStepForm(request.POST or None, instance=step, prefix=step.kind)
             for step in aftercare.steps_shown(store=request.store)]
    if request.method == "POST" and all(form.is_valid() for form in forms):
        aftercare.aftercare_steps_save(store=request.store, by=request.staff, values={
            form.prefix: form.cleaned_data for form in forms})
        messages.success(request, "Aftercare steps saved.")
        return redirect("followups:aftercare")
    return render(request, "followups/aftercare.html", {"forms": forms})
