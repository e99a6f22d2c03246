"""A password hasher for the tests alone."""

from django.contrib.auth.hashers import PBKDF2PasswordHasher


class QuickPBKDF2(PBKDF2PasswordHasher):
    """Django's own PBKDF2 with few rounds. Its hashes say their rounds (pbkdf2_sha256$1000$...),
    so any process with the default hashers (a real Celery worker, say) checks them too.

    The default's million rounds take about 0.4 s a password by design, and the suite makes a
    user or a floor PIN in most of its tests: that was most of `make test`'s time."""

    iterations = 1000
