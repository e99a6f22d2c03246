from django.db import models


class Envelope(models.Model):
    """A repair take-in envelope (fields arrive with the repairs work)."""

    store = models.ForeignKey("staff.Store", on_delete=models.PROTECT, related_name="envelopes")
    customer = models.ForeignKey("crm.Customer", on_delete=models.PROTECT,
                                 related_name="envelopes")

    def __str__(self):
        return f"Envelope {self.pk}"
