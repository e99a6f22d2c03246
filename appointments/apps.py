from django.apps import AppConfig


class AppointmentsConfig(AppConfig):
    name = "appointments"
    verbose_name = "Appointments"

    def ready(self):
        from appointments.selectors import customer_page_lists
        from crm.selectors import customer_page_panel

        # The appointments panel is read with the customer page's one query.
        customer_page_panel("appointments", customer_page_lists)
