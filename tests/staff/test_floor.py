"""The shared floor tablet: PINs, switching, the lock and the throttle."""

import datetime

import pytest
from django.contrib.auth.hashers import identify_hasher
from django.core import signing
from django.core.cache import cache
from django.urls import reverse

from core.models import AuditEntry
from staff import floor
from staff.models import StaffMember
from staff.roles import Role
from staff.services import pin_problem, staff_pin_set
from tests.factories import PASSWORD, CustomerFactory, FloorDeviceFactory, StaffMemberFactory

MOMENT = datetime.datetime(2026, 3, 10, 15, 0, tzinfo=datetime.UTC)


def _forget_failures():
    """Delete the throttle's counters (only those: the Redis database may be shared)."""
    redis = cache._cache.get_client(write=True)
    for key in redis.scan_iter(match=cache.make_key("floor:*")):
        redis.delete(key)


@pytest.fixture(autouse=True)
def _empty_throttle():
    _forget_failures()
    yield
    _forget_failures()


def on_tablet(client, device):
    """Give `client` the tablet's signed cookie, as marking the browser does."""
    signer = signing.get_cookie_signer(salt=floor.DEVICE_COOKIE + floor.DEVICE_SALT)
    client.cookies[floor.DEVICE_COOKIE] = signer.sign(device.token)
    return client


@pytest.fixture
def tablet(store, manager):
    return FloorDeviceFactory(store=store, name="Front counter", marked_by=manager)


@pytest.fixture
def tom(store):
    member = StaffMemberFactory(store=store, role=Role.SALESPERSON, display_name="Tom Trade",
                                user__username="tom")
    staff_pin_set(member=member, pin="2468", by=member)
    return member


@pytest.fixture
def sally(salesperson):
    staff_pin_set(member=salesperson, pin="1357", by=salesperson)
    salesperson.refresh_from_db()
    return salesperson


def pin(client, member, code, **extra):
    return client.post(reverse("staff:floor-pin", kwargs={"staff_member_id": member.pk}),
                       {"pin": code, **extra})


# PINs

@pytest.mark.parametrize("code", ["", "123", "1234567", "12a4", "0000", "1234", "98765",
                                  " 1357 x"])
def test_a_pin_is_four_to_six_digits_and_not_guessable(code):
    assert pin_problem(code)


@pytest.mark.parametrize("code", ["1357", "2024", "914263"])
def test_a_good_pin_is_accepted(code):
    assert pin_problem(code) == ""


def test_a_pin_is_stored_hashed(sally):
    assert "1357" not in sally.pin_hash
    assert identify_hasher(sally.pin_hash).algorithm
    assert sally.pin_matches("1357") and not sally.pin_matches("1358")


def test_an_associate_sets_their_pin_after_their_password(sales_client, salesperson):
    url = reverse("staff:own-pin")
    wrong = sales_client.post(url, {"password": "nope", "pin": "4826", "pin2": "4826"})
    assert "That password is not right" in wrong.content.decode()
    salesperson.refresh_from_db()
    assert not salesperson.has_pin
    sales_client.post(url, {"password": PASSWORD, "pin": "4826", "pin2": "4826"})
    salesperson.refresh_from_db()
    assert salesperson.pin_matches("4826")
    assert AuditEntry.objects.filter(action="staff.pin_set", actor=salesperson.user).exists()


def test_two_different_pins_are_refused_and_nothing_is_saved(sales_client, salesperson):
    response = sales_client.post(reverse("staff:own-pin"),
                                 {"password": PASSWORD, "pin": "4826", "pin2": "4827"})
    assert "The two PINs differ" in response.content.decode()
    salesperson.refresh_from_db()
    assert not salesperson.has_pin


def test_a_manager_resets_a_pin(manager_client, salesperson):
    manager_client.post(reverse("staff:member-pin", kwargs={"staff_member_id": salesperson.pk}),
                        {"pin": "5937", "pin2": "5937"})
    salesperson.refresh_from_db()
    assert salesperson.pin_matches("5937")
    assert AuditEntry.objects.filter(action="staff.pin_reset").get().object_id == \
        str(salesperson.pk)


def test_another_stores_manager_cannot_reset_a_pin(other_manager_client, salesperson):
    url = reverse("staff:member-pin", kwargs={"staff_member_id": salesperson.pk})
    assert other_manager_client.post(url, {"pin": "5937", "pin2": "5937"}).status_code == 404


# Marking a tablet

def test_a_manager_marks_this_browser_as_a_floor_tablet(manager_client, store):
    response = manager_client.post(reverse("staff:floor-devices"), {"name": "Front counter"})
    device = store.floor_devices.get()
    assert response.status_code == 302
    assert floor.DEVICE_COOKIE in response.cookies
    page = manager_client.get(reverse("staff:floor-devices")).content.decode()
    assert "This browser is the floor tablet" in page
    assert AuditEntry.objects.filter(action="floor.device_marked",
                                     object_id=str(device.pk)).exists()


def test_a_retired_tablet_is_a_plain_browser_again(manager_client, client, tablet, sally):
    manager_client.post(reverse("staff:floor-device-retire", kwargs={"device_id": tablet.pk}))
    on_tablet(client, tablet)
    assert client.get(reverse("staff:floor")).status_code == 404


def test_a_forged_device_cookie_is_not_a_tablet(client, tablet):
    client.cookies[floor.DEVICE_COOKIE] = tablet.token
    assert client.get(reverse("staff:floor")).status_code == 404


# Switching

def test_the_switch_screen_lists_the_stores_present_staff(client, tablet, sally, tom,
                                                          other_manager):
    StaffMemberFactory(store=tablet.store, display_name="Dana Departed",
                       departed_on=datetime.date(2024, 1, 5))
    page = on_tablet(client, tablet).get(reverse("staff:floor")).content.decode()
    assert "Sally Sales" in page and "Tom Trade" in page
    assert "Dana Departed" not in page and "Otto Other" not in page


def test_an_associate_takes_over_by_pin_with_a_new_session(client, tablet, sally, tom):
    on_tablet(client, tablet)
    pin(client, sally, "1357")
    session = client.session
    session["sally_was_here"] = True
    session.save()
    first_key = client.session.session_key
    response = pin(client, tom, "2468")
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(tom.user_id)
    assert client.session.session_key != first_key
    assert "sally_was_here" not in client.session
    switch = AuditEntry.objects.filter(action="floor.switch").order_by("id").last()
    assert (switch.actor, switch.device, switch.data["from"]) == (tom.user, "Front counter",
                                                                  "sally")


def test_a_wrong_pin_is_refused_and_recorded(client, tablet, sally):
    response = pin(on_tablet(client, tablet), sally, "9999")
    assert "That PIN is not right" in response.content.decode()
    assert "_auth_user_id" not in client.session
    failed = AuditEntry.objects.get(action="floor.pin_failed")
    assert (failed.actor, failed.device) == (sally.user, "Front counter")


def test_a_pin_only_works_on_a_tablet(client, sally):
    assert pin(client, sally, "1357").status_code == 404


def test_an_associate_of_another_store_cannot_take_over(client, tablet, other_manager):
    staff_pin_set(member=other_manager, pin="8642", by=other_manager)
    assert pin(on_tablet(client, tablet), other_manager, "8642").status_code == 404


# The throttle

def test_wrong_pins_lock_the_account_on_every_tablet_with_when_to_try_again(
        client, tablet, sally, store, settings):
    on_tablet(client, tablet)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        pin(client, sally, "9999")
    response = pin(client, sally, "1357")
    page = response.content.decode()
    assert response.status_code == 429
    assert "Too many wrong tries. Try again at" in page and "in 30 minutes" in page
    assert "_auth_user_id" not in client.session
    second = FloorDeviceFactory(store=store, name="Back office")
    other = on_tablet(type(client)(), second)
    assert pin(other, sally, "1357").status_code == 429


def test_wrong_pins_lock_the_tablet_for_everyone(client, tablet, store, settings, tom):
    on_tablet(client, tablet)
    guessed = [StaffMemberFactory(store=store) for _ in range(4)]
    for member in guessed:
        staff_pin_set(member=member, pin="1357", by=member)
    tries = settings.AXES_FAILURE_LIMIT * floor.DEVICE_LIMIT_FACTOR
    for n in range(tries):
        pin(client, guessed[n % len(guessed)], "9999")
    response = pin(client, tom, "2468")
    assert response.status_code == 429 and "Try again at" in response.content.decode()
    other = on_tablet(type(client)(), FloorDeviceFactory(store=store, name="Back office"))
    assert pin(other, tom, "2468").status_code == 302


def test_wrong_passwords_on_a_tablet_count_against_it(client, tablet, settings, sally):
    on_tablet(client, tablet)
    for n in range(settings.AXES_FAILURE_LIMIT * floor.DEVICE_LIMIT_FACTOR):
        client.post(reverse("login"), {"username": f"guess{n}", "password": "nope"})
    response = client.post(reverse("login"), {"username": "sally", "password": PASSWORD})
    assert response.status_code == 429
    assert "Try again at" in response.content.decode()


def test_the_password_lockout_says_when_to_try_again(client, salesperson, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "sally", "password": "nope"})
    response = client.post(reverse("login"), {"username": "sally", "password": PASSWORD})
    assert response.status_code == 429
    assert "Try again in 30 minutes" in response.content.decode()


def test_a_manager_unlocks_an_account(client, manager_client, tablet, sally, settings):
    on_tablet(client, tablet)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        pin(client, sally, "9999")
        client.post(reverse("login"), {"username": "sally", "password": "nope"})
    manager_client.post(reverse("staff:member-unlock",
                                kwargs={"staff_member_id": sally.pk}))
    assert pin(client, sally, "1357").status_code == 302
    assert AuditEntry.objects.filter(action="staff.unlocked").exists()
    password = type(client)().post(reverse("login"), {"username": "sally",
                                                      "password": PASSWORD})
    assert password.status_code == 302


def test_a_manager_unlocks_a_tablet(client, manager_client, tablet, store, settings, tom):
    on_tablet(client, tablet)
    for _ in range(settings.AXES_FAILURE_LIMIT * floor.DEVICE_LIMIT_FACTOR):
        pin(client, StaffMemberFactory(store=store), "9999")
    manager_client.post(reverse("staff:floor-device-unlock", kwargs={"device_id": tablet.pk}))
    assert pin(client, tom, "2468").status_code == 302


# The lock

@pytest.fixture
def customer(store):
    return CustomerFactory(store=store, first_name="Olivia", last_name="Hernandez")


def _customer_url(customer):
    return reverse("crm:customer", kwargs={"customer_id": customer.pk})


def test_a_locked_tablet_shows_only_the_lock_screen(client, tablet, sally, customer):
    on_tablet(client, tablet)
    pin(client, sally, "1357")
    assert "Hernandez" in client.get(_customer_url(customer)).content.decode()
    client.post(reverse("staff:floor-lock"), {"next": _customer_url(customer)})
    for url in (_customer_url(customer), reverse("crm:customers"), reverse("home")):
        response = client.get(url, follow=True)
        page = response.content.decode()
        assert response.redirect_chain[-1][0].startswith(reverse("staff:floor"))
        assert "Hernandez" not in page and "Olivia" not in page
        assert f'href="{reverse("crm:customers")}"' not in page  # no navigation
        assert "Locked" in page
    assert client.get(_customer_url(customer), HTTP_HX_REQUEST="true")["HX-Redirect"]
    assert "no-store" in client.get(reverse("staff:floor"))["Cache-Control"]
    lock = AuditEntry.objects.get(action="floor.locked")
    assert (lock.actor, lock.device, lock.data) == (sally.user, "Front counter",
                                                    {"why": "button"})


def test_the_same_associate_unlocks_back_to_their_page(client, tablet, sally, customer):
    on_tablet(client, tablet)
    pin(client, sally, "1357")
    client.post(reverse("staff:floor-lock"))
    response = pin(client, sally, "1357", next=_customer_url(customer))
    assert response["Location"] == _customer_url(customer)
    assert client.get(_customer_url(customer)).status_code == 200
    assert AuditEntry.objects.filter(action="floor.switch").order_by("id").last().data == \
        {"unlock": True}


def test_another_associate_lands_on_their_own_home_not_the_last_page(client, tablet, sally,
                                                                    tom, customer):
    on_tablet(client, tablet)
    pin(client, sally, "1357")
    client.post(reverse("staff:floor-lock"))
    response = pin(client, tom, "2468", next=_customer_url(customer))
    assert response["Location"] == reverse("home")


def test_a_tablet_left_alone_locks_after_the_stores_idle_time(client, tablet, sally,
                                                              customer, time_machine):
    time_machine.move_to(MOMENT, tick=False)
    tablet.store.floor_idle_minutes = 5
    tablet.store.save(update_fields=["floor_idle_minutes"])
    on_tablet(client, tablet)
    pin(client, sally, "1357")
    time_machine.move_to(MOMENT + datetime.timedelta(minutes=4, seconds=50), tick=False)
    assert client.get(_customer_url(customer)).status_code == 200
    time_machine.move_to(MOMENT + datetime.timedelta(minutes=9, seconds=45), tick=False)
    assert client.get(_customer_url(customer)).status_code == 200  # used 4m55s ago
    time_machine.move_to(MOMENT + datetime.timedelta(minutes=15), tick=False)
    response = client.get(_customer_url(customer))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("staff:floor"))


def test_an_ordinary_browser_never_locks(sales_client, customer, time_machine):
    time_machine.move_to(MOMENT, tick=False)
    sales_client.get(_customer_url(customer))
    time_machine.move_to(MOMENT + datetime.timedelta(hours=2), tick=False)
    assert sales_client.get(_customer_url(customer)).status_code == 200


def test_the_idle_time_is_a_store_setting(manager_client, store):
    manager_client.post(reverse("staff:store-policy"), {"floor_idle_minutes": "7"})
    store.refresh_from_db()
    assert store.floor_idle_minutes == 7
    response = manager_client.post(reverse("staff:store-policy"), {"floor_idle_minutes": "0"})
    assert response.status_code == 200
    store.refresh_from_db()
    assert store.floor_idle_minutes == 7


def test_the_403_page_offers_a_switch_on_a_tablet(client, tablet, sally):
    on_tablet(client, tablet)
    pin(client, sally, "1357")
    response = client.get(reverse("staff:home"))
    page = response.content.decode()
    assert response.status_code == 403
    assert "Switch user" in page and reverse("staff:floor") in page
    assert reverse("crm:home") in page  # the navigation stays


def test_the_403_page_offers_another_login_on_a_plain_browser(sales_client):
    page = sales_client.get(reverse("staff:home")).content.decode()
    assert "Log in as someone else" in page


def test_departed_staff_have_no_pin_login(client, tablet, sally):
    StaffMember.objects.filter(pk=sally.pk).update(departed_on=datetime.date(2025, 1, 2))
    assert pin(on_tablet(client, tablet), sally, "1357").status_code == 404


def test_typing_on_the_page_keeps_the_tablet_open(client, tablet, sally, customer,
                                                  time_machine):
    time_machine.move_to(MOMENT, tick=False)
    on_tablet(client, tablet)
    pin(client, sally, "1357")
    for minute in (2, 4, 6):  # the page's script reports typing, with no page loaded
        time_machine.move_to(MOMENT + datetime.timedelta(minutes=minute), tick=False)
        assert client.post(reverse("staff:floor-alive")).status_code == 204
    time_machine.move_to(MOMENT + datetime.timedelta(minutes=8), tick=False)
    assert client.get(_customer_url(customer)).status_code == 200
