"""The POS customer CSV, read and written with django-import-export."""

from django.core.exceptions import ValidationError
from import_export import resources

from core.errors import LoupeError
from crm.models import AssignmentReason, Customer, OccasionKind, Source
from crm.normalize import normalize_email, normalize_phone, phone_national
from crm.pos import parse_yearly
from crm.selectors import customer_duplicates, customer_with_pos_id, occasion_on_file
from crm.services.assignment import client_assign
from crm.services.customers import occasion_add, occasion_checked

COLUMNS = ("pos_id", "first_name", "last_name", "email", "phone", "address_line", "city",
           "region", "postal_code", "partner_name", "notes")
# Columns that are not profile fields: each becomes an occasion or the associate.
YEARLY = {"birthday": OccasionKind.BIRTHDAY, "anniversary": OccasionKind.ANNIVERSARY}
EXTRA_COLUMNS = (*YEARLY, "associate")
# Spreadsheets run a cell that starts with these as a formula; exports defuse them.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class CustomerResource(resources.ModelResource):
    """One row per customer. Re-importing matches on email or phone, so it updates; a blank
    cell leaves what the profile has (the POS often lacks what the store knows)."""

    class Meta:
        model = Customer
        fields = COLUMNS
        export_order = COLUMNS
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True
        skip_html_diff = True
        # The row's result keeps the saved profile, so the preview can show old and new.
        store_instance = True

    def __init__(self, *, store, associates=None, by=None, **kwargs):
        super().__init__(**kwargs)
        self.store = store
        self.by = by
        # The store's staff by display name and login (lower-case), for the associate column.
        self.associates = associates or {}

    def get_queryset(self):
        return Customer.objects.for_store(self.store).order_by("last_name", "first_name", "pk")

    def before_import_row(self, row, **kwargs):
        """Normalise contact details; a bad one becomes that row's error, not a crash."""
        errors = {}
        for name, normalize in (("email", normalize_email), ("phone", normalize_phone)):
            try:
                row[name] = normalize(str(row.get(name) or ""))
            except LoupeError as exc:
                errors[name] = exc.message
        for name in (*COLUMNS, *EXTRA_COLUMNS):
            if row.get(name) is None:
                row[name] = ""
            elif name != "notes" and "\n" in str(row[name]):
                # An unclosed quote swallows the following lines into one cell.
                errors[name] = "Has a line break: check the quotes on this line."
        row["pos_id"] = str(row["pos_id"]).strip()[:64]
        self._read_extras(row, errors)
        if errors:
            raise ValidationError(errors)

    def _read_extras(self, row, errors) -> None:
        """Parse the birthday, anniversary and associate cells into `row["_extras"]`; an
        unknown associate or an impossible date is the row's error, not a silent blank."""
        extras = {"occasions": [], "associate": None}
        today = self.store.today()
        for column, kind in YEARLY.items():
            text = str(row.get(column) or "").strip()
            if not text or column in errors:
                continue
            try:
                month, day, year = parse_yearly(text, field=column)
                occasion_checked(kind=kind, month=month, day=day, year=year, today=today)
            except LoupeError as exc:
                errors[column] = exc.message
            else:
                extras["occasions"].append((kind, month, day, year))
        name = str(row.get("associate") or "").strip()
        if name and "associate" not in errors:
            member = self.associates.get(name.lower())
            if member is None:
                errors["associate"] = f"“{name}” is not an associate of this store."
            elif not member.can_sell:
                errors["associate"] = (f"{member.display_name} cannot look after clients "
                                       f"(left the store or works at the service counter).")
            else:
                extras["associate"] = member
        row["_extras"] = extras

    def skip_row(self, instance, original, row, import_validation_errors=None):
        """Unchanged fields are skipped only if the row adds no occasion and no associate."""
        self._plan_extras(instance, row)
        if instance._import_extras:
            return False
        return super().skip_row(instance, original, row, import_validation_errors)

    def _plan_extras(self, instance, row) -> None:
        """What the extra columns add to this profile: an occasion of a kind it has none of,
        an associate if it has none (or one who left). An import never replaces either."""
        extras = row.get("_extras") or {"occasions": [], "associate": None}
        planned = []
        for kind, month, day, year in extras["occasions"]:
            if instance.pk is None or occasion_on_file(customer=instance, kind=kind) is None:
                shown = f"{month}/{day}" + (f"/{year}" if year else "")
                planned.append((OccasionKind(kind).label, "", shown, (kind, month, day, year)))
        member = extras["associate"]
        current = instance.assigned_to if instance.assigned_to_id else None
        if member is not None and (current is None or not current.is_active):
            planned.append(("associate", current.display_name if current else "",
                            member.display_name, member))
        instance._import_extras = planned

    def after_save_instance(self, instance, row, **kwargs):
        for _label, _old, _new, what in getattr(instance, "_import_extras", []):
            if isinstance(what, tuple):
                kind, month, day, year = what
                occasion_add(customer=instance, kind=kind, month=month, day=day, year=year)
            else:
                client_assign(customer=instance, associate=what, by=self.by,
                              reason=AssignmentReason.IMPORT,
                              note="Associate named in the POS customer file.")

    def get_instance(self, instance_loader, row):
        """The POS id first (kept for matching), then the email or phone."""
        return (customer_with_pos_id(store=self.store, pos_id=row.get("pos_id", ""))
                or customer_duplicates(store=self.store, email=row.get("email", ""),
                                       phone=row.get("phone", "")).first())

    def import_field(self, field, instance, row, *args, **kwargs):
        # An import adds and corrects, never erases: a blank cell on a matched profile keeps
        # its phone, city, ... (and so the consent given for that phone or email).
        if instance.pk is not None and not str(row.get(field.column_name) or "").strip():
            return
        super().import_field(field, instance, row, *args, **kwargs)

    @staticmethod
    def changes(original, instance) -> list[tuple[str, str, str]]:
        """(column's label, old, new) for each column the row changes on a matched profile."""
        found = []
        for name in COLUMNS:
            old, new = (_shown(name, getattr(c, name)) for c in (original, instance))
            if old != new:
                found.append((str(Customer._meta.get_field(name).verbose_name), old, new))
        found += [(label, old, new)
                  for label, old, new, _what in getattr(instance, "_import_extras", [])]
        return found

    def init_instance(self, row=None):
        return Customer(store=self.store, source=Source.IMPORT)


def neutralise(value):
    """A cell a spreadsheet would run as a formula is written as text (a leading ')."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _shown(name: str, value) -> str:
    text = str(value or "")
    return phone_national(text) if name == "phone" and text else text
