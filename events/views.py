"""Event pages: managers create events and send their campaigns; associates see their
clients' answers and check guests off at the door; customers answer by their link."""

from django.contrib import messages
from django.core.signing import BadSignature
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from core.access import staff_required
from core.errors import LoupeError
from events import selectors, services
from events.forms import AttendedForm, CampaignForm, CancelForm, EventForm, RsvpForm, ScheduleForm
from events.models import CampaignStatus, Invitation, Reason

VIEW = "events.view_events"
MANAGE = "events.manage_events"
NAMES_SHOWN = 200


def _posted(request):
    return request.POST if request.method == "POST" else None


@staff_required(VIEW)
def event_list(request):
    return render(request, "events/event_list.html",
                  {"events": selectors.events_of_store(store=request.store),
                   "now": timezone.now()})


@staff_required(MANAGE)
def event_add(request):
    form = EventForm(_posted(request), store=request.store)
    if form.is_valid():
        try:
            event = services.event_create(store=request.store, by=request.staff,
                                          **form.event_fields())
        except LoupeError as error:
            error.add_to_form(form)
        else:
            messages.success(request, f"{event.title} is on the calendar.")
            return redirect("events:event", event_id=event.pk)
    return render(request, "events/event_form.html", {"form": form})


@staff_required(MANAGE)
def event_edit(request, event_id):
    event = selectors.event_for(store=request.store, event_id=event_id)
    form = EventForm(_posted(request), store=request.store, initial=EventForm.initial_for(event))
    if form.is_valid():
        try:
            services.event_update(event=event, by=request.staff, **form.event_fields())
        except LoupeError as error:
            error.add_to_form(form)
        else:
            messages.success(request, f"{event.title}: saved.")
            return redirect("events:event", event_id=event.pk)
    return render(request, "events/event_form.html", {"form": form, "event": event})


@staff_required(MANAGE)
def event_cancel(request, event_id):
    event = selectors.event_for(store=request.store, event_id=event_id)
    form = CancelForm(_posted(request))
    if form.is_valid():
        services.event_cancel(event=event, notify=form.cleaned_data["notify"], by=request.staff)
        messages.success(request, f"{event.title} is cancelled; nothing more will be sent "
                                  "about it.")
        return redirect("events:event", event_id=event.pk)
    return render(request, "events/event_cancel.html", {"form": form, "event": event})


@staff_required(VIEW)
def event_page(request, event_id):
    event = selectors.event_for(store=request.store, event_id=event_id)
    return render(request, "events/event.html", {
        "event": event, "guests": selectors.guest_list(event=event, staff=request.staff),
        "campaigns": selectors.campaigns_of(event=event) if request.staff.is_manager else [],
    })


@staff_required(VIEW)
def guest_list(request, event_id):
    event = selectors.event_for(store=request.store, event_id=event_id)
    return render(request, "events/guest_list.html",
                  {"event": event, "guests": selectors.guest_list(event=event,
                                                                  staff=request.staff)})


@staff_required(VIEW)
@require_POST
def attended(request, event_id, invitation_id):
    invitation = selectors.invitation_for(store=request.store, event_id=event_id,
                                          invitation_id=invitation_id)
    form = AttendedForm(request.POST)
    form.is_valid()
    invitation = services.invitation_attended(
        invitation=invitation, attended=form.cleaned_data.get("attended", False),
        by=request.staff)
    if request.htmx:
        return render(request, "events/partials/_door.html", {"invitation": invitation,
                                                              "event": invitation.event})
    return redirect("events:guest-list", event_id=event_id)


@staff_required(MANAGE)
def campaign_add(request, event_id):
    event = selectors.event_for(store=request.store, event_id=event_id)
    form = CampaignForm(_posted(request), store=request.store,
                        initial=services.campaign_defaults(event=event))
    if form.is_valid():
        try:
            campaign = services.campaign_create(event=event, by=request.staff,
                                                **form.cleaned_data)
        except LoupeError as error:
            error.add_to_form(form)
        else:
            return redirect("events:campaign", campaign_id=campaign.pk)
    return render(request, "events/campaign_form.html", {"form": form, "event": event})


@staff_required(MANAGE)
def campaign_edit(request, campaign_id):
    campaign = selectors.campaign_for(store=request.store, campaign_id=campaign_id)
    form = CampaignForm(_posted(request), store=request.store, instance=campaign)
    if request.method == "POST" and form.is_valid():
        try:
            services.campaign_update(campaign=campaign, by=request.staff, **form.cleaned_data)
        except LoupeError as error:
            error.add_to_form(form)
        else:
            return redirect("events:campaign", campaign_id=campaign.pk)
    return render(request, "events/campaign_form.html",
                  {"form": form, "event": campaign.event, "campaign": campaign})


def _audience(campaign):
    """The live preview until the campaign is expanded; then what was decided."""
    if campaign.is_expanded:
        return selectors.saved_audience(campaign=campaign)
    return services.campaign_preview(campaign=campaign)


@staff_required(MANAGE)
def campaign_page(request, campaign_id, schedule_form=None, start_error=""):
    campaign = selectors.campaign_for(store=request.store, campaign_id=campaign_id)
    return render(request, "events/campaign.html", {
        "campaign": campaign, "audience": _audience(campaign),
        "schedule_form": schedule_form or ScheduleForm(), "start_error": start_error,
        "progress": selectors.progress(campaign=campaign),
        "results": selectors.campaign_results(campaign=campaign) if campaign.started_at
        else None,
    })


@staff_required(MANAGE)
def campaign_audience(request, campaign_id):
    """The names behind one reason (htmx, on request)."""
    campaign = selectors.campaign_for(store=request.store, campaign_id=campaign_id)
    reason = request.GET.get("reason", "")
    if reason not in Reason.values:
        reason = Reason.INCLUDED
    if campaign.is_expanded:
        customers = selectors.saved_customers(campaign=campaign, reason=reason,
                                              limit=NAMES_SHOWN)
    else:
        ids = services.campaign_audience_ids(campaign=campaign, reason=reason,
                                             limit=NAMES_SHOWN)
        customers = selectors.customers_by_ids(store=request.store, ids=ids)
    return render(request, "events/partials/_names.html",
                  {"customers": customers, "reason": Reason(reason), "limit": NAMES_SHOWN})


@staff_required(MANAGE)
def campaign_progress(request, campaign_id):
    campaign = selectors.campaign_for(store=request.store, campaign_id=campaign_id)
    return render(request, "events/partials/_progress.html",
                  {"campaign": campaign, "progress": selectors.progress(campaign=campaign)})


@staff_required(MANAGE)
@require_POST
def campaign_start(request, campaign_id):
    campaign = selectors.campaign_for(store=request.store, campaign_id=campaign_id)
    schedule = ScheduleForm(request.POST) if "schedule" in request.POST else None
    if schedule is not None and not schedule.is_valid():
        return campaign_page(request, campaign_id=campaign_id, schedule_form=schedule)
    at = schedule.moment(request.store) if schedule is not None else None
    try:
        campaign = services.campaign_start(campaign=campaign, by=request.staff, at=at)
    except LoupeError as error:
        if error.code == "already_started":
            messages.info(request, error.message)
            return redirect("events:campaign", campaign_id=campaign_id)
        if schedule is not None and error.field:
            error.add_to_form(schedule)
            return campaign_page(request, campaign_id=campaign_id, schedule_form=schedule)
        return campaign_page(request, campaign_id=campaign_id, schedule_form=schedule,
                             start_error=error.message)
    if campaign.status == CampaignStatus.SCHEDULED:
        local = timezone.localtime(campaign.scheduled_at, request.store.tz)
        messages.success(request, f"Scheduled for {local:%b} {local.day} at {local:%H:%M}.")
    else:
        messages.success(request, "Sending: the invitations go out as the workers get to them.")
    return redirect("events:campaign", campaign_id=campaign_id)


@staff_required(MANAGE)
@require_POST
def campaign_pause(request, campaign_id):
    return _switch(request, campaign_id, services.campaign_pause, "Paused.")


@staff_required(MANAGE)
@require_POST
def campaign_resume(request, campaign_id):
    return _switch(request, campaign_id, services.campaign_resume, "Resumed.")


def _switch(request, campaign_id, service, said):
    campaign = selectors.campaign_for(store=request.store, campaign_id=campaign_id)
    try:
        service(campaign=campaign, by=request.staff)
    except LoupeError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, said)
    return redirect("events:campaign", campaign_id=campaign_id)


@require_http_methods(["GET", "HEAD", "POST"])
def rsvp(request, invitation_token):
    """Public: the invitation's link. GET asks; POST answers (the signed token authorises
    it, so a forwarded link answers for the one invited, as a ticket would)."""
    try:
        invitation_id = services.invitation_id_from_token(invitation_token)
    except BadSignature:
        return render(request, "events/rsvp_invalid.html", status=400)
    invitation = get_object_or_404(
        Invitation.objects.select_related("event__store", "customer"), pk=invitation_id)
    form = RsvpForm(_posted(request), initial={"answer": invitation.answer or None,
                                               "guests": invitation.guests})
    answered = None
    if form.is_valid():
        try:
            answered = services.rsvp_answer(invitation=invitation, **form.cleaned_data)
        except LoupeError as error:
            error.add_to_form(form)
        else:
            invitation = answered.invitation
    return render(request, "events/rsvp.html", {
        "invitation": invitation, "event": invitation.event, "form": form,
        "answered": answered, "open": invitation.event.answers_open(timezone.now())},
        status=400 if form.errors else 200)
