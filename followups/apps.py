from django.apps import AppConfig


class FollowupsConfig(AppConfig):
    name = "followups"
    verbose_name = "Follow-ups"

    def ready(self):
        # The deploy check registers itself; the receivers connect anymail's and crm's signals.
        from crm.selectors import customer_page_panel
        from followups import checks, receivers  # noqa: F401
        from followups.selectors import customer_page_lists

        # The conversation's and the messages' panels are read with the customer page's
        # one query.
        customer_page_panel("followups", customer_page_lists)
