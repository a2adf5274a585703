"""Turn a configured cover file into a verdict: really the JPEG or PNG it claims, whole, not too large."""

from __future__ import annotations

import warnings
from pathlib import Path

# A cover is embedded whole and decoded by every reader: beyond these it is a mistake or an attack.
MAX_PIXELS = 40_000_000
MAX_BYTES = 30 * 1024 * 1024
_FORMATS = {".jpg": "JPEG", ".jpeg": "JPEG", ".png": "PNG"}
HINT = f"save the cover as a JPEG or PNG image of at most {MAX_PIXELS // 1_000_000} megapixels"


def problem(path: Path) -> str | None:
    """What is wrong with the cover file at path, or None: it must be whole, of its kind, not too large."""
    from PIL import Image, UnidentifiedImageError  # late: only books with a cover pay for it

    expected = _FORMATS.get(path.suffix.lower())
    if expected is None:
        return "must be a .jpg or .png image"
    if path.stat().st_size > MAX_BYTES:
        return f"is larger than {MAX_BYTES // (1024 * 1024)} MB"
    try:
        with warnings.catch_warnings():
            # Pillow warns of large images; the cap below, lower than Pillow's, says it plainly.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(path)
        with image:
            if image.format != expected:
                return f"is not a {expected} image (its bytes are {image.format or 'unknown'})"
            if image.width * image.height > MAX_PIXELS:
                return f"is {image.width}×{image.height} pixels; at most {MAX_PIXELS:,} are read"
            image.load()  # a truncated or corrupt file fails here, not in the EPUB writer
    except Image.DecompressionBombError:
        return f"has more pixels than the {MAX_PIXELS:,} that are read"
    except UnidentifiedImageError:
        return f"is not a {expected} image"
    except (OSError, ValueError, SyntaxError) as error:
        return f"is not a readable {expected} image: {error}"
    return None
