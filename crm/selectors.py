from crm.models import Customer


def clients_of(*, staff_member):
    """The customers an associate looks after, shaped for the 'My clients' list."""
    return (
        Customer.objects.for_store(staff_member.store)
        .filter(assigned_to=staff_member)
        .order_by("last_name", "first_name")
    )
