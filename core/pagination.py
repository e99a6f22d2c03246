"""A paginator that counts in the same query as the page.

A worklist's members are worked out row by row (consent, dates): a COUNT and then the page
worked them out twice. `OnePassPaginator` reads the page with a window count of every
matching row (`listed`, see `counted`) and takes the number of rows from it.
"""

from django.core.paginator import Paginator
from django.db.models import Count, Window

LISTED = "listed"


def counted(queryset):
    """`queryset` with `listed`: how many rows match, on every row (COUNT(*) OVER ())."""
    return queryset.annotate(**{LISTED: Window(Count("pk"))})


class OnePassPaginator(Paginator):
    """Pages of a queryset from `counted`, each in one query (no orphans)."""

    def get_page(self, number):
        """The page `number`, as Django's `get_page` answers it: a number that is not one gives
        the first page; past the end (no row to read the count from), the last page."""
        try:
            number = int(number or 1)
        except (TypeError, ValueError):
            number = 1
        if number >= 1:
            bottom = (number - 1) * self.per_page
            rows = list(self.object_list[bottom:bottom + self.per_page])
            if rows:
                self.count = getattr(rows[0], LISTED)
                return self._get_page(rows, number, self)
        return super().get_page(number)
