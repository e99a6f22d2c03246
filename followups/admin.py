"""Read-mostly admin: the outbox is written by the planner and the sender, never by hand."""

from django.contrib import admin

from followups.models import Message, MessageTemplate, MessagingSettings, Snippet, Task


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ["customer", "sign_up", "kind", "channel", "status", "due_at", "sent_at",
                    "reason"]
    list_filter = ["status", "channel", "kind", "store"]
    list_select_related = ["customer", "sign_up"]
    raw_id_fields = ["customer", "sign_up", "occasion", "envelope", "appointment"]
    search_fields = ["customer__last_name", "to", "provider_id"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Task)
class TaskAdmin(admin.ModelAdmin):
    list_display = ["customer", "kind", "occasion", "occurs_on", "assignee", "due_on",
                    "done_at"]
    list_filter = ["kind", "store"]
    list_select_related = ["customer", "occasion", "assignee"]
    raw_id_fields = ["customer", "occasion"]


@admin.register(Snippet)
class SnippetAdmin(admin.ModelAdmin):
    list_display = ["title", "store"]
    list_filter = ["store"]


admin.site.register(MessagingSettings)
admin.site.register(MessageTemplate)
