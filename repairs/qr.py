"""The envelope number as a QR code, drawn as inline SVG (no image request, no script)."""

import segno
from django.utils.safestring import mark_safe

QR_SIZE_PX = 116


def envelope_qr_svg(envelope) -> str:
    """A QR code that reads "R<store>-<number>", the envelope's number at its store.

    Always a full QR code (segno.make would pick a Micro QR for so short a text, which most
    phone scanners cannot read). The viewBox lets it scale rather than clip in a tight layout.
    """
    code = segno.make_qr(f"R{envelope.store_id}-{envelope.number}", error="m")
    svg = code.svg_inline(scale=4, omitsize=True, title=f"Envelope {envelope.number}")
    sized = svg.replace("<svg ", f'<svg width="{QR_SIZE_PX}" height="{QR_SIZE_PX}" ', 1)
    # segno builds the markup from the digits it encoded; nothing user-typed reaches it.
    return mark_safe(sized)  # noqa: S308
