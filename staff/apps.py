from django.apps import AppConfig
from django.db.models.signals import post_migrate


class StaffConfig(AppConfig):
    name = "staff"
    verbose_name = "Staff and stores"

    def ready(self):
        from staff.roles import sync_role_groups

        # Keeps each role's group holding exactly the permissions staff/roles.py names,
        # after every migrate (permissions themselves are created by post_migrate too).
        post_migrate.connect(sync_role_groups, dispatch_uid="staff.sync_role_groups")
