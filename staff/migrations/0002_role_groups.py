from django.contrib.auth.management import create_permissions
from django.db import migrations


def create_role_groups(apps, schema_editor):
    """Create the three role groups with their permissions.

    Permissions are normally created after all migrations run; create them now so the groups
    can hold them. `staff.roles.sync_role_groups` keeps them in step on later migrations.
    """
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    from staff.roles import ROLE_PERMISSIONS

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, perms in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        for perm in perms:
            app_label, codename = perm.split(".")
            found = Permission.objects.filter(content_type__app_label=app_label,
                                              codename=codename).first()
            if found is not None:
                group.permissions.add(found)


def remove_role_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(
        name__in=["salesperson", "service", "manager"]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("staff", "0001_initial"),
        ("crm", "0002_initial"),
        ("repairs", "0001_initial"),
        ("followups", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(create_role_groups, remove_role_groups)]
