from django.contrib import admin

from crm.services import preference_list_start
from staff.models import StaffMember, Store


@admin.register(Store)
class StoreAdmin(admin.ModelAdmin):
    list_display = ["name", "timezone"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not change:
            # A new store starts with the usual preference list, its own to edit.
            preference_list_start(store=obj)


@admin.register(StaffMember)
class StaffMemberAdmin(admin.ModelAdmin):
    list_display = ["display_name", "store", "role", "departed_on"]
    list_filter = ["store", "role"]
    list_select_related = ["store", "user"]
    # The PIN is set by its owner or reset by a manager on the staff pages, never typed here.
    exclude = ["pin_hash"]
