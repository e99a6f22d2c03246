"""Fold the occasions a customer has twice (same kind, month and day) into one.

Before 0009 made them impossible, "Log a visit" and merges could leave a customer with two
birthdays on Dec 10, each planned (and sent) its own reminder. The oldest row is kept (taking
a year or label only the other had); consent rows, reminders and calls move to it. Where the
kept one already has a reminder for that date and channel (or a call for that date), the
duplicate's is detached instead: a planned one is held back with its reason, a sent one or a
call made stays on record with its customer and date.
"""

from django.db import migrations
from django.db.models import Count, Min
from django.utils import timezone

REASON = "A duplicate: the same date was on file twice."


def _move_messages(Message, duplicate, keeper, now):
    for message in Message.objects.filter(occasion=duplicate):
        clash = Message.objects.filter(occasion=keeper, occurs_on=message.occurs_on,
                                       channel=message.channel).exists()
        if not clash:
            message.occasion = keeper
        elif message.status == "planned":
            message.occasion, message.status, message.reason = None, "suppressed", REASON
        else:
            message.occasion = None
        message.updated_at = now
        message.save(update_fields=["occasion", "status", "reason", "updated_at"])


def _move_calls(CallTask, duplicate, keeper, now):
    for call in CallTask.objects.filter(occasion=duplicate):
        if not CallTask.objects.filter(occasion=keeper, occurs_on=call.occurs_on).exists():
            call.occasion = keeper
        else:
            call.occasion = None
            if call.done_at is None:
                call.done_at, call.outcome = now, REASON
        call.save(update_fields=["occasion", "done_at", "outcome"])


def _fold(apps, duplicate, keeper, now):
    apps.get_model("crm", "Consent").objects.filter(occasion=duplicate).update(occasion=keeper)
    _move_messages(apps.get_model("followups", "Message"), duplicate, keeper, now)
    _move_calls(apps.get_model("followups", "CallTask"), duplicate, keeper, now)
    if keeper.year is None and duplicate.year is not None:
        keeper.year = duplicate.year
    if not keeper.label and duplicate.label:
        keeper.label = duplicate.label
    keeper.save(update_fields=["year", "label"])
    duplicate.delete()


def merge_duplicate_occasions(apps, schema_editor):
    Occasion = apps.get_model("crm", "Occasion")
    now = timezone.now()
    groups = (Occasion.objects.values("customer_id", "kind", "month", "day")
              .annotate(rows=Count("id"), first=Min("id")).filter(rows__gt=1)
              .order_by("first"))
    for group in groups:
        keeper = Occasion.objects.get(pk=group["first"])
        duplicates = (Occasion.objects.filter(customer_id=group["customer_id"],
                                              kind=group["kind"], month=group["month"],
                                              day=group["day"])
                      .exclude(pk=keeper.pk).order_by("pk"))
        for duplicate in duplicates:
            _fold(apps, duplicate, keeper, now)


class Migration(migrations.Migration):

    dependencies = [
        ("crm", "0007_search_trigram_upper_and_phone"),
        # Calls of a folded duplicate may be detached from it (their occasion became nullable).
        ("followups", "0004_calltask_kept_when_its_occasion_goes"),
    ]

    operations = [
        migrations.RunPython(merge_duplicate_occasions, migrations.RunPython.noop),
    ]
