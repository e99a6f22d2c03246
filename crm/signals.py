"""What crm tells the rooms above it (which crm never imports: followups stands on crm)."""

from django.dispatch import Signal

# Sent inside the transaction that moved an occasion to another date, removed it, or folded
# it into the same date already on file (before the row is deleted), so what was planned for
# it can be held back in the same commit. Arguments: occasion, change ("moved", "removed" or
# "merged"), at.
occasion_changed = Signal()

# `sign_up_received(sender=SignUp, sign_up=...)` is sent inside the transaction that saves a
# public form's entry; followups answers it by putting the confirmation email in the outbox, in
# that same transaction, so the entry and its email are saved together or not at all.
sign_up_received = Signal()

# `voucher_issued(sender=Voucher, voucher=...)` is sent inside the transaction that confirmed a
# website sign-up and issued its voucher; followups puts the voucher's email in the outbox in
# that same transaction.
voucher_issued = Signal()

# `drawing_winner_drawn(sender=Drawing, drawing=...)` is sent inside the transaction that drew
# the winner; followups puts the winner's notice in the outbox in that same transaction.
drawing_winner_drawn = Signal()
