import datetime

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from crm.models import Channel, Consent, ConsentMethod, Customer, Occasion, OccasionKind, Purpose
from crm.services import preference_list_start
from repairs.models import Envelope, EnvelopeCounter, Status, StatusChange
from staff.models import FloorDevice, StaffMember, Store
from staff.roles import Role

PASSWORD = "correct horse battery staple"  # noqa: S105 - test-only password


class StoreFactory(factory.django.DjangoModelFactory):
    """A store with the starting preference list (Bridal, Diamonds, ..., Pearls, Watches)."""

    class Meta:
        model = Store
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Gem & Loupe {n}")
    address = "12 Main Street, Springfield, IL 62701"
    timezone = "America/Chicago"

    @factory.post_generation
    def preferences(obj, create, extracted, **kwargs):  # noqa: N805
        if create:
            preference_list_start(store=obj)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@store.example")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):  # noqa: N805
        if create:
            obj.save()


class StaffMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StaffMember
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory)
    store = factory.SubFactory(StoreFactory)
    role = Role.SALESPERSON
    display_name = factory.Faker("first_name")

    @factory.post_generation
    def group(obj, create, extracted, **kwargs):  # noqa: N805
        if create:
            obj.user.groups.add(Group.objects.get(name=obj.role))


class FloorDeviceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FloorDevice

    store = factory.SubFactory(StoreFactory)
    name = factory.Sequence(lambda n: f"Floor tablet {n}")
    token = factory.Sequence(lambda n: f"test-device-token-{n}")
    marked_by = factory.SubFactory(StaffMemberFactory, store=factory.SelfAttribute("..store"),
                                   role=Role.MANAGER)
    marked_at = factory.LazyFunction(timezone.now)


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    store = factory.SubFactory(StoreFactory)
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttributeSequence(
        lambda c, n: f"{c.first_name}.{c.last_name}.{n}@mail.example".lower()
    )
    phone = factory.Sequence(lambda n: f"+1555{n % 10_000_000:07d}")


class OccasionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Occasion
        # One occasion per customer, kind and date (a constraint): the same date is that one.
        django_get_or_create = ("customer", "kind", "month", "day")

    customer = factory.SubFactory(CustomerFactory)
    kind = OccasionKind.BIRTHDAY
    month = 6
    day = 15


class ConsentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Consent

    customer = factory.SubFactory(CustomerFactory)
    channel = Channel.EMAIL
    # The address on the profile for the channel, as the customer gave it.
    address = factory.LazyAttribute(
        lambda c: c.customer.email if c.channel == Channel.EMAIL else str(c.customer.phone))
    purpose = Purpose.OCCASION_REMINDERS
    granted = True
    method = ConsentMethod.TABLET
    words = "Shall we remind you two weeks ahead by email?"
    created_at = factory.LazyFunction(timezone.now)


class EnvelopeFactory(factory.django.DjangoModelFactory):
    """A repair already taken in (numbers count up per factory call, not per store)."""

    class Meta:
        model = Envelope
        skip_postgeneration_save = True

    customer = factory.SubFactory(CustomerFactory)
    store = factory.SelfAttribute("customer.store")
    number = factory.Sequence(lambda n: n + 1)
    email = factory.SelfAttribute("customer.email")
    item_description = "Yellow gold band"
    work_requested = "Size from 6 to 7"
    promised_on = factory.LazyAttribute(lambda o: o.store.today() + datetime.timedelta(days=7))
    taken_in_by = factory.SubFactory(StaffMemberFactory, store=factory.SelfAttribute("..store"),
                                     role=Role.SERVICE)
    taken_in_at = factory.LazyFunction(timezone.now)
    status = Status.RECEIVED

    @factory.post_generation
    def history(obj, create, extracted, **kwargs):  # noqa: N805
        if create:
            StatusChange.objects.create(envelope=obj, to_status=obj.status,
                                        changed_by=obj.taken_in_by, changed_at=obj.taken_in_at)
            # Keep the store's counter past this number, as a real take-in would.
            counter, _ = EnvelopeCounter.objects.get_or_create(store=obj.store)
            if counter.last_number < obj.number:
                counter.last_number = obj.number
                counter.save(update_fields=["last_number"])


class MessageFactory(factory.django.DjangoModelFactory):
    """An occasion reminder in the outbox, planned and due now."""

    class Meta:
        model = "followups.Message"

    customer = factory.SubFactory(CustomerFactory)
    store = factory.SelfAttribute("customer.store")
    channel = Channel.EMAIL
    purpose = Purpose.OCCASION_REMINDERS
    kind = "birthday"
    # The occasion falls on `occurs_on`, as the planner's would.
    occasion = factory.SubFactory(OccasionFactory, customer=factory.SelfAttribute("..customer"),
                                  month=factory.SelfAttribute("..occurs_on.month"),
                                  day=factory.SelfAttribute("..occurs_on.day"))
    # Dates on the store's calendar (its timezone may differ from the server's).
    occurs_on = factory.LazyAttribute(lambda o: o.store.today() + datetime.timedelta(days=14))
    # The planner stores the address it picked.
    to = factory.LazyAttribute(
        lambda m: m.customer.email if m.channel == Channel.EMAIL else str(m.customer.phone))
    due_at = factory.LazyFunction(timezone.now)
    created_at = factory.LazyFunction(timezone.now)
    updated_at = factory.LazyFunction(timezone.now)


class TaskFactory(factory.django.DjangoModelFactory):
    """A call the planner made for an occasion (pass kind=, note=, occasion=None,
    occurs_on=None for a task made by hand)."""

    class Meta:
        model = "followups.Task"

    customer = factory.SubFactory(CustomerFactory)
    store = factory.SelfAttribute("customer.store")
    occasion = factory.SubFactory(OccasionFactory, customer=factory.SelfAttribute("..customer"),
                                  month=factory.SelfAttribute("..occurs_on.month"),
                                  day=factory.SelfAttribute("..occurs_on.day"))
    # Dates on the store's calendar (its timezone may differ from the server's).
    occurs_on = factory.LazyAttribute(lambda o: o.store.today() + datetime.timedelta(days=14))
    assignee = factory.SelfAttribute("customer.assigned_to")
    due_on = factory.LazyAttribute(lambda o: o.store.today())
    created_at = factory.LazyFunction(timezone.now)


CallTaskFactory = TaskFactory


class AppointmentFactory(factory.django.DjangoModelFactory):
    """Booked tomorrow at 11:00 on the store's clock for an hour (no checks: the service's
    tests book through `appointment_book`)."""

    class Meta:
        model = "appointments.Appointment"

    customer = factory.SubFactory(CustomerFactory)
    store = factory.SelfAttribute("customer.store")
    associate = factory.SubFactory(StaffMemberFactory, store=factory.SelfAttribute("..store"),
                                   role=Role.SALESPERSON)
    starts_at = factory.LazyAttribute(lambda a: datetime.datetime.combine(
        a.store.today() + datetime.timedelta(days=1), datetime.time(11), tzinfo=a.store.tz))
    ends_at = factory.LazyAttribute(lambda a: a.starts_at + datetime.timedelta(hours=1))
    purpose = "anniversary"
    created_at = factory.LazyFunction(timezone.now)
    updated_at = factory.LazyFunction(timezone.now)


class MessageTemplateFactory(factory.django.DjangoModelFactory):
    """The store's own template of a kind and channel, with these words (a store has every
    default template from the moment it is created)."""

    class Meta:
        model = "followups.MessageTemplate"

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        key = {name: kwargs.pop(name) for name in ("store", "kind", "channel")}
        template, _ = model_class.objects.update_or_create(**key, defaults=kwargs)
        return template

    store = factory.SubFactory(StoreFactory)
    kind = "birthday"
    channel = Channel.EMAIL
    subject = "Your birthday reminder from {{ store }}"
    body = "Dear {{ first_name }}, {{ occasion }} is on {{ date }}."


class WishItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "crm.WishItem"

    customer = factory.SubFactory(CustomerFactory)
    description = "Diamond stud earrings 0.5 ctw"


class SignUpFactory(factory.django.DjangoModelFactory):
    """A public form's entry, not confirmed yet (it has no confirmation email: the form's
    service puts one in the outbox, this factory does not)."""

    class Meta:
        model = "crm.SignUp"

    store = factory.SubFactory(StoreFactory)
    source = "website"
    first_name = "Ava"
    last_name = "Brown"
    email = factory.Sequence(lambda n: f"ava.{n}@mail.example")
    words = "Send me news by email."
    ip_hash = "0" * 64
    created_at = factory.LazyFunction(timezone.now)


class EventFactory(factory.django.DjangoModelFactory):
    """A trunk show three weeks after the store's today, answers until the week before."""

    class Meta:
        model = "events.Event"

    store = factory.SubFactory(StoreFactory)
    title = "Trunk show"
    starts_at = factory.LazyAttribute(lambda e: datetime.datetime.combine(
        e.store.today() + datetime.timedelta(days=21), datetime.time(18), tzinfo=e.store.tz))
    place = "Main floor"
    rsvp_deadline = factory.LazyAttribute(lambda e: e.starts_at - datetime.timedelta(days=7))
    created_at = factory.LazyFunction(timezone.now)


class CampaignFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "events.Campaign"

    event = factory.SubFactory(EventFactory)
    store = factory.SelfAttribute("event.store")
    name = "Save the date"
    contact_window_days = 14
    created_at = factory.LazyFunction(timezone.now)


class InvitationFactory(factory.django.DjangoModelFactory):
    """An invitation from a campaign of an event of the customer's store."""

    class Meta:
        model = "events.Invitation"

    customer = factory.SubFactory(CustomerFactory)
    campaign = factory.SubFactory(CampaignFactory,
                                  event__store=factory.SelfAttribute("...customer.store"))
    event = factory.SelfAttribute("campaign.event")
    created_at = factory.LazyFunction(timezone.now)


class DrawingFactory(factory.django.DjangoModelFactory):
    """A monthly drawing taking entries now (this month, closing in ten days)."""

    class Meta:
        model = "crm.Drawing"

    store = factory.SubFactory(StoreFactory)
    month = factory.LazyAttribute(lambda d: d.store.today().replace(day=1))
    prize = "Pearl pendant"
    rules = "One entry per person. No purchase necessary."
    opens_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(days=1))
    closes_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=10))
    created_at = factory.LazyFunction(timezone.now)


class ImportFactory(factory.django.DjangoModelFactory):
    """An uploaded POS file, previewed and not started (its file is only named)."""

    class Meta:
        model = "crm.Import"

    store = factory.SubFactory(StoreFactory)
    kind = "purchases"
    file = "imports/pos.csv"
    file_name = "pos.csv"
    rows_total = 1
    created_at = factory.LazyFunction(timezone.now)
