"""The envelope number as a QR code, drawn as inline SVG (core.qr)."""

from core.qr import qr_svg

QR_SIZE_PX = 116


def envelope_qr_svg(envelope) -> str:
    """A QR code that reads "R<store>-<number>", the envelope's number at its store."""
    return qr_svg(f"R{envelope.store_id}-{envelope.number}", title=f"Envelope {envelope.number}",
                  size_px=QR_SIZE_PX)
