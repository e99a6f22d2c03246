"""Photos of pieces: resized on upload, stored through Django's storage API, shown only to the
store's staff.

Each room keeps its own photo rows (crm: wish-list items and purchases; repairs: the piece's
condition at take-in) on the abstract `core.models.PhotoBase`; this module holds what they
share: turning a phone camera's upload into a modest JPEG, and answering with the file from
a view that has already checked the store. Nothing is served from a public MEDIA_URL.
"""

import io
import uuid

from django.core.files.base import ContentFile
from django.http import FileResponse
from PIL import Image, ImageOps, UnidentifiedImageError

from core.errors import LoupeError

# A phone's photo is 3-12 MB; anything far larger is not a photo of a ring.
MAX_PHOTO_BYTES = 20 * 1024 * 1024
# Enough to see a prong or a chip on the screen and on the printed ticket.
LONGEST_SIDE = 1600
JPEG_QUALITY = 85


def photo_resized(upload, *, field: str = "photo") -> tuple[ContentFile, int, int]:
    """The upload as a JPEG at most LONGEST_SIDE pixels wide or high, turned upright (the
    camera's orientation tag applied) and without its metadata (no location of the phone).

    Raises LoupeError beside `field` for anything that is not a readable picture.
    """
    if upload is None:
        raise LoupeError("Take or choose a photo first.", field=field)
    if upload.size > MAX_PHOTO_BYTES:
        raise LoupeError("This photo is larger than 20 MB.", field=field)
    upload.seek(0)
    try:
        with Image.open(upload) as image:
            image.load()
            upright = ImageOps.exif_transpose(image)
            upright = upright.convert("RGB")
            upright.thumbnail((LONGEST_SIDE, LONGEST_SIDE), Image.Resampling.LANCZOS)
            out = io.BytesIO()
            upright.save(out, format="JPEG", quality=JPEG_QUALITY, optimize=True)
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, ValueError,
            SyntaxError) as exc:
        raise LoupeError("This file is not a photo the store can keep (take it again or "
                         "choose a JPEG or PNG).", field=field) from exc
    return ContentFile(out.getvalue(), name=f"{uuid.uuid4().hex}.jpg"), *upright.size


def photo_upload_to(instance, filename: str) -> str:
    """photos/<store id>/<random name>: the name reveals nothing, the folder is per store."""
    return f"photos/{instance.store_id}/{filename}"


def photo_response(photo) -> FileResponse:
    """The photo's file, for a view that has checked who asks and for which store's photo."""
    response = FileResponse(photo.image.open("rb"), content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=3600"
    return response
