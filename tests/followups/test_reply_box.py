"""The reply box on the customer page is drawn without crispy's templates (they cost ~3 ms a
view); what it draws must stay exactly what crispy draws."""

import uuid

import pytest
from django.template import Context, Template
from django.template.loader import render_to_string
from django.test.html import parse_html

from followups.forms import ReplyForm

CRISPY = Template("{% load crispy_forms_tags %}{{ form.address|as_crispy_field }}"
                  "{{ form.subject|as_crispy_field }}{{ form.words|as_crispy_field }}")

ADDRESSES = [
    [("email", "ada@mail.example")],
    [("email", "ada@mail.example"), ("phone", "+12175550226")],
    [("phone", "+12175550226"), ("email", "o'brien&co@mail.example")],
]


@pytest.mark.parametrize("addresses", ADDRESSES)
@pytest.mark.parametrize("initial", [
    {},
    {"address": "+12175550226"},
    {"address": "ada@mail.example", "subject": 'Your "ring" <ready> & more',
     "words": "Hello <b>Ada</b> & all"},
])
def test_the_reply_fields_are_what_crispy_draws(addresses, initial):
    form = ReplyForm(addresses=addresses, initial={"key": uuid.uuid4(), **initial})
    plain = render_to_string("followups/_reply_fields.jinja", {"form": form})
    assert parse_html(plain) == parse_html(CRISPY.render(Context({"form": form})))


def test_a_sent_form_with_errors_still_shows_them():
    form = ReplyForm({"address": "nobody@mail.example", "words": "Hi"},
                     addresses=ADDRESSES[0])
    assert not form.is_valid()
    box = render_to_string("followups/partials/_reply_form.html",
                           {"form": form, "customer": {"pk": 1}})
    assert "is-invalid" in box
    assert "Select a valid choice" in box
