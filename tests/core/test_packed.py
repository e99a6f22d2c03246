"""core.packed.Compiled: the SQL built once, prepared once per database connection, and
every call reads the rows of its own arguments."""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import CharField, Value
from django.db.models.expressions import RawSQL

from core.packed import Compiled
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _login_read(*, user_id):
    # A constant with a quote, and one written into the SQL itself with a percent sign.
    return (get_user_model().objects.filter(pk=user_id)
            .annotate(said=Value("it's", output_field=CharField()),
                      share=RawSQL("'10%%'", [], output_field=CharField()))
            .values("username", "said", "share"))


def _prepared(name) -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_prepared_statements WHERE name = %s", [name])
        return cursor.fetchone()[0]


def test_each_call_reads_its_own_arguments_once_prepared(django_assert_num_queries):
    first, second = UserFactory(username="ada"), UserFactory(username="grace")
    read = Compiled(_login_read)
    with django_assert_num_queries(1):
        assert read.fetch(user_id=first.pk) == {"username": "ada", "said": "it's",
                                                "share": "10%"}
    assert read.fetch(user_id=second.pk)["username"] == "grace"
    assert read.fetch(user_id=10**9) is None
    assert _prepared(read._name) == 1


def test_a_rollback_keeps_the_prepared_query():
    login = UserFactory(username="ada")
    read = Compiled(_login_read)
    with transaction.atomic():
        assert read.fetch(user_id=login.pk)["username"] == "ada"
        transaction.set_rollback(True)
    assert _prepared(read._name) == 1
    assert read.fetch(user_id=login.pk)["username"] == "ada"


@pytest.mark.django_db(transaction=True)
def test_a_new_connection_prepares_it_again():
    login = UserFactory(username="ada")
    read = Compiled(_login_read)
    read.fetch(user_id=login.pk)
    held = connection.connection
    connection.close()
    assert read.fetch(user_id=login.pk)["username"] == "ada"
    assert connection.connection is not held
    assert connection.connection in read._prepared_on
    assert _prepared(read._name) == 1


def _state(instance) -> dict:
    values = {k: v for k, v in vars(instance).items() if k != "_state"}
    return {"values": values, "adding": instance._state.adding, "db": instance._state.db,
            "class": type(instance)}


def test_an_instance_is_built_as_django_builds_it(store):
    """`built` makes what `Model.from_db` makes: the same values, saved, of the same
    database; a query's related rows (select_related) and a saved change work on it."""
    from crm.models import Customer
    from tests.factories import CustomerFactory

    CustomerFactory(store=store, phone="+12175550226", assigned_to=None)
    read = Compiled(lambda *, store_id: Customer.objects.select_related("store")
                    .filter(store_id=store_id))
    mine = read.instances(store_id=store.pk)[0]
    django = Customer.objects.select_related("store").get(pk=mine.pk)
    assert _state(mine) == _state(django)
    assert mine.store == store and mine.assigned_to is None
    mine.first_name = "Grace"
    mine.save(update_fields=["first_name"])
    assert Customer.objects.get(pk=mine.pk).first_name == "Grace"


def test_a_model_whose_building_is_listened_to_is_built_by_django(store):
    from django.db.models.signals import post_init

    from core.packed import built
    from crm.models import Customer

    heard = []

    def listen(sender, instance, **kwargs):
        heard.append(instance)

    names = [f.attname for f in Customer._meta.concrete_fields]
    values = [None] * len(names)
    assert not heard and built(Customer, "default", names, values)._state.adding is False
    post_init.connect(listen, sender=Customer)
    try:
        found = built(Customer, "default", names, values)
    finally:
        post_init.disconnect(listen, sender=Customer)
    assert heard == [found] and found._state.adding is False
