from crm.models import Customer


def clients_of(*, staff_member):
    """The customers an associate looks after, shaped for the 'My clients' list."""
    return (
        Customer.objects.for_store(staff_member.store)
        .filter(assigned_to=staff_member)
        .order_by("last_name", "first_name")
    )


def consent_current(*, customer: Customer, channel: str, purpose: str) -> bool:
    """Whether the customer's latest word for this channel and purpose is yes."""
    latest = (customer.consents.filter(channel=channel, purpose=purpose)
              .order_by("-created_at", "-id").values_list("granted", flat=True).first())
    return bool(latest)
