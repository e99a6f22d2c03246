from django import template
from django.utils import timezone

from core.jinja import part
from core.phones import phone_text
from followups import selectors

register = template.Library()


def _panels(customer) -> dict:
    """Both panels of the customer page from one read (kept on the customer for this
    request only: the page's customer is read afresh on every request)."""
    if not hasattr(customer, "followups_panels"):
        customer.followups_panels = selectors.customer_page_panels(customer=customer)
    return customer.followups_panels


@part(register, "followups/customer_messages.jinja")
def customer_messages(context, customer):
    """Every message for the customer with its status, in the store's time."""
    staff = context.get("staff_member")
    return {"customer": customer,
            "messages": _panels(customer)["messages"],
            "store_timezone": staff.store.timezone if staff else timezone.get_current_timezone()}


@part(register, "followups/customer_conversation.jinja")
def customer_conversation(context, customer):
    """The customer page's conversation (the latest entries, newest last), its reply box and
    the customer's open tasks."""
    import uuid

    from followups.forms import ReplyForm
    from followups.services import reply_addresses

    panels = _panels(customer)
    tasks = panels["tasks"]
    addresses = reply_addresses(customer)
    # Their text waiting: answer on the number (no query: the open tasks are at hand).
    number = phone_text(customer.phone)
    waiting = number and any(task.is_reply for task in tasks)
    return {"customer": customer, "perms": context.get("perms"),
            "thread": panels["thread"][-8:], "tasks": tasks,
            "form": ReplyForm(addresses=addresses, initial={
                "key": uuid.uuid4(),
                "address": number if waiting else
                (addresses[0][1] if addresses else "")}),
            "snippets": panels["snippets"]}
