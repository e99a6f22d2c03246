from django.conf import settings
from django.db import models

from core.photos import photo_upload_to


class AuditEntry(models.Model):
    """Who did what to which object, written only through `core.audit.log_action`."""

    store = models.ForeignKey("staff.Store", null=True, blank=True, on_delete=models.PROTECT,
                              related_name="audit_entries")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                              on_delete=models.PROTECT, related_name="audit_entries")
    action = models.CharField(max_length=64)
    object_type = models.CharField(max_length=64, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField(max_length=200, blank=True)
    data = models.JSONField(default=dict, blank=True)
    # The floor tablet's name, or "browser" and the address it came from; "" for the system.
    device = models.CharField(max_length=120, blank=True, default="")
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["store", "action", "-created_at"])]
        verbose_name_plural = "audit entries"

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor} {self.action} {self.object_repr}"


class PhotoBase(models.Model):
    """A photo of a piece, resized on upload (`core.photos.photo_resized`). Each room's
    concrete model adds the store and what the photo shows."""

    image = models.FileField(upload_to=photo_upload_to, max_length=200)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    caption = models.CharField(max_length=120, blank=True)
    taken_by = models.ForeignKey("staff.StaffMember", null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        abstract = True
        ordering = ["created_at", "id"]

    def __str__(self):
        return self.caption or self.image.name
