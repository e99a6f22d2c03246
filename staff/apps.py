from django.apps import AppConfig
from django.contrib.auth.signals import user_login_failed
from django.db.models.signals import post_migrate


class StaffConfig(AppConfig):
    name = "staff"
    verbose_name = "Staff and stores"

    def ready(self):
        from staff.roles import sync_role_groups

        # Keeps each role's group holding exactly the permissions staff/roles.py names,
        # after every migrate (permissions themselves are created by post_migrate too).
        post_migrate.connect(sync_role_groups, dispatch_uid="staff.sync_role_groups")
        # A wrong password typed on a floor tablet counts against the tablet as well as the
        # account (django-axes counts the account).
        user_login_failed.connect(_count_against_floor_tablet,
                                  dispatch_uid="staff.floor_password_failed")


def _count_against_floor_tablet(sender, credentials, request=None, **kwargs):
    from staff import floor

    device = getattr(request, "floor_device", None)
    if device is not None:
        floor.record_failure(device=device)
