from django.apps import AppConfig


class RepairsConfig(AppConfig):
    name = "repairs"
    verbose_name = "Repairs"

    def ready(self):
        from crm.selectors import customer_page_panel
        from repairs.selectors import customer_page_lists

        # The repairs panel is read with the customer page's one query.
        customer_page_panel("repairs", customer_page_lists)
