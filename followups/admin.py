"""Read-mostly admin: the outbox is written by the planner and the sender, never by hand."""

from django.contrib import admin

from followups.models import CallTask, Message, MessageTemplate, MessagingSettings


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ["customer", "sign_up", "kind", "channel", "status", "due_at", "sent_at",
                    "reason"]
    list_filter = ["status", "channel", "kind", "store"]
    list_select_related = ["customer", "sign_up"]
    raw_id_fields = ["customer", "sign_up", "occasion", "envelope"]
    search_fields = ["customer__last_name", "to", "provider_id"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(CallTask)
class CallTaskAdmin(admin.ModelAdmin):
    list_display = ["customer", "occasion", "occurs_on", "assignee", "due_on", "done_at"]
    list_select_related = ["customer", "occasion", "assignee"]
    raw_id_fields = ["customer", "occasion"]


admin.site.register(MessagingSettings)
admin.site.register(MessageTemplate)
