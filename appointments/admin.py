from django.contrib import admin

from appointments.models import Appointment, BookingHours, ClosedDay


@admin.register(Appointment)
class AppointmentAdmin(admin.ModelAdmin):
    list_display = ["customer", "associate", "starts_at", "purpose", "status", "outcome"]
    list_filter = ["status", "purpose", "store"]
    list_select_related = ["customer", "associate"]
    raw_id_fields = ["customer", "task"]

    def has_add_permission(self, request):
        return False  # booking checks hours and conflicts: book from the customer's page


admin.site.register(BookingHours)


@admin.register(ClosedDay)
class ClosedDayAdmin(admin.ModelAdmin):
    list_display = ["store", "day", "reason"]
    list_filter = ["store"]
