"""Uploaded photos made safe to keep: decoded and encoded again, so that nothing of the
original file survives but its pixels — no EXIF (a phone's GPS position), no comments,
no trailing bytes — turned upright by its EXIF orientation, and downscaled when large.

Phones send 3–8 MB pictures of 4000 px and more; a ledger, a phone screen or a
projector needs 2048 px. A picture whose header claims more pixels than MAX_PIXELS is
refused before it is decoded (a "decompression bomb": a few KB that unpack to GBs).
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

LONG_SIDE = 2048
# Above this a photo is stored as JPEG even when it came as PNG (a phone's screenshot
# of a document stays a crisp PNG; a photo saved as PNG becomes a JPEG).
KEEP_PNG_BYTES = 1024 * 1024
JPEG_QUALITY = 85
# 50 megapixels: every phone camera's full resolution, far below what would exhaust
# memory while decoding (RGB: 150 MB; a JPEG is decoded at reduced scale anyway).
MAX_PIXELS = 50_000_000
FORMATS = {"JPEG": ".jpg", "PNG": ".png"}


class PhotoRefused(ValueError):
    """Not a photo we keep; `reason` is "type", "pixels" or "broken"."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason


@dataclass(frozen=True)
class Photo:
    """A photo ready to store: its new bytes, file suffix and size in pixels."""

    data: bytes
    suffix: str
    width: int
    height: int


def prepare_photo(data: bytes) -> Photo:
    """The photo re-encoded without metadata, upright and at most LONG_SIDE px on its
    long side; PhotoRefused when it is not a JPEG/PNG, too many pixels, or unreadable."""
    try:
        with warnings.catch_warnings():
            # Pillow's own bomb check warns below twice its limit: make it an error too.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=list(FORMATS)) as image:
                width, height = image.size
                if width * height > MAX_PIXELS:
                    raise PhotoRefused("pixels", f"{width}x{height}")
                kind = image.format or "JPEG"
                if kind == "JPEG":
                    # Decode at 1/2, 1/4 … scale when that still leaves LONG_SIDE px:
                    # a 48 MP photo then costs a quarter of the memory and time.
                    scale = LONG_SIDE / max(width, height)
                    image.draft("RGB", (int(width * scale) + 1, int(height * scale) + 1))
                upright = ImageOps.exif_transpose(image)
                upright.info = {}  # nothing of the original's metadata is written back
                upright.thumbnail((LONG_SIDE, LONG_SIDE), Image.Resampling.LANCZOS)
                return _encode(upright, kind)
    except PhotoRefused:
        raise
    except UnidentifiedImageError as exc:
        # A JPEG's or PNG's first bytes and nothing Pillow can read after them.
        broken = data.startswith((b"\xff\xd8\xff", b"\x89PNG"))
        raise PhotoRefused("broken" if broken else "type", str(exc)) from None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise PhotoRefused("pixels", str(exc)) from None
    except (OSError, ValueError, SyntaxError, EOFError) as exc:  # truncated or corrupt
        raise PhotoRefused("broken", f"{type(exc).__name__}: {exc}") from None


def _encode(image: Image.Image, kind: str) -> Photo:
    """PNG stays PNG when small; everything else becomes a JPEG. No metadata is passed
    on (Pillow writes EXIF, ICC or text only when asked to)."""
    if kind == "PNG":
        out = io.BytesIO()
        image.save(out, "PNG", optimize=True)
        if out.tell() <= KEEP_PNG_BYTES:
            return Photo(out.getvalue(), ".png", *image.size)
    if image.mode in ("RGBA", "LA", "P", "PA"):
        # JPEG has no transparency: put the picture on white, as a viewer would show it.
        rgba = image.convert("RGBA")
        image = Image.new("RGB", rgba.size, (255, 255, 255))
        image.paste(rgba, mask=rgba.getchannel("A"))
    elif image.mode != "RGB":
        image = image.convert("RGB")
    out = io.BytesIO()
    image.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True)
    return Photo(out.getvalue(), ".jpg", *image.size)
