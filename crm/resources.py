"""The POS customer CSV, read and written with django-import-export."""

from django.core.exceptions import ValidationError
from import_export import resources

from core.errors import LoupeError
from crm.models import Customer, Source
from crm.normalize import normalize_email, normalize_phone, phone_national
from crm.selectors import customer_duplicates

COLUMNS = ("first_name", "last_name", "email", "phone", "address_line", "city", "region",
           "postal_code", "partner_name", "notes")
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

    def __init__(self, *, store, **kwargs):
        super().__init__(**kwargs)
        self.store = store

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
        for name in COLUMNS:
            if row.get(name) is None:
                row[name] = ""
            elif name != "notes" and "\n" in str(row[name]):
                # An unclosed quote swallows the following lines into one cell.
                errors[name] = "Has a line break: check the quotes on this line."
        if errors:
            raise ValidationError(errors)

    def get_instance(self, instance_loader, row):
        return customer_duplicates(store=self.store, email=row.get("email", ""),
                                   phone=row.get("phone", "")).first()

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
        return found

    def init_instance(self, row=None):
        return Customer(store=self.store, source=Source.IMPORT)

    def export_field(self, field, instance, **kwargs):
        value = super().export_field(field, instance, **kwargs)
        if isinstance(value, str) and value.startswith(FORMULA_STARTS):
            return "'" + value
        return value


def _shown(name: str, value) -> str:
    text = str(value or "")
    return phone_national(text) if name == "phone" and text else text
