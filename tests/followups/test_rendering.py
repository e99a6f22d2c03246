"""Templates render only known placeholders; texts are counted in SMS segments."""

import pytest

from core.errors import LoupeError
from followups.rendering import DEFAULTS, check, render, sms_segments


@pytest.mark.parametrize(("text", "segments"), [
    ("", 0),
    ("a" * 160, 1),
    ("a" * 161, 2),
    ("a" * 306, 2),
    ("a" * 307, 3),
    ("€" * 80, 1),  # extended GSM characters count twice
    ("€" * 81, 2),
    ("Happy birthday 🎂" + "a" * 53, 1),  # an emoji makes it UCS-2: 70 per text
    ("Happy birthday 🎂" + "a" * 55, 2),
])
def test_texts_are_counted_in_segments(text, segments):
    assert sms_segments(text) == segments


def test_only_known_placeholders_are_filled():
    assert render("Hi {{ first_name }}, {{first_name}}!", {"first_name": "Ava"}) == "Hi Ava, Ava!"


@pytest.mark.parametrize("text", ["{{ customer.email }}", "{% load static %}", "{# x #}",
                                  "{{ secret_key }}"])
def test_anything_else_is_refused(text):
    with pytest.raises(LoupeError):
        check(text)


def test_every_default_template_passes_its_own_check():
    for subject, body in DEFAULTS.values():
        check(subject)
        check(body)
