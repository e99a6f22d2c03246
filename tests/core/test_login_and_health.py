import pytest
from django.test import override_settings
from django.urls import reverse

from tests.factories import PASSWORD


@pytest.mark.parametrize(
    ("member", "home"),
    [("salesperson", "followups:today"), ("service_clerk", "repairs:home"),
     ("manager", "insights:dashboard")],
)
def test_each_role_logs_in_and_lands_on_its_home_page(client, request, member, home):
    staff = request.getfixturevalue(member)
    response = client.post(reverse("login"), {"username": staff.user.username,
                                              "password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == reverse(home)
    assert response.status_code == 200
    assert staff.display_name in response.content.decode()


def test_wrong_password_is_refused_with_a_message(client, salesperson):
    response = client.post(reverse("login"), {"username": "sally", "password": "nope"})
    assert response.status_code == 200
    assert "correct username and password" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_repeated_failures_lock_the_login(client, salesperson, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "sally", "password": "nope"})
    response = client.post(reverse("login"), {"username": "sally", "password": PASSWORD})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_salesperson_gets_403_on_a_manager_page(sales_client):
    assert sales_client.get(reverse("staff:home")).status_code == 403


def test_the_403_page_keeps_the_nav_and_a_way_to_log_out(sales_client):
    response = sales_client.get(reverse("staff:home"))
    page = response.content.decode()
    assert response.status_code == 403
    assert "This page is not open to you" in page
    assert reverse("crm:home") in page  # the salesperson's own nav
    assert f'<form method="post" action="{reverse("logout")}"' in page
    assert "csrfmiddlewaretoken" in page
    assert reverse("staff:orphans") not in page


def _login_without_staff_profile(client, *, superuser):
    from django.contrib.auth import get_user_model

    make = get_user_model().objects.create_superuser if superuser else \
        get_user_model().objects.create_user
    user = make("root", "root@mail.example", PASSWORD)
    client.force_login(user)
    return user


@pytest.mark.parametrize("url_name", ["crm:home", "staff:orphans", "repairs:take-in",
                                      "followups:today"])
def test_a_login_with_no_staff_profile_is_told_so_with_a_logout(client, db, url_name):
    _login_without_staff_profile(client, superuser=False)
    response = client.get(reverse(url_name))
    page = response.content.decode()
    assert response.status_code == 403
    assert "This login has no staff profile" in page
    assert "Ask a manager to add you" in page
    assert f'action="{reverse("logout")}"' in page
    assert reverse("admin:index") not in page


def test_a_superuser_with_no_staff_profile_lands_on_the_admin(client, db):
    _login_without_staff_profile(client, superuser=True)
    home = client.get(reverse("home"))
    assert home["Location"] == reverse("admin:index")
    page = client.get(reverse("crm:home")).content.decode()
    assert "This login has no staff profile" in page
    assert reverse("admin:index") in page


def test_a_superuser_with_no_staff_profile_logs_in_and_out(client, db):
    _login_without_staff_profile(client, superuser=True)
    client.logout()
    response = client.post(reverse("login"), {"username": "root", "password": PASSWORD},
                           follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("admin:index"))
    assert client.post(reverse("logout")).status_code == 302
    assert "_auth_user_id" not in client.session


def test_anonymous_is_sent_to_login(client, db):
    response = client.get(reverse("crm:home"))
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={reverse('crm:home')}"


def test_departed_staff_member_is_refused(sales_client, salesperson):
    salesperson.departed_on = salesperson.store.today()
    salesperson.save(update_fields=["departed_on"])
    assert sales_client.get(reverse("crm:home")).status_code == 403


def test_healthz_reports_database_and_broker(client, db):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "ok",
                               "oldest_due_message_age_seconds": None}


@override_settings(CELERY_BROKER_URL="redis://127.0.0.1:1/0", CELERY_BROKER_TRANSPORT_OPTIONS={})
def test_healthz_is_503_when_the_broker_is_unreachable(client, db):
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "ok", "broker": "down",
                               "oldest_due_message_age_seconds": None}
