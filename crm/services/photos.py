"""Photos of the pieces a customer loved or bought."""

from django.db import transaction
from django.utils import timezone

from core.audit import log_action
from core.errors import LoupeError
from core.one_line import check_one_line
from core.photos import photo_resized
from crm.models import Customer, PiecePhoto, Purchase, WishItem


@transaction.atomic
def piece_photo_add(*, customer: Customer, upload, by, wish_item: WishItem | None = None,
                    purchase: Purchase | None = None, caption: str = "") -> PiecePhoto:
    """Keep a resized photo of one of the customer's wish-list items or purchases."""
    if (wish_item is None) == (purchase is None):
        raise LoupeError("Choose the piece the photo shows.", field="piece")
    piece = wish_item or purchase
    if piece.customer_id != customer.pk:
        raise LoupeError("Choose one of this customer's pieces.", field="piece")
    caption = (caption or "").strip()[:120]
    check_one_line({"caption": caption}, ["caption"])
    image, width, height = photo_resized(upload)
    photo = PiecePhoto(store=customer.store, customer=customer, wish_item=wish_item,
                       purchase=purchase, caption=caption, width=width, height=height,
                       taken_by=by, created_at=timezone.now())
    photo.image.save(image.name, image, save=False)
    photo.save()
    log_action(by=by, action="photo.added", obj=customer,
               data={"photo": photo.pk, "of": "wish_item" if wish_item else "purchase"})
    return photo
