"""QR codes drawn as inline SVG (no image request, no script), for the printed repair
envelope and the website voucher."""

import segno
from django.utils.safestring import mark_safe


def qr_svg(text: str, *, title: str, size_px: int) -> str:
    """A full QR code for `text` (segno.make would pick a Micro QR for a short text, which
    most phone scanners cannot read). The viewBox lets it scale rather than clip in a tight
    layout. Callers pass text Loupe made (numbers, codes), never something a visitor typed."""
    code = segno.make_qr(text, error="m")
    svg = code.svg_inline(scale=4, omitsize=True, title=title)
    sized = svg.replace("<svg ", f'<svg width="{size_px}" height="{size_px}" ', 1)
    return mark_safe(sized)  # noqa: S308
