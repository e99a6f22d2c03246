"""`manage.py check --deploy`: an email provider without a webhook secret is an error."""

from django.conf import settings
from django.core import checks

from followups.webhooks import anymail_webhook_secret


@checks.register(checks.Tags.security, deploy=True)
def email_webhook_has_a_secret(app_configs=None, **kwargs):
    provider = getattr(settings, "ANYMAIL_ESP", "") or (
        settings.EMAIL_BACKEND.startswith("anymail.") and settings.EMAIL_BACKEND)
    if not provider or anymail_webhook_secret():
        return []
    return [checks.Error(
        f"An email provider is configured ({provider}) but WEBHOOK_SECRET is empty.",
        hint="Set WEBHOOK_SECRET to user:password and give the provider's tracking webhook "
             "that basic auth; until then every email webhook is refused, so bounces and "
             "complaints are not recorded.",
        id="followups.E001")]
