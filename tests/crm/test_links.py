"""`{% customer_path %}`: a row's link to the customer page, the path `{% url %}` gives."""

import pytest
from django.template import Context, Template
from django.urls import reverse, set_script_prefix

pytestmark = pytest.mark.django_db

ROWS = Template("{% load crm_links %}{% for pk in ids %}{% customer_path pk %}|{% endfor %}")


def test_each_row_links_to_its_own_customer_page():
    ids = [1, 42, 98765432100]
    expected = "".join(f"{reverse('crm:customer', kwargs={'customer_id': pk})}|" for pk in ids)
    assert ROWS.render(Context({"ids": ids})) == expected


def test_the_path_follows_the_script_prefix_of_the_request():
    """Reversed once per page, not per process: a site under a path prefix links inside it."""
    try:
        set_script_prefix("/shop/")
        assert ROWS.render(Context({"ids": [7]})) == "/shop/customers/7/|"
    finally:
        set_script_prefix("/")
    assert ROWS.render(Context({"ids": [7]})) == "/customers/7/|"


def test_a_value_that_is_not_an_id_is_refused():
    with pytest.raises(ValueError):
        ROWS.render(Context({"ids": ["7/../../admin"]}))
