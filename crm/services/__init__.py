"""Writes that matter for customers. Each is one transaction with keyword-only arguments.

Split by the store's activities; everything is importable from `crm.services`.
"""

from crm.services.capture import Confirmation, sign_up_confirm, sign_up_create
from crm.services.customers import (
    consent_record,
    customer_create,
    customer_email_set,
    customer_note_add,
    customer_update,
    interaction_add,
    occasion_add,
    occasion_checked,
    preference_save,
    purchase_record,
)
from crm.services.merge import customer_merge
from crm.services.transfer import customers_export, customers_import
from crm.services.walk_ins import OccasionEntry, WalkInEntry, customer_log_walk_in

__all__ = [
    "Confirmation",
    "OccasionEntry",
    "WalkInEntry",
    "customers_export",
    "customers_import",
    "consent_record",
    "customer_create",
    "customer_email_set",
    "customer_log_walk_in",
    "customer_merge",
    "customer_note_add",
    "customer_update",
    "interaction_add",
    "occasion_add",
    "occasion_checked",
    "preference_save",
    "purchase_record",
    "sign_up_confirm",
    "sign_up_create",
]
