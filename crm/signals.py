"""What crm tells the rooms above it (which crm never imports: followups stands on crm)."""

from django.dispatch import Signal

# Sent inside the transaction that moved an occasion to another date, removed it, or folded
# it into the same date already on file (before the row is deleted), so what was planned for
# it can be held back in the same commit. Arguments: occasion, change ("moved", "removed" or
# "merged"), at.
occasion_changed = Signal()
