"""`{{ customer.phone|phone }}`: a phone number as people read it (see `core.phones`).

`tel:` links keep the stored E.164 (`href="tel:{{ customer.phone }}"`).
"""

from django import template

from core.phones import phone_for_people

register = template.Library()
register.filter("phone", phone_for_people)
