"""A store has its messaging settings and templates from the moment it exists, so no page has
to create them when it is opened."""

import importlib

import pytest
from django.apps import apps

from followups.models import MessageTemplate, MessagingSettings
from followups.rendering import DEFAULTS
from staff.models import Store

pytestmark = pytest.mark.django_db

migration = importlib.import_module("followups.migrations.0006_messaging_for_existing_stores")


def test_a_new_store_starts_with_its_settings_and_every_default_template():
    store = Store.objects.create(name="Gem & Loupe Capital City", address="1 Capitol Ave",
                                 phone="+12175550199", email="capital@gem.example")

    settings = MessagingSettings.objects.get(store=store)
    assert (settings.sender_name, settings.footer_address, settings.sender_phone,
            settings.sender_email) == ("Gem & Loupe Capital City", "1 Capitol Ave",
                                       "+12175550199", "capital@gem.example")
    assert settings.lead_days == 14
    assert set(MessageTemplate.objects.filter(store=store)
               .values_list("kind", "channel")) == set(DEFAULTS)


def test_saving_a_store_again_changes_neither_its_settings_nor_its_words(store):
    settings = MessagingSettings.objects.get(store=store)
    settings.sender_name = "Gem & Loupe"
    settings.save(update_fields=["sender_name"])
    MessageTemplate.objects.filter(store=store).update(body="Our own words")

    store.name = "Gem & Loupe Downtown"
    store.save()

    assert MessagingSettings.objects.get(store=store).sender_name == "Gem & Loupe"
    assert set(MessageTemplate.objects.filter(store=store)
               .values_list("body", flat=True)) == {"Our own words"}


def test_the_migration_gives_stores_from_before_what_they_lack_and_keeps_what_they_have(
        store, other_store):
    MessagingSettings.objects.filter(store=store).delete()
    MessageTemplate.objects.filter(store=store).delete()
    MessageTemplate.objects.filter(store=other_store, kind="birthday").update(body="Kept")

    migration.give_each_store_its_messaging(apps, None)
    migration.give_each_store_its_messaging(apps, None)

    assert MessagingSettings.objects.get(store=store).footer_address == store.address
    for each in (store, other_store):
        assert MessageTemplate.objects.filter(store=each).count() == len(DEFAULTS)
    assert set(MessageTemplate.objects.filter(store=other_store, kind="birthday")
               .values_list("body", flat=True)) == {"Kept"}


def test_after_migrate_a_kind_a_release_added_reaches_every_store_and_kept_words_stay(
        store, other_store):
    from django.core.management.sql import emit_post_migrate_signal

    MessageTemplate.objects.filter(store=store, kind="repair_ready").delete()  # "new" kind
    MessageTemplate.objects.filter(store=other_store, kind="birthday").update(body="Ours")

    emit_post_migrate_signal(verbosity=0, interactive=False, db="default")

    for each in (store, other_store):
        assert MessageTemplate.objects.filter(store=each).count() == len(DEFAULTS)
    assert set(MessageTemplate.objects.filter(store=other_store, kind="birthday")
               .values_list("body", flat=True)) == {"Ours"}
