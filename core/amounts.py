"""Amounts as the lists write them, for rows drawn in Python."""

import functools
from decimal import ROUND_HALF_UP, Decimal

from django.utils import numberformat
from django.utils.formats import get_format
from django.utils.translation import get_language

_WHOLE = Decimal(1)


def dollars_format():
    """`floatformat:"0g"` of an amount (whole dollars, rounded half up, the language's
    thousand separators) with the separators read once: floatformat reads them, and builds
    a decimal context, for every amount."""
    lang = get_language()
    grouped = functools.partial(numberformat.format,
                                decimal_sep=get_format("DECIMAL_SEPARATOR", lang),
                                grouping=get_format("NUMBER_GROUPING", lang),
                                thousand_sep=get_format("THOUSAND_SEPARATOR", lang),
                                force_grouping=True, use_l10n=True)
    return lambda amount: grouped(int(Decimal(amount).quantize(_WHOLE, ROUND_HALF_UP)))
