from django.contrib import admin

from staff.models import StaffMember, Store


@admin.register(Store)
class StoreAdmin(admin.ModelAdmin):
    list_display = ["name", "timezone"]


@admin.register(StaffMember)
class StaffMemberAdmin(admin.ModelAdmin):
    list_display = ["display_name", "store", "role", "departed_on"]
    list_filter = ["store", "role"]
    list_select_related = ["store", "user"]
