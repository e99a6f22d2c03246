from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Loupe core"

    def ready(self):
        from django.contrib.auth import signals

        from core import audit

        # Logins and failed logins belong in the audit trail, wherever they come from
        # (the login page, a test client, the admin).
        signals.user_logged_in.connect(audit.record_login, dispatch_uid="core.audit.login")
        signals.user_logged_out.connect(audit.record_logout,
                                        dispatch_uid="core.audit.logout")
        signals.user_login_failed.connect(audit.record_login_failure,
                                          dispatch_uid="core.audit.login_failed")
