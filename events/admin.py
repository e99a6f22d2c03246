"""Read-only admin: events and campaigns change through their pages (services), not here."""

from django.contrib import admin

from events.models import Campaign, Event, Invitation


class _ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Event)
class EventAdmin(_ReadOnly):
    list_display = ["title", "store", "starts_at", "capacity", "cancelled_at"]
    list_filter = ["store"]


@admin.register(Campaign)
class CampaignAdmin(_ReadOnly):
    list_display = ["name", "event", "status", "scheduled_at", "expanded_through"]
    list_filter = ["status", "store"]


@admin.register(Invitation)
class InvitationAdmin(_ReadOnly):
    list_display = ["customer", "event", "answer", "guests", "waitlisted", "attended_at"]
    list_select_related = ["customer", "event"]
    raw_id_fields = ["customer"]
