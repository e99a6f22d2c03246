"""Jinja2 for the floor's busiest screens: the layout, the customer page, My clients, search,
the orphan list.

Django's template engine spent about three quarters of the customer page's time walking its
nodes (some 320 of them and 330 variable lookups a request); Jinja2 compiles a template to
Python once. Both engines run side by side (settings.TEMPLATES): the other screens stay in
Django templates, whose layout (templates/base.html) draws its navigation with the same Jinja2
partials as jinja2/base.jinja.

The screens are written in the store's one language (settings: no catalog translates them),
so a Jinja2 template holds its words as they are. Dates use Django's date formats and the
current time zone, as `{{ value|date:"..." }}` does; a page in a store's time zone is rendered
inside `timezone.override` (as `{% timezone %}` did).

`part` makes a panel that either engine can draw: the function gives the panel's context and a
Jinja2 template draws it, whether `{% name args %}` asks in a Django template or
`{{ name(args) }}` in a Jinja2 one, so the panel's markup lives in one file.
"""

import datetime
import functools
import zoneinfo
from importlib import import_module

from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field
from django.template import defaultfilters, defaulttags, engines
from django.template.backends.django import get_installed_libraries
from django.templatetags.static import static as django_static
from django.urls import NoReverseMatch, get_script_prefix, reverse
from django.utils import dateformat, formats, timezone
from django.utils.dates import MONTHS_3, WEEKDAYS_ABBR
from django.utils.safestring import mark_safe
from django.utils.translation import gettext
from jinja2 import ChainableUndefined, Environment, pass_context

from core.labels import choice_label
from core.phones import phone_for_people

ENGINE = "jinja2"
# A panel's template sees its own context and these of the page asking (as an inclusion tag's
# template saw its context and the page's CSRF token).
_FROM_THE_PAGE = ("request", "csrf_token", "perms", "staff_member", "user")
_PARTS: dict = {}
_STAND_IN = 987_654_321_000


def url(name: str, **kwargs) -> str:
    """`{{ url("crm:customer", customer_id=7) }}`: `{% url %}`. A path whose arguments are
    whole numbers is reversed once per process and shape, and each number written into it
    (reversing costs ~25 µs; the customer page asked ~20 times a view)."""
    if not all(type(value) is int and value >= 0 for value in kwargs.values()):
        return reverse(name, kwargs=kwargs)
    try:
        pieces = _reversed(get_script_prefix(), name, tuple(sorted(kwargs)))
    except NoReverseMatch:  # a path that takes only some numbers: as Django reverses it
        return reverse(name, kwargs=kwargs)
    return pieces[0] + "".join(str(kwargs[key]) + after for key, after in pieces[1])


@functools.lru_cache(maxsize=512)
def _reversed(prefix: str, name: str, keys: tuple) -> tuple[str, tuple]:
    """The path of `name` cut around its numbers: (head, ((key, text after it), ...)), in the
    order the numbers appear. Stand-ins no real id reaches (and no path holds) find them."""
    stand_ins = {key: _STAND_IN + n for n, key in enumerate(keys)}
    path = reverse(name, kwargs=stand_ins)
    found = sorted((path.index(str(number)), key) for key, number in stand_ins.items())
    head, cuts = path[:found[0][0]] if found else path, []
    for n, (at, key) in enumerate(found):
        end = found[n + 1][0] if n + 1 < len(found) else len(path)
        cuts.append((key, path[at + len(str(stand_ins[key])):end]))
    return head, tuple(cuts)


def url_around(name: str, key: str) -> tuple[str, str]:
    """The path of `name` before and after its one whole-number argument `key`, worked out
    once per process (a list writes each row's id between them)."""
    head, ((_, tail),) = _reversed(get_script_prefix(), name, (key,))
    return head, tail


def static(path: str) -> str:
    """`{{ static("css/crm.css") }}`: `{% static %}`, worked out once per process and path
    (the manifest of hashed names is read once per process anyway)."""
    return _static(get_script_prefix(), path)


@functools.lru_cache(maxsize=256)
def _static(prefix: str, path: str) -> str:
    return django_static(path)


def draw(template_name: str, context: dict) -> str:
    """A Jinja2 template drawn with `context` alone, as safe markup for either engine."""
    return mark_safe(engines[ENGINE].env.get_template(template_name).render(context))  # noqa: S308 - autoescaped


def jinja_global(name: str):
    """Make the decorated function the Jinja2 global `name` (registered when its module, a
    template tag library, is imported: core names no app)."""

    def decorate(func):
        _PARTS[name] = func
        return func

    return decorate


@pass_context
def querystring(context, **changes) -> str:
    """`{{ querystring(page=2) }}`: Django's `{% querystring %}` (None drops a key) on the
    page's query."""
    return defaulttags.querystring(context, context["request"].GET, **changes)


def part(library, template_name: str):
    """Register `func(context, *args)` -> dict as a panel drawn by `template_name`: the
    Django tag `{% func_name args %}` in `library` and the Jinja2 global `func_name(args)`."""

    def decorate(func):
        def drawn(context, *args, **kwargs) -> str:
            page = {name: context.get(name) for name in _FROM_THE_PAGE}
            return draw(template_name, {**page, **func(context, *args, **kwargs)})

        library.simple_tag(takes_context=True, name=func.__name__)(
            functools.wraps(func)(drawn))
        _PARTS[func.__name__] = pass_context(drawn)
        return func

    return decorate


def date(value, arg=None, tz=None) -> str:
    """`{{ when|date("M j, Y") }}`: Django's `date` filter, a moment shown in the current time
    zone (as a Django template shows it) or in `tz` (as `{% timezone tz %}` did)."""
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        value = timezone.localtime(value, zoneinfo.ZoneInfo(tz) if isinstance(tz, str) else tz)
    if arg and isinstance(value, datetime.date):
        quick = _quick_date(value, arg)
        if quick is not None:
            return quick
    return defaultfilters.date(value, arg)


# The specifiers the screens' formats use, written as Django's DateFormat writes them (its
# English names, its "a.m."); a format with any other (or an escape) goes to Django. Django
# made a formatter per date and read the month and weekday names through lazy translations,
# about 25 µs a date, a dozen dates a customer page.
_SPECIFIERS = {
    "D": lambda d: str(WEEKDAYS_ABBR[d.weekday()]),
    "M": lambda d: MONTHS_3[d.month].title(),
    "j": lambda d: str(d.day),
    "Y": lambda d: f"{d.year:04d}",
    "g": lambda d: str(d.hour % 12 or 12),
    "H": lambda d: f"{d.hour:02d}",
    "i": lambda d: f"{d.minute:02d}",
    "a": lambda d: gettext("p.m.") if d.hour > 11 else gettext("a.m."),
}
_TIME_SPECIFIERS = frozenset("gHia")


@functools.lru_cache(maxsize=128)
def _date_pieces(format_string: str) -> tuple | None:
    """`format_string` as (specifier, literal text) pieces, split as Django splits it, or
    None when Django must write it (another specifier, an escape, a format setting's name)."""
    if "\\" in format_string or format_string in formats.FORMAT_SETTINGS:
        return None
    pieces = []
    for n, piece in enumerate(dateformat.re_formatchars.split(format_string)):
        if n % 2 and piece not in _SPECIFIERS:
            return None
        if piece:
            pieces.append((piece, None) if n % 2 else (None, piece))
    return tuple(pieces)


def _quick_date(value: datetime.date, format_string: str) -> str | None:
    pieces = _date_pieces(str(format_string))
    if pieces is None or (type(value) is datetime.date  # Django refuses a time of a date
                          and any(spec in _TIME_SPECIFIERS for spec, _ in pieces)):
        return None
    return "".join(text if spec is None else _SPECIFIERS[spec](value) for spec, text in pieces)


def environment(**options) -> Environment:
    # A name the page lacks is blank, and so is anything read from it, as in Django's
    # templates (a panel drawn from a test's bare context has no `perms`).
    options["undefined"] = ChainableUndefined
    env = Environment(**options)  # noqa: S701 - Django's backend turns autoescape on
    # Every template tag library, imported as `{% load %}` would, has registered its parts.
    for module in get_installed_libraries().values():
        import_module(module)
    env.globals.update(url=url, static=static, querystring=querystring, **_PARTS)
    env.filters.update(phone=phone_for_people, date=date, label=choice_label,
                       floatformat=defaultfilters.floatformat,
                       linebreaksbr=defaultfilters.linebreaksbr,
                       truncatechars=defaultfilters.truncatechars,
                       as_crispy_field=as_crispy_field,
                       urlencode=defaultfilters.urlencode)
    return env
