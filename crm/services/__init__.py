"""Writes that matter for customers. Each is one transaction with keyword-only arguments.

Split by the store's activities; everything is importable from `crm.services`.
"""

from crm.services.assignment import Move, client_assign, clients_reassign
from crm.services.capture import Confirmation, sign_up_confirm, sign_up_create
from crm.services.consents import consent_questions, consent_record_answers
from crm.services.customers import (
    consent_record,
    customer_create,
    customer_email_set,
    customer_note_add,
    customer_update,
    interaction_add,
    occasion_add,
    occasion_checked,
    purchase_record,
)
from crm.services.imports import import_preview, import_resume, import_start, import_upload
from crm.services.merge import customer_merge
from crm.services.occasions import (
    occasion_change,
    occasion_fold,
    occasion_record,
    occasion_remove,
)
from crm.services.photos import piece_photo_add
from crm.services.preferences import preference_list_start, preference_save
from crm.services.promotions import (
    drawing_close,
    drawing_create,
    drawing_draw,
    voucher_lookup,
    voucher_program_end,
    voucher_program_set,
    voucher_redeem,
)
from crm.services.transfer import customers_export, customers_import
from crm.services.walk_ins import OccasionEntry, WalkInEntry, customer_log_walk_in

__all__ = [
    "Confirmation",
    "Move",
    "OccasionEntry",
    "WalkInEntry",
    "client_assign",
    "clients_reassign",
    "customers_export",
    "customers_import",
    "consent_questions",
    "consent_record",
    "consent_record_answers",
    "customer_create",
    "customer_email_set",
    "customer_log_walk_in",
    "customer_merge",
    "import_preview",
    "import_resume",
    "import_start",
    "import_upload",
    "customer_note_add",
    "customer_update",
    "drawing_close",
    "drawing_create",
    "drawing_draw",
    "interaction_add",
    "occasion_add",
    "occasion_change",
    "occasion_checked",
    "piece_photo_add",
    "preference_list_start",
    "occasion_fold",
    "occasion_record",
    "occasion_remove",
    "preference_save",
    "purchase_record",
    "sign_up_confirm",
    "sign_up_create",
    "voucher_lookup",
    "voucher_program_end",
    "voucher_program_set",
    "voucher_redeem",
]
