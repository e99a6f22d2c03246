"""Purchases from the POS: receipts matched to customers, credited, imported once."""

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from core.models import AuditEntry
from crm.models import (
    AssignmentReason,
    Customer,
    Import,
    ImportStatus,
    Interaction,
    InteractionKind,
    Purchase,
    PurchaseLine,
    Source,
)
from crm.services import import_resume, import_start, import_upload
from crm.services import imports as imports_service
from crm.services.imports import import_process
from tests.factories import CustomerFactory, StaffMemberFactory

pytestmark = pytest.mark.django_db

HEADER = ("receipt,date,customer_pos_id,email,phone,first_name,last_name,category,metal,"
          "stones,description,amount,associate\n")


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _import(store, by, text, *, name="pos.csv"):
    """Upload, start and run the import the way the worker does (in this process)."""
    run = import_upload(store=store, kind="purchases", by=by,
                        upload=SimpleUploadedFile(name, text.encode()))
    import_start(run=run, by=by)
    assert import_process(import_id=run.pk) == "done"
    run.refresh_from_db()
    return run


def _day(store, days_ago):
    return (store.today() - datetime.timedelta(days=days_ago)).isoformat()


@pytest.fixture
def ava(store):
    return CustomerFactory(store=store, first_name="Ava", last_name="Brown",
                           email="ava@mail.example", phone="+12175550142", pos_id="C-17")


def test_a_receipt_is_one_purchase_with_its_lines_and_the_customer_becomes_a_client(
        store, manager, salesperson, ava):
    day = _day(store, 3)
    text = HEADER + (
        f"R-1001,{day},C-17,,,,,Rings,18k gold,1 ct diamond,Solitaire ring,\"$2,400.00\",sally\n"
        f"R-1001,{day},C-17,,,,,Care,,,Ring cleaner,15.50,sally\n")
    assert ava.is_prospect

    run = _import(store, manager, text)

    assert (run.rows_total, run.rows_done, run.created, run.refused) == (2, 2, 1, 0)
    purchase = Purchase.objects.get()
    assert (purchase.store, purchase.customer, purchase.amount, purchase.pos_reference,
            purchase.associate) == (store, ava, Decimal("2415.50"), "R-1001", salesperson)
    assert list(PurchaseLine.objects.values_list("position", "category", "metal", "amount")) == [
        (1, "Rings", "18k gold", Decimal("2400.00")), (2, "Care", "", Decimal("15.50"))]
    ava.refresh_from_db()
    assert not ava.is_prospect
    assert (ava.lifetime_value, ava.first_purchase_on, ava.last_purchase_on) == (
        Decimal("2415.50"), store.today() - datetime.timedelta(days=3),
        store.today() - datetime.timedelta(days=3))
    entry = Interaction.objects.get(customer=ava, kind=InteractionKind.PURCHASE)
    assert "receipt R-1001, sold by Sally Sales" in entry.summary
    assert AuditEntry.objects.get(action="purchases.imported").data["new"] == 1


def test_importing_the_same_file_again_changes_nothing(store, manager, salesperson, ava):
    text = HEADER + (f"R-1,{_day(store, 9)},C-17,,,,,Pearls,,,Strand,800,sally\n"
                     f"R-2,{_day(store, 2)},C-17,,,,,Watches,Steel,,Diver,1200,sally\n")
    _import(store, manager, text)
    ava.refresh_from_db()
    before = (ava.lifetime_value, ava.first_purchase_on, ava.last_purchase_on)
    timeline = Interaction.objects.count()

    again = _import(store, manager, text, name="pos-again.csv")

    assert (again.created, again.unchanged, again.refused) == (0, 2, 0)
    assert Purchase.objects.count() == 2 and PurchaseLine.objects.count() == 2
    ava.refresh_from_db()
    assert (ava.lifetime_value, ava.first_purchase_on, ava.last_purchase_on) == before
    assert before[0] == Decimal("2000.00")
    assert Interaction.objects.count() == timeline


@pytest.mark.parametrize("cells", [
    "C-17,,",                        # the POS id
    ",AVA@Mail.Example,",            # the email, any case
    ",,(217) 555-0142",              # the phone, as people write it
])
def test_a_receipt_finds_its_customer_by_pos_id_email_or_phone(store, manager, ava, cells):
    _import(store, manager, HEADER + f"R-9,{_day(store, 1)},{cells},,,,,,Chain,120,\n")

    assert Purchase.objects.get().customer == ava
    assert Customer.objects.count() == 1


def test_a_customer_found_by_email_keeps_the_pos_id_for_next_time(store, manager, ava):
    Customer.objects.filter(pk=ava.pk).update(pos_id="")
    _import(store, manager, HEADER + f"R-9,{_day(store, 1)},C-99,ava@mail.example,,,,,,,Chain,"
                                     f"120,\n")
    ava.refresh_from_db()
    assert ava.pos_id == "C-99"


def test_an_unknown_buyer_with_a_name_becomes_a_new_client_of_the_associate(
        store, manager, salesperson):
    _import(store, manager, HEADER + f"R-5,{_day(store, 1)},C-50,noah@mail.example,,Noah,"
                                     f"Smith,Rings,,,Band,650,Sally Sales\n")

    noah = Customer.objects.get()
    assert (noah.first_name, noah.pos_id, noah.source, noah.lifetime_value) == (
        "Noah", "C-50", Source.IMPORT, Decimal("650.00"))
    assert noah.assigned_to == salesperson
    assert noah.assignments.get().reason == AssignmentReason.IMPORT


def test_the_associate_on_the_receipt_takes_only_customers_nobody_looks_after(
        store, manager, salesperson, ava):
    other = StaffMemberFactory(store=store, display_name="Olga Other")
    looked_after = CustomerFactory(store=store, pos_id="C-2", assigned_to=other)
    left = StaffMemberFactory(store=store, display_name="Lee Left",
                              departed_on=store.today() - datetime.timedelta(days=30))
    orphan = CustomerFactory(store=store, pos_id="C-3", assigned_to=left)
    day = _day(store, 1)
    _import(store, manager, HEADER + (f"R-1,{day},C-17,,,,,,,,Ring,100,sally\n"
                                      f"R-2,{day},C-2,,,,,,,,Ring,100,sally\n"
                                      f"R-3,{day},C-3,,,,,,,,Ring,100,sally\n"))

    for customer in (ava, looked_after, orphan):
        customer.refresh_from_db()
    assert (ava.assigned_to, looked_after.assigned_to, orphan.assigned_to) == (
        salesperson, other, salesperson)
    # The credit is recorded on every receipt, whoever looks after the customer.
    assert set(Purchase.objects.values_list("associate", flat=True)) == {salesperson.pk}


def test_a_receipt_of_a_departed_associate_is_credited_without_handing_them_the_client(
        store, manager, ava):
    StaffMemberFactory(store=store, display_name="Lee Left",
                       departed_on=store.today() - datetime.timedelta(days=30))
    _import(store, manager, HEADER + f"R-1,{_day(store, 60)},C-17,,,,,,,,Ring,100,Lee Left\n")

    ava.refresh_from_db()
    assert Purchase.objects.get().associate.display_name == "Lee Left"
    assert ava.assigned_to is None


def test_bad_receipts_are_refused_by_their_line_and_the_good_ones_import(
        store, manager, salesperson, ava):
    day = _day(store, 1)
    tomorrow = (store.today() + datetime.timedelta(days=1)).isoformat()
    text = HEADER + (
        f"R-1,{day},C-17,,,,,,,,Ring,100,Nobody Known\n"       # line 2
        f"R-2,31/12/2026,C-17,,,,,,,,Ring,100,\n"              # line 3
        f"R-3,{tomorrow},C-17,,,,,,,,Ring,100,\n"              # line 4
        f"R-4,{day},C-17,,,,,,,,Ring,100,\n"                   # line 5
        f"R-4,{day},C-17,,,,,,,,Box,ten,\n"                    # line 6
        f"R-5,{day},C-404,,,,,,,,Ring,100,\n"                  # line 7
        f"R-6,{day},C-17,,,,,,,,Pendant,300,sally\n"           # line 8
        f"R-7,{day},,,,,,,,,Ring,100,\n"                       # line 9
        f"R-6,{day},C-17,,,,,,,,Chain,90,sally\n"              # line 10
    )

    run = _import(store, manager, text)

    problems = {p.line: p.message for p in run.problems.all()}
    assert "“Nobody Known” is not an associate of this store" in problems[2]
    assert "“31/12/2026” is not a date" in problems[3]
    assert "in the future" in problems[4]
    assert problems[5] == "amount: line 6: “ten” is not an amount."
    assert "no customer has this POS id" in problems[7]
    assert "give the POS customer id, an email or a phone" in problems[9]
    assert "receipt R-6 appears again" in problems[10] and "first on line 8" in problems[10]
    assert sorted(problems) == [2, 3, 4, 5, 7, 9, 10]
    assert (run.created, run.refused) == (1, 7)
    assert list(Purchase.objects.values_list("pos_reference", "amount")) == [
        ("R-6", Decimal("300.00"))]


@pytest.mark.parametrize("upload, why", [
    (b"\xff\xfe not utf-8", "not a CSV"),
    (b"receipt,amount\nR-1,10\n", "including date"),
    (HEADER.encode(), "no rows"),
    ((HEADER + "R-1,2026-01-02,C-1,,,,,,,,Ring,100,,extra,cells\n").encode(), "Line 2 has more"),
])
def test_a_file_that_is_not_a_pos_purchases_file_is_refused_and_kept_nowhere(
        manager_client, upload, why):
    response = manager_client.post("/customers/import/", {
        "kind": "purchases", "file": SimpleUploadedFile("pos.csv", upload)})

    assert response.status_code == 200
    assert why in " ".join(response.context["form"].errors["file"])
    assert not Import.objects.exists()


def test_the_preview_shows_each_receipt_and_saves_nothing(manager_client, store, ava,
                                                          salesperson):
    text = HEADER + (f"R-1,{_day(store, 1)},C-17,,,,,Rings,,,Ring,100,sally\n"
                     f"R-2,{_day(store, 1)},C-17,,,,,Rings,,,Ring,100,Nobody\n")

    response = manager_client.post("/customers/import/", {
        "kind": "purchases", "file": SimpleUploadedFile("pos.csv", text.encode())})

    report = response.context["report"]
    assert [(row.number, row.kind) for row in report.rows] == [(2, "new"), (3, "invalid")]
    assert "Receipt R-1 (" not in response.content.decode()  # no name on these lines
    assert not Purchase.objects.exists()
    assert not Interaction.objects.exists()
    ava.refresh_from_db()
    assert ava.is_prospect and ava.assigned_to is None
    run = Import.objects.get()
    assert (run.status, run.rows_total) == (ImportStatus.PREVIEWED, 2)


def test_starting_queues_the_worker_after_commit_and_shows_the_progress_page(
        manager_client, manager, store, ava, django_capture_on_commit_callbacks, monkeypatch):
    queued = []
    monkeypatch.setattr(imports_service, "publish", lambda task, *args: queued.append(args))
    run = import_upload(store=store, kind="purchases", by=manager, upload=SimpleUploadedFile(
        "pos.csv", (HEADER + f"R-1,{_day(store, 1)},C-17,,,,,,,,Ring,100,\n").encode()))

    with django_capture_on_commit_callbacks(execute=True):
        response = manager_client.post(f"/customers/import/{run.pk}/start/")
        manager_client.post(f"/customers/import/{run.pk}/start/")  # a second press

    assert response.status_code == 302
    assert queued == [(run.pk,)]
    run.refresh_from_db()
    assert run.status == ImportStatus.QUEUED
    page = manager_client.get(f"/customers/import/{run.pk}/", headers={"HX-Request": "true"})
    body = page.content.decode()
    assert 'hx-trigger="every 2s"' in body and "0 of 1 rows" in body
    assert "<script" not in body and "style=" not in body

    assert import_process(import_id=run.pk) == "done"
    assert import_process(import_id=run.pk) == "nothing to do"  # a redelivered task
    done = manager_client.get(f"/customers/import/{run.pk}/", headers={"HX-Request": "true"})
    assert "hx-trigger" not in done.content.decode()
    assert "1 of 1 rows (100%)" in done.content.decode()


def test_another_stores_import_is_not_found(other_manager_client, store, manager):
    run = import_upload(store=store, kind="purchases", by=manager, upload=SimpleUploadedFile(
        "pos.csv", (HEADER + f"R-1,{_day(store, 1)},C-1,,,A,,,,,Ring,100,\n").encode()))

    assert other_manager_client.get(f"/customers/import/{run.pk}/").status_code == 404
    assert other_manager_client.post(f"/customers/import/{run.pk}/start/").status_code == 404
    run.refresh_from_db()
    assert run.status == ImportStatus.PREVIEWED


class _WorkerKilled(BaseException):
    """What a SIGKILL looks like from inside: nothing after it runs."""


def test_a_worker_killed_mid_file_leaves_a_stalled_import_that_resumes_where_it_stopped(
        manager_client, manager, store, ava, monkeypatch, time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    monkeypatch.setattr(imports_service, "BATCH_ROWS", 2)
    day = _day(store, 1)
    text = HEADER + "".join(f"R-{n},{day},C-17,,,,,,,,Ring,{n}00,\n" for n in range(1, 7))
    run = import_upload(store=store, kind="purchases", by=manager,
                        upload=SimpleUploadedFile("pos.csv", text.encode()))
    import_start(run=run, by=manager)
    real_batch = imports_service.purchases_import_batch
    calls = []

    def dies_on_the_second_batch(**kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise _WorkerKilled
        return real_batch(**kwargs)

    monkeypatch.setattr(imports_service, "purchases_import_batch", dies_on_the_second_batch)
    with pytest.raises(_WorkerKilled):
        import_process(import_id=run.pk)
    run.refresh_from_db()
    assert (run.status, run.rows_done, Purchase.objects.count()) == (ImportStatus.RUNNING, 2, 2)
    assert "Stalled" not in manager_client.get(f"/customers/import/{run.pk}/").content.decode()

    time_machine.shift(datetime.timedelta(minutes=4))
    page = manager_client.get(f"/customers/import/{run.pk}/").content.decode()
    assert "Stalled" in page and "Resume after row 2" in page
    manager_client.post(f"/customers/import/{run.pk}/resume/")
    run.refresh_from_db()
    assert run.status == ImportStatus.QUEUED
    assert import_process(import_id=run.pk) == "done"

    run.refresh_from_db()
    assert (run.status, run.rows_done, run.created, run.attempt) == (ImportStatus.DONE, 6, 6, 2)
    assert Purchase.objects.count() == 6
    ava.refresh_from_db()
    assert ava.lifetime_value == Decimal("2100.00")


def test_a_running_import_cannot_be_resumed_beside_its_worker(store, manager):
    run = import_upload(store=store, kind="purchases", by=manager, upload=SimpleUploadedFile(
        "pos.csv", (HEADER + f"R-1,{_day(store, 1)},C-1,,,A,,,,,Ring,100,\n").encode()))
    Import.objects.filter(pk=run.pk).update(status=ImportStatus.RUNNING,
                                            heartbeat_at=timezone.now())
    with pytest.raises(Exception, match="nothing to resume"):
        import_resume(run=run, by=manager)


def test_a_batch_costs_the_same_queries_for_ten_or_a_hundred_receipts(
        store, manager, salesperson, django_assert_max_num_queries):
    from crm.pos import read_rows, receipts
    from crm.selectors import associates_by_name
    from crm.services.purchases import purchases_import_batch

    day = _day(store, 1)
    CustomerFactory.create_batch(3, store=store)

    def batch(n, offset):
        text = HEADER + "".join(
            f"R-{offset + i},{day},P-{offset + i},c{offset + i}@mail.example,,Cy,Doe,Rings,,,"
            f"Ring,100,sally\n" for i in range(n))
        import io
        _, rows = read_rows(io.BytesIO(text.encode()), required=["receipt"])
        return list(receipts(rows))

    associates = associates_by_name(store=store)
    small, large = batch(10, 0), batch(100, 1000)
    # New customers cost a few queries each (customer_create); matched ones do not.
    purchases_import_batch(store=store, groups=small, by=manager, associates=associates)
    purchases_import_batch(store=store, groups=large, by=manager, associates=associates)
    again_small = [[r] for g in small for r in g]
    Purchase.objects.all().delete()
    with django_assert_max_num_queries(14):
        purchases_import_batch(store=store, groups=again_small, by=manager,
                               associates=associates)
    Purchase.objects.all().delete()
    with django_assert_max_num_queries(14):
        purchases_import_batch(store=store, groups=large, by=manager, associates=associates)


def test_an_import_queued_while_the_broker_was_down_can_be_queued_again(
        manager_client, store, manager, time_machine, monkeypatch):
    time_machine.move_to(timezone.now(), tick=False)
    queued = []
    monkeypatch.setattr(imports_service, "publish", lambda task, *args: queued.append(args))
    run = import_upload(store=store, kind="purchases", by=manager, upload=SimpleUploadedFile(
        "pos.csv", (HEADER + f"R-1,{_day(store, 1)},C-1,,,Al,,,,,Ring,100,\n").encode()))
    import_start(run=run, by=manager)  # after commit it would publish; the broker is down
    assert "Resume" not in manager_client.get(f"/customers/import/{run.pk}/").content.decode()

    time_machine.shift(datetime.timedelta(minutes=4))
    page = manager_client.get(f"/customers/import/{run.pk}/").content.decode()
    assert "Stalled" in page and "Resume after row 0" in page
    manager_client.post(f"/customers/import/{run.pk}/resume/")
    run.refresh_from_db()
    assert run.status == ImportStatus.QUEUED and not run.is_stalled(timezone.now())
    assert import_process(import_id=run.pk) == "done"


def _outcome(run):
    """What an import left: purchases with their customer and lines, customers with their
    associate and totals, the problems by line."""
    return {
        "purchases": sorted(Purchase.objects.values_list(
            "pos_reference", "customer__first_name", "customer__email", "amount", "associate")),
        "lines": PurchaseLine.objects.count(),
        "customers": sorted(Customer.objects.values_list(
            "first_name", "email", "pos_id", "assigned_to", "lifetime_value",
            "last_purchase_on")),
        "timeline": sorted(Interaction.objects.filter(kind=InteractionKind.PURCHASE)
                           .values_list("customer__first_name", "summary")),
        "problems": sorted(run.problems.values_list("line", "message")),
    }


@pytest.mark.parametrize("vendor", ["postgresql", "sqlite"])
def test_the_laptops_path_and_postgresqls_staged_path_import_a_file_alike(
        store, manager, salesperson, ava, monkeypatch, vendor):
    """On SQLite (make run) a batch is written through the ORM; on PostgreSQL through staging
    tables. Both are run here on PostgreSQL, the ORM path by telling it the database is
    SQLite, and must leave the same rows."""
    from django.db import connection

    CustomerFactory(store=store, first_name="Bo", email="bo@mail.example", phone="",
                    pos_id="", assigned_to=None)
    CustomerFactory(store=store, first_name="Cy", email="", phone="+12175550199", pos_id="")
    day, older = _day(store, 2), _day(store, 20)
    text = HEADER + (
        f"R-1,{older},C-17,,,,,Rings,18k gold,,Band,300,sally\n"
        f"R-1,{older},C-17,,,,,Care,,,Cleaner,15,sally\n"
        f"R-2,{day},P-BO,bo@mail.example,,,,Pearls,,,Strand,800,sally\n"
        f"R-3,{day},P-BO,,,,,Watches,steel,,Diver,1200,\n"        # found by the kept POS id
        f"R-4,{day},,,(217) 555-0199,,,Earrings,,,Hoops,90,sally\n"
        f"R-5,{day},N-1,new@pos.example,,Dee,Doe,Rings,,,Ring,500,sally\n"
        f"R-6,{older},N-1,,,,,Chains,,,Chain,50,\n"                # the new buyer again
        f"R-7,{day},N-404,,,,,Rings,,,Ring,500,\n"                 # nobody, no name
        f"R-8,{day},C-17,,,,,Rings,,,Ring,ten,\n")
    monkeypatch.setattr(connection, "vendor", vendor)

    run = _import(store, manager, text)

    assert (run.created, run.refused) == (6, 2)
    found = _outcome(run)
    assert found["problems"] == [
        (9, "customer: no customer has this POS id, email or phone; give first_name to add "
            "them."),
        (10, "amount: line 10: “ten” is not an amount.")]
    assert [(p[0], p[1]) for p in found["purchases"]] == [
        ("R-1", "Ava"), ("R-2", "Bo"), ("R-3", "Bo"), ("R-4", "Cy"), ("R-5", "Dee"),
        ("R-6", "Dee")]
    assert found["lines"] == 7 and len(found["timeline"]) == 6
    customers = {c[0]: c for c in found["customers"]}
    assert customers["Bo"][2:] == ("P-BO", salesperson.pk, Decimal("2000.00"),
                                   store.today() - datetime.timedelta(days=2))
    assert customers["Dee"][2:5] == ("N-1", salesperson.pk, Decimal("550.00"))
    assert customers["Ava"][4] == Decimal("315.00")
    again = _import(store, manager, text, name="again.csv")
    assert (again.created, again.unchanged, again.refused) == (0, 6, 2)
    assert _outcome(again)["purchases"] == found["purchases"]


def test_the_derived_totals_equal_a_recount_of_every_purchase_across_batches(
        store, manager, salesperson, ava, monkeypatch):
    """Each batch writes its buyers once (totals, POS id, credit in one UPDATE): what it
    leaves must be what a straightforward recount of all their purchases gives, purchases
    typed by hand before the import included."""
    from django.db.models import Max, Min, Sum

    monkeypatch.setattr(imports_service, "BATCH_ROWS", 2)
    bo = CustomerFactory(store=store, first_name="Bo", email="bo@mail.example", pos_id="")
    Purchase.objects.create(store=store, customer=ava, amount=Decimal("70.25"),
                            purchased_on=store.today() - datetime.timedelta(days=400))
    Purchase.objects.create(store=store, customer=bo, amount=Decimal("5.00"),
                            purchased_on=store.today() - datetime.timedelta(days=1))
    text = HEADER + (
        f"R-1,{_day(store, 30)},C-17,,,,,Rings,,,Band,300,sally\n"
        f"R-1,{_day(store, 30)},C-17,,,,,Care,,,Cleaner,15.10,sally\n"
        f"R-2,{_day(store, 9)},B-1,bo@mail.example,,,,Pearls,,,Strand,800,\n"
        f"R-3,{_day(store, 700)},B-1,,,,,Chains,,,Chain,40,sally\n"
        f"R-4,{_day(store, 2)},C-17,,,,,Watches,,,Diver,1200.55,\n"
        f"R-5,{_day(store, 3)},N-1,dee@pos.example,,Dee,,Rings,,,Ring,500,\n")

    _import(store, manager, text)

    recount = {row["customer"]: (row["v"], row["f"], row["l"]) for row in Purchase.objects
               .values("customer").annotate(v=Sum("amount"), f=Min("purchased_on"),
                                            l=Max("purchased_on"))}
    kept = {c.pk: (c.lifetime_value, c.first_purchase_on, c.last_purchase_on)
            for c in Customer.objects.all()}
    assert kept == recount
    assert kept[ava.pk][0] == Decimal("1585.90")
    bo.refresh_from_db()
    assert (bo.pos_id, kept[bo.pk][0]) == ("B-1", Decimal("845.00"))


def test_an_orphan_goes_to_the_associate_of_their_latest_receipt_once_with_their_tasks(
        store, manager, salesperson, ava):
    from followups.models import Task, TaskKind
    from tests.factories import TaskFactory

    ola = StaffMemberFactory(store=store, display_name="Ola Older")
    task = TaskFactory(customer=ava, assignee=None, occasion=None, occurs_on=None,
                       kind=TaskKind.REACH_OUT, due_on=store.today())
    text = HEADER + (f"R-1,{_day(store, 2)},C-17,,,,,,,,Ring,100,sally\n"   # the latest
                     f"R-2,{_day(store, 40)},C-17,,,,,,,,Chain,90,Ola Older\n"
                     f"R-3,{_day(store, 5)},C-17,,,,,,,,Box,9,\n")

    _import(store, manager, text)

    ava.refresh_from_db()
    assert ava.assigned_to == salesperson
    assignment = ava.assignments.get()
    assert (assignment.associate, assignment.reason, assignment.note, assignment.set_by) == (
        salesperson, AssignmentReason.IMPORT, "Associate on their POS receipt.", manager)
    assert list(Interaction.objects.filter(customer=ava, kind=InteractionKind.CHANGE)
                .values_list("summary", flat=True)) == [
        "Now looked after by Sally Sales (Import)."]
    assert Task.objects.get(pk=task.pk).assignee == salesperson
    assert AuditEntry.objects.get(action="clients.reassigned").data == {
        "count": 1, "reason": "import", "to": {str(salesperson.pk): 1}}
    assert ola.clients.count() == 0


def test_a_new_buyer_is_written_once_with_their_totals_history_and_audit_entry(
        store, manager, salesperson):
    """The staged path adds a new buyer with what their receipts make of them (not added
    empty, then written again): the history's creation row holds it, by the importing
    manager, and the audit entry names them."""
    text = HEADER + (f"R-1,{_day(store, 9)},N-1,dee@pos.example,,Dee,Doe,Rings,,,Ring,500,"
                     f"sally\n"
                     f"R-2,{_day(store, 3)},N-1,,,,,Chains,,,Chain,50.25,\n")

    _import(store, manager, text)

    dee = Customer.objects.get()
    created = dee.history.get()
    assert (created.history_type, created.history_user, created.lifetime_value,
            created.assigned_to_id, created.first_name, created.pos_id, created.source) == (
        "+", manager.user, Decimal("550.25"), salesperson.pk, "Dee", "N-1", Source.IMPORT)
    assert (dee.first_purchase_on, dee.last_purchase_on, dee.created_at) == (
        store.today() - datetime.timedelta(days=9), store.today() - datetime.timedelta(days=3),
        dee.updated_at)
    assert AuditEntry.objects.get(action="customers.created_from_receipts").data == {
        "count": 1, "ids": [dee.pk]}
    assert dee.assignments.get().associate == salesperson


def test_a_receipt_that_changes_none_of_the_buyers_values_leaves_their_row_alone(
        store, manager, ava, time_machine):
    """Every write of a customer row touches each of its indexes, same values or not: a
    buyer whose totals, POS id and associate stay as they were is not written."""
    day = store.today() - datetime.timedelta(days=5)
    Purchase.objects.create(store=store, customer=ava, amount=Decimal("100.00"),
                            purchased_on=day)
    Customer.objects.filter(pk=ava.pk).update(lifetime_value=Decimal("100.00"),
                                              first_purchase_on=day, last_purchase_on=day)
    ava.refresh_from_db()
    time_machine.move_to(timezone.now() + datetime.timedelta(minutes=5), tick=False)

    run = _import(store, manager, HEADER + f"R-1,{day.isoformat()},C-17,,,,,,,,Gift box,0,\n")

    assert run.created == 1
    before = ava.updated_at
    ava.refresh_from_db()
    assert (ava.updated_at, ava.lifetime_value) == (before, Decimal("100.00"))


def test_an_import_moves_the_dates_and_walk_ins_of_the_clients_it_hands_on_and_no_others(
        store, manager, salesperson, ava):
    """The triggers that keep each occasion's associate and each walk-in's answers (crm 0032,
    0033) see every buyer's row written and follow only those whose associate changed: what
    they keep equals a recount."""
    import uuid

    from django.db import connection

    from crm.models import OccasionKind, WalkIn
    from tests.factories import OccasionFactory

    other = StaffMemberFactory(store=store, display_name="Olga Other")
    looked_after = CustomerFactory(store=store, pos_id="C-2", assigned_to=other)
    orphan = CustomerFactory(store=store, pos_id="C-3", assigned_to=None)
    for n, customer in enumerate((ava, looked_after, orphan), start=1):
        OccasionFactory(customer=customer, kind=OccasionKind.BIRTHDAY, month=5, day=n)
        WalkIn.objects.create(key=uuid.uuid4(), customer=customer, logged_by=other,
                              created_at=timezone.now())
    day = _day(store, 1)

    _import(store, manager, HEADER + (f"R-1,{day},C-17,,,,,,,,Ring,100,sally\n"
                                      f"R-2,{day},C-2,,,,,,,,Ring,100,sally\n"
                                      f"R-3,{day},C-3,,,,,,,,Ring,100,Olga Other\n"))

    with connection.cursor() as cursor:
        cursor.execute("SELECT customer_id, customer_store_id, customer_assigned_to_id "
                       "FROM crm_occasion")
        kept_dates = {customer: rest for customer, *rest in cursor.fetchall()}
        cursor.execute("SELECT customer_id, customer_store_id, customer_reachable_now "
                       "FROM crm_walkin")
        kept_walk_ins = {customer: rest for customer, *rest in cursor.fetchall()}
    assert kept_dates == {c.pk: [c.store_id, c.assigned_to_id]
                          for c in Customer.objects.filter(occasions__isnull=False)}
    assert kept_walk_ins == {c.pk: [c.store_id, bool(c.phone or c.email)]
                             for c in Customer.objects.filter(walk_ins__isnull=False)}
    assert kept_dates == {ava.pk: [store.pk, salesperson.pk], looked_after.pk: [store.pk, other.pk],
                          orphan.pk: [store.pk, other.pk]}
