"""The POS customer CSV, read and written with django-import-export."""

from django.core.exceptions import ValidationError
from import_export import resources

from core.errors import LoupeError
from crm.models import Customer, Source
from crm.normalize import normalize_email, normalize_phone
from crm.selectors import customer_duplicates

COLUMNS = ("first_name", "last_name", "email", "phone", "address_line", "city", "region",
           "postal_code", "partner_name", "notes")
# Spreadsheets run a cell that starts with these as a formula; exports defuse them.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class CustomerResource(resources.ModelResource):
    """One row per customer. Re-importing matches on email or phone, so it updates."""

    class Meta:
        model = Customer
        fields = COLUMNS
        export_order = COLUMNS
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True
        skip_html_diff = True

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

    def init_instance(self, row=None):
        return Customer(store=self.store, source=Source.IMPORT)

    def export_field(self, field, instance, **kwargs):
        value = super().export_field(field, instance, **kwargs)
        if isinstance(value, str) and value.startswith(FORMULA_STARTS):
            return "'" + value
        return value
