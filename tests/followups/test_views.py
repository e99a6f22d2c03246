"""The follow-up screens: today's list, the message log, templates and settings."""

import datetime

import pytest
from django.template import Context, Template
from django.urls import reverse

from crm.models import Interaction, InteractionKind
from followups import rendering
from followups.models import (
    CallTask,
    Message,
    MessageStatus,
    MessageTemplate,
    MessagingSettings,
)
from followups.services import templates_ensure
from tests.factories import (
    CallTaskFactory,
    CustomerFactory,
    MessageFactory,
    MessageTemplateFactory,
    OccasionFactory,
    StaffMemberFactory,
    WishItemFactory,
)

pytestmark = pytest.mark.django_db

TODAY = reverse("followups:today")
LOG = reverse("followups:message-log")
SETTINGS = reverse("followups:settings")


def _calls(store, assignee, n):
    for i in range(n):
        customer = CustomerFactory(store=store, assigned_to=assignee, first_name=f"Client{i}")
        WishItemFactory(customer=customer, description=f"Pearl strand {i}")
        CallTaskFactory(customer=customer, assignee=assignee)


def test_an_associate_sees_their_calls_with_the_occasion_and_wish_list(sales_client, store,
                                                                      salesperson):
    customer = CustomerFactory(store=store, assigned_to=salesperson, first_name="Nora")
    WishItemFactory(customer=customer, description="Emerald drop earrings")
    CallTaskFactory(customer=customer, occasion=OccasionFactory(customer=customer,
                                                                kind="anniversary"))
    colleague = StaffMemberFactory(store=store)
    CallTaskFactory(customer=CustomerFactory(store=store, assigned_to=colleague,
                                             first_name="Zelda"))
    page = sales_client.get(TODAY).content.decode()
    assert "Nora" in page and "Anniversary" in page and "Emerald drop earrings" in page
    assert "Zelda" not in page


def test_orphaned_clients_calls_are_on_the_managers_list(client, manager, salesperson, store):
    CallTaskFactory(customer=CustomerFactory(store=store, first_name="Orphaned-Olive"),
                    assignee=None)
    client.force_login(manager.user)
    assert "Orphaned-Olive" in client.get(TODAY).content.decode()
    client.force_login(salesperson.user)
    assert "Orphaned-Olive" not in client.get(TODAY).content.decode()


def test_todays_page_queries_stay_constant(sales_client, store, salesperson,
                                           django_assert_max_num_queries):
    _calls(store, salesperson, 3)
    # 16: the day's lists, the goals panel (insights' tag: goal, sales, new profiles and
    # appointments) and today's answers.
    with django_assert_max_num_queries(16) as few:
        sales_client.get(TODAY)
    _calls(store, salesperson, 40)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = sales_client.get(TODAY)
    assert response.content.decode().count("Pearl strand") == 43


def test_ticking_off_a_call_puts_it_on_the_timeline_once(sales_client, store, salesperson):
    customer = CustomerFactory(store=store, assigned_to=salesperson)
    call = CallTaskFactory(customer=customer)
    url = reverse("followups:call-done", kwargs={"calltask_id": call.pk})
    sales_client.post(url, {"outcome": "Coming in Saturday"})
    sales_client.post(url, {"outcome": "Coming in Saturday"})
    call.refresh_from_db()
    assert call.done_by == salesperson
    entry = Interaction.objects.get(customer=customer)
    assert entry.kind == InteractionKind.CALL and "Coming in Saturday" in entry.summary
    assert "Coming in Saturday" not in sales_client.get(TODAY).content.decode()


def test_a_colleagues_or_another_stores_call_is_not_found(client, salesperson, other_manager,
                                                          store):
    colleague = StaffMemberFactory(store=store)
    call = CallTaskFactory(customer=CustomerFactory(store=store, assigned_to=colleague))
    url = reverse("followups:call-done", kwargs={"calltask_id": call.pk})
    for member in (salesperson, other_manager):
        client.force_login(member.user)
        assert client.post(url).status_code == 404
    assert CallTask.objects.get().done_at is None


def test_the_message_log_filters_by_status_and_channel(manager_client, store):
    customer = CustomerFactory(store=store, last_name="Failedson")
    MessageFactory(customer=customer, status=MessageStatus.FAILED, reason="Twilio 21610")
    MessageFactory(customer=CustomerFactory(store=store, last_name="Sentworth"),
                   status=MessageStatus.SENT)
    page = manager_client.get(LOG, {"status": "failed", "channel": "email"}).content.decode()
    assert "Failedson" in page and "Twilio 21610" in page
    assert "Sentworth" not in page
    assert "Failedson" not in manager_client.get(LOG, {"channel": "sms"}).content.decode()


def test_the_message_log_shows_only_this_store(other_manager_client, store):
    MessageFactory(customer=CustomerFactory(store=store, last_name="Springfielder"))
    assert "Springfielder" not in other_manager_client.get(LOG).content.decode()


def test_the_message_log_queries_stay_constant(manager_client, store,
                                               django_assert_max_num_queries):
    customer = CustomerFactory(store=store)
    for day in range(1, 6):  # one customer's reminders for five dates
        MessageFactory(customer=customer, occurs_on=datetime.date(2026, 12, day))
    with django_assert_max_num_queries(10) as few:
        manager_client.get(LOG)
    for _ in range(60):
        MessageFactory(customer=CustomerFactory(store=store))
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert manager_client.get(LOG).status_code == 200


def test_a_salesperson_cannot_open_the_log_templates_or_settings(sales_client):
    for url in (LOG, reverse("followups:templates"), SETTINGS):
        assert sales_client.get(url).status_code == 403


def test_every_default_template_is_listed_for_editing(manager_client, store):
    page = manager_client.get(reverse("followups:templates")).content.decode()
    # Every kind and channel the defaults have words for.
    assert MessageTemplate.objects.filter(store=store).count() == len(rendering.DEFAULTS)
    assert "Repair ready" in page and "Event invitation" in page
    assert "Sign-up confirmation" in page and "Care of a piece bought" in page
    assert "Website voucher" in page and "Drawing winner" in page
    assert "Repair still waiting for pickup" in page and "Appointment reminder" in page


def _edit_url(store, kind="birthday", channel="email"):
    templates_ensure(store=store)
    template = MessageTemplate.objects.get(store=store, kind=kind, channel=channel)
    return template, reverse("followups:template-edit", kwargs={"template_id": template.pk})


def test_a_manager_saves_a_template(manager_client, store):
    template, url = _edit_url(store)
    response = manager_client.post(url, {"subject": "Happy birthday, {{ first_name }}",
                                         "body": "See you soon, {{ first_name }}!"})
    assert response.status_code == 302
    template.refresh_from_db()
    assert template.subject == "Happy birthday, {{ first_name }}"


def test_an_unknown_placeholder_is_refused_and_the_text_is_kept(manager_client, store):
    template, url = _edit_url(store)
    before = template.body
    response = manager_client.post(url, {"subject": "Hi", "body": "Dear {{ customer.email }}"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Only placeholders like" in page or "Unknown placeholder" in page
    assert "Dear {{ customer.email }}" in page
    template.refresh_from_db()
    assert template.body == before


def test_a_template_tag_is_refused(manager_client, store):
    template, url = _edit_url(store)
    response = manager_client.post(url, {"subject": "Hi", "body": "{% debug %}"})
    assert "Only placeholders like" in response.content.decode()
    template.refresh_from_db()
    assert "{% debug %}" not in template.body


def test_an_email_without_a_subject_is_refused(manager_client, store):
    template, url = _edit_url(store)
    response = manager_client.post(url, {"subject": " ", "body": "Hello {{ first_name }}"})
    assert "An email needs a subject." in response.content.decode()


def test_the_preview_shows_a_real_customer_and_saves_nothing(manager_client, store):
    customer = CustomerFactory(store=store, first_name="Harper", email="harper@mail.example")
    OccasionFactory(customer=customer, month=12, day=24)
    template, url = _edit_url(store)
    before = template.body
    response = manager_client.post(url, {"subject": "Hi", "body": "Hello {{ first_name }}, "
                                         "{{ occasion }} on {{ date }}", "preview": "1",
                                         "preview_customer": "HARPER@mail.example"})
    page = response.content.decode()
    assert "Hello Harper, birthday on December 24" in page
    template.refresh_from_db()
    assert template.body == before


def test_a_text_preview_shows_its_segments(manager_client, store):
    customer = CustomerFactory(store=store)
    OccasionFactory(customer=customer)
    _, url = _edit_url(store, channel="sms")
    response = manager_client.post(url, {"body": "x" * 200, "preview": "1"})
    assert "2 text segments" in response.content.decode()


def test_a_preview_for_an_unknown_customer_says_so(manager_client, store):
    _, url = _edit_url(store)
    response = manager_client.post(url, {"subject": "Hi", "body": "Hello", "preview": "1",
                                         "preview_customer": "nobody@mail.example"})
    assert "No customer with that email address" in response.content.decode()


def test_another_stores_template_is_not_found(other_manager_client, store):
    template = MessageTemplateFactory(store=store)
    url = reverse("followups:template-edit", kwargs={"template_id": template.pk})
    assert other_manager_client.get(url).status_code == 404
    assert other_manager_client.post(url, {"subject": "x", "body": "y"}).status_code == 404


def _settings_form(**changes):
    data = {"lead_days": 14, "send_from": "09:00", "send_until": "20:00", "fatigue_cap": 2,
            "sender_name": "Gem & Loupe", "sender_email": "hello@gem.example",
            "sender_phone": "+12175550100", "footer_address": "12 Main Street",
            "event_contact_window_days": 14}
    data.update(changes)
    return data


def test_a_manager_changes_the_lead_time_and_quiet_hours(manager_client, store):
    response = manager_client.post(SETTINGS, _settings_form(lead_days=21, send_from="10:00",
                                                            event_contact_window_days=30))
    assert response.status_code == 302
    saved = MessagingSettings.objects.get(store=store)
    assert (saved.lead_days, saved.send_from) == (21, datetime.time(10))
    assert saved.event_contact_window_days == 30


@pytest.mark.parametrize(("changes", "error"), [
    ({"send_from": "21:00"}, "Sending must start before it ends"),
    ({"lead_days": 0}, "Choose between 1 and 90 days"),
    ({"lead_days": "soon"}, "Enter a whole number"),
    ({"sender_email": "not-an-email"}, "Enter a valid email address"),
    ({"send_until": "25:00"}, "Enter a valid time"),
])
def test_bad_settings_are_refused_and_kept_on_the_form(manager_client, store, changes, error):
    response = manager_client.post(SETTINGS, _settings_form(**changes))
    page = response.content.decode()
    assert response.status_code == 200
    assert error in page
    saved = MessagingSettings.objects.get(store=store)
    assert (saved.lead_days, saved.send_from) == (14, datetime.time(9))


def test_the_customer_page_panel_lists_every_message_in_one_query(store,
                                                                  django_assert_num_queries):
    customer = CustomerFactory(store=store)
    MessageFactory(customer=customer, status=MessageStatus.SENT)
    MessageFactory(customer=customer, status=MessageStatus.SUPPRESSED, reason="Fatigue cap: 2",
                   occurs_on=datetime.date(2026, 12, 24))
    panel = Template('{% include "followups/partials/_customer_messages.html" %}')
    with django_assert_num_queries(1):
        html = panel.render(Context({"customer": customer}))
    assert "Sent" in html and "Not sent" in html and "Fatigue cap: 2" in html
    assert Message.objects.count() == 2


def test_the_customer_page_shows_each_message_with_its_status(sales_client, store, salesperson):
    customer = CustomerFactory(store=store, assigned_to=salesperson)
    MessageFactory(customer=customer, status=MessageStatus.FAILED,
                   reason="Twilio 21610: texted STOP", channel="sms")
    page = sales_client.get(reverse("crm:customer", kwargs={"customer_id": customer.pk}))
    html = page.content.decode()
    assert 'id="customer-messages"' in html
    assert "Failed" in html and "Twilio 21610: texted STOP" in html


def test_a_made_up_filter_value_shows_nothing_rather_than_failing(manager_client, store):
    MessageFactory(customer=CustomerFactory(store=store, last_name="Sentworth"))
    response = manager_client.get(LOG, {"status": "bogus", "page": "999"})
    assert response.status_code == 200
    assert "Sentworth" not in response.content.decode()


def test_a_call_outcome_too_long_is_cut_at_the_form_not_lost(sales_client, store, salesperson):
    call = CallTaskFactory(customer=CustomerFactory(store=store, assigned_to=salesperson))
    url = reverse("followups:call-done", kwargs={"calltask_id": call.pk})
    assert sales_client.post(url, {"outcome": "x" * 500}).status_code == 302
    call.refresh_from_db()
    assert call.done_at is not None and call.outcome == "x" * 200


def test_the_log_filters_stay_out_of_the_customer_search_box(manager_client, store):
    page = manager_client.get(LOG, {"status": "failed"}).content.decode()
    assert 'name="q" value=""' in page


def test_the_next_page_keeps_the_filters(manager_client, store):
    customer = CustomerFactory(store=store)
    for day in range(51):  # one customer's reminders for 51 dates
        MessageFactory(customer=customer, status=MessageStatus.SENT,
                       occurs_on=datetime.date(2026, 1, 1) + datetime.timedelta(days=day))
    page = manager_client.get(LOG, {"status": "sent"}).content.decode()
    assert "?status=sent&amp;page=2" in page


def _call(store, salesperson, **fields):
    customer = CustomerFactory(store=store, assigned_to=salesperson,
                               first_name=fields.pop("first_name", "Nora"))
    return CallTaskFactory(customer=customer, **fields)


def test_todays_list_hides_calls_that_are_not_due_yet(sales_client, store, salesperson):
    today = store.today()
    _call(store, salesperson, first_name="Due-Daphne", due_on=today)
    _call(store, salesperson, first_name="Overdue-Olga", due_on=today - datetime.timedelta(days=3))
    _call(store, salesperson, first_name="Later-Lena", due_on=today + datetime.timedelta(days=1),
          occurs_on=today + datetime.timedelta(days=15))
    _call(store, salesperson, first_name="August-Ada", due_on=today + datetime.timedelta(days=240),
          occurs_on=today + datetime.timedelta(days=254))
    page = sales_client.get(TODAY).content.decode()
    assert "Due-Daphne" in page and "Overdue-Olga" in page
    assert "Later-Lena" not in page and "August-Ada" not in page


def test_left_voicemail_keeps_the_call_open_and_counts_the_try(sales_client, store, salesperson):
    call = _call(store, salesperson, due_on=store.today())
    url = reverse("followups:call-voicemail", kwargs={"calltask_id": call.pk})

    response = sales_client.post(url, {"outcome": "No answer", "tries": "0"}, follow=True)
    # A double tap from the same screen (it still showed no tries) counts once.
    sales_client.post(url, {"outcome": "No answer", "tries": "0"})

    call.refresh_from_db()
    assert call.done_at is None and call.done_by is None
    assert call.attempts == 1
    assert call.outcome == "Left voicemail: No answer"
    page = response.content.decode()
    assert "Nora" in page and "Left voicemail: 1 try so far" in page
    [entry] = Interaction.objects.filter(customer=call.customer, kind=InteractionKind.CALL)
    assert "Left voicemail" in entry.summary and "(try 1)" in entry.summary


def test_a_second_voicemail_then_a_call_that_reaches_her_closes_it(sales_client, store,
                                                                   salesperson):
    call = _call(store, salesperson, due_on=store.today())
    voicemail = reverse("followups:call-voicemail", kwargs={"calltask_id": call.pk})
    sales_client.post(voicemail, {"tries": "0"})
    sales_client.post(voicemail, {"tries": "1"})
    sales_client.post(reverse("followups:call-done", kwargs={"calltask_id": call.pk}),
                      {"outcome": "Coming Saturday"})
    call.refresh_from_db()
    assert call.done_at is not None
    assert (call.attempts, call.outcome) == (3, "Coming Saturday")
    assert list(sales_client.get(TODAY).context["tasks"]) == []


def test_a_colleagues_call_cannot_be_marked_voicemail(sales_client, store):
    colleague = StaffMemberFactory(store=store)
    call = _call(store, colleague, assignee=colleague)
    url = reverse("followups:call-voicemail", kwargs={"calltask_id": call.pk})
    assert sales_client.post(url, {"tries": "0"}).status_code == 404
    call.refresh_from_db()
    assert call.attempts == 0


def test_the_demo_store_shows_only_calls_that_are_due(client):
    from sampledata.demo import load_demo

    store = load_demo(customers=60)
    today = store.today()
    # The planner's calls (the demo also has thank-you notes and replies waiting).
    calls = CallTask.objects.filter(store=store, kind="call")
    assert calls.exists()
    lead = MessagingSettings.objects.get(store=store).lead_days
    for call in calls:
        assert call.due_on <= today < call.occurs_on
        assert call.occurs_on - call.due_on == datetime.timedelta(days=lead)
        assert call.customer.phone


def test_an_appointment_template_previews_with_a_sample_visit(manager_client, store,
                                                              salesperson):
    customer = CustomerFactory(store=store, first_name="Harper", email="harper@mail.example",
                               assigned_to=salesperson)
    template, url = _edit_url(store, kind="appt_confirmation", channel="sms")
    response = manager_client.post(url, {"subject": "", "preview_customer": customer.email,
                                         "body": "{{ store }}: {{ when }} with {{ associate }}"
                                                 " {{ link }}", "preview": "1"})
    page = response.content.decode()
    assert "at 11:00 AM with Sally Sales" in page
    assert "/appointments/visit/" in page
