"""Signals crm sends for the rooms above it (crm imports none of them).

`sign_up_received(sender=SignUp, sign_up=...)` is sent inside the transaction that saves a
public form's entry; followups answers it by putting the confirmation email in the outbox, in
that same transaction, so the entry and its email are saved together or not at all.
"""

from django.dispatch import Signal

sign_up_received = Signal()
