"""Staff screens: today's follow-ups, the message log, templates and messaging settings."""

import datetime
import uuid

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from appointments.selectors import appointments_today
from core.access import staff_required
from core.errors import LoupeError
from crm.selectors import customer_for
from followups import aftercare, preview, selectors, services
from followups.filters import MessageLogFilter
from followups.forms import (
    AftercareStepForm,
    CallDoneForm,
    MessagingSettingsForm,
    ReassignForm,
    ReplyForm,
    SnoozeForm,
    TaskForm,
    TemplateForm,
)
from followups.models import MessageTemplate
from staff.selectors import sellers_of_store


@staff_required("followups.view_followups")
def today(request):
    """The associate's start page, in the order a person works it: customers waiting for an
    answer, today's appointments, tasks due, today's occasions, the answers that came in and
    what went out."""
    now = timezone.now()
    staff = request.staff
    day = request.store.today(now)
    return render(request, "followups/today.html", {
        "replies": selectors.replies_waiting(staff=staff),
        "appointments": appointments_today(staff=staff, today=day),
        "tasks": selectors.tasks_due(staff=staff, today=day),
        "occasions": selectors.occasions_today(staff=staff, today=day),
        "sent": selectors.messages_sent_today(staff=staff, now=now),
        # Answers logged on the timeline today (an RSVP, a texted YES): nothing to do, good
        # to know before the customer walks in.
        "answers": selectors.replies_today(staff=staff, now=now),
        "done_form": CallDoneForm(), "today": day,
    })


@staff_required("followups.view_followups")
@require_POST
def call_done(request, calltask_id):
    task = selectors.task_for(staff=request.staff, task_id=calltask_id)
    form = CallDoneForm(request.POST)
    outcome = form.cleaned_data["outcome"] if form.is_valid() else ""
    services.task_done(task=task, by=request.staff, outcome=outcome)
    what = "Call to" if task.is_call else f"{task.get_kind_display()} for"
    messages.success(request, f"{what} {task.customer.full_name} ticked off.")
    return redirect("followups:today")


@staff_required("followups.view_followups")
@require_POST
def call_voicemail(request, calltask_id):
    task = selectors.task_for(staff=request.staff, task_id=calltask_id)
    form = CallDoneForm(request.POST)
    data = form.cleaned_data if form.is_valid() else {}
    tries = data.get("tries")
    task = services.task_left_voicemail(
        task=task, by=request.staff, note=data.get("outcome", ""),
        tries_seen=task.attempts if tries is None else tries)
    messages.success(request, f"Voicemail for {task.customer.full_name} noted "
                              f"(tries: {task.attempts}); the call stays on your list.")
    return redirect("followups:today")


@staff_required("followups.view_followups")
def task_snooze(request, task_id):
    task = selectors.task_for(staff=request.staff, task_id=task_id)
    form = SnoozeForm(request.POST or None, initial={
        "until": request.store.today() + datetime.timedelta(days=1)})
    if request.method == "POST" and form.is_valid():
        try:
            task = services.task_snooze(task=task, until=form.cleaned_data["until"],
                                        by=request.staff)
        except LoupeError as error:
            error.add_to_form(form)
        else:
            messages.success(request, f"{task.get_kind_display()} for "
                                      f"{task.customer.full_name} moved to "
                                      f"{task.due_on:%a %b} {task.due_on.day}.")
            return redirect("followups:today")
    return render(request, "followups/task_form.html",
                  {"form": form, "task": task, "customer": task.customer, "action": "snooze"})


@staff_required("followups.view_followups", "staff.manage_staff")
def task_reassign(request, task_id):
    task = selectors.task_for(staff=request.staff, task_id=task_id)
    form = ReassignForm(request.POST or None, sellers=sellers_of_store(store=request.store))
    if request.method == "POST" and form.is_valid():
        try:
            task = services.task_reassign(task=task, assignee=form.cleaned_data["assignee"],
                                          by=request.staff)
        except LoupeError as error:
            error.add_to_form(form)
        else:
            messages.success(request, f"Given to {task.assignee.display_name}.")
            return redirect("followups:today")
    return render(request, "followups/task_form.html",
                  {"form": form, "task": task, "customer": task.customer,
                   "action": "reassign"})


@staff_required("followups.view_followups")
def task_add(request, customer_id):
    customer = customer_for(store=request.store, customer_id=customer_id)
    form = TaskForm(request.POST or None, initial={"due_on": request.store.today()})
    if request.method == "POST" and form.is_valid():
        try:
            services.task_create(customer=customer, by=request.staff, **form.cleaned_data)
        except LoupeError as error:
            error.add_to_form(form)
        else:
            messages.success(request, f"Task added for {customer.full_name}.")
            return redirect("crm:customer", customer_id=customer.pk)
    return render(request, "followups/task_form.html",
                  {"form": form, "customer": customer, "action": "add"})


@staff_required("followups.view_followups")
def conversation(request, customer_id):
    """The customer's thread of texts and emails, with the reply box (also on their page)."""
    customer = customer_for(store=request.store, customer_id=customer_id)
    form = ReplyForm(request.POST or None, addresses=services.reply_addresses(customer),
                     initial={"key": uuid.uuid4(),
                              "address": services.reply_default_address(customer)})
    if request.method == "POST" and form.is_valid():
        try:
            message = services.customer_reply_send(customer=customer, by=request.staff,
                                                   **form.cleaned_data)
        except LoupeError as error:
            error.add_to_form(form)
        else:
            messages.success(request, services.reply_status(message))
            return redirect("followups:conversation", customer_id=customer.pk)
    return render(request, "followups/conversation.html", {
        "customer": customer, "form": form,
        "thread": selectors.customer_thread(customer=customer),
        "snippets": selectors.snippets_of(store=request.store)})


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
