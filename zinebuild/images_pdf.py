"""Turn a laid-out PDF's pictures into what print needs: each stored once, 1-bit where asked.

Pieces are laid out apart (typeset/), so a picture shown in two pieces arrives twice;
and WeasyPrint widens a 1-bit picture to 8 bits, where a copier prints 1 bit crisply.
"""

from __future__ import annotations

import hashlib
import io
import zlib


def in_pdf(pdf_data: bytes, bitmap: bool) -> bytes:
    """The PDF with each picture stored once, and with bitmap its black-and-white pictures in 1 bit."""
    import pikepdf

    with pikepdf.open(io.BytesIO(pdf_data)) as pdf:
        share_pictures(pdf, bitmap)
        out = io.BytesIO()
        pdf.save(out, deterministic_id=True, compress_streams=True,
                 object_stream_mode=pikepdf.ObjectStreamMode.generate)
        return out.getvalue()


def share_pictures(pdf, bitmap: bool) -> None:
    """In an open PDF (pikepdf.Pdf), what in_pdf does; the split render's join calls it before
    it saves the book, rather than the book being parsed and written once more."""
    import pikepdf

    owners, pictures = _drawn(pdf)
    if bitmap:
        for obj in pictures:
            _one_bit(pikepdf, obj)
    kept: dict[bytes, pikepdf.Object] = {}
    same: dict[tuple[int, int], pikepdf.Object] = {}
    for obj in pictures:  # a duplicate's mask is left unused, and is not written
        kept_obj = kept.setdefault(_picture_key(obj), obj)
        if kept_obj.objgen != obj.objgen:
            same[obj.objgen] = kept_obj
    for owner in owners:
        named = owner.get("/Resources", {}).get("/XObject", {})
        for name in list(named.keys()):
            if named[name].objgen in same:
                named[name] = same[named[name].objgen]


def _drawn(pdf) -> tuple[list, list]:
    """The pages and the forms they draw, and the pictures these draw, each once: found from the
    pages down rather than among every object of the file (a long book has hundreds of thousands)."""
    owners = [page.obj for page in pdf.pages]
    pictures, seen = {}, {owner.objgen for owner in owners}
    for owner in owners:  # grows as forms are found
        for obj in owner.get("/Resources", {}).get("/XObject", {}).values():
            if obj.objgen in seen or obj.objgen in pictures:
                continue
            if obj.get("/Subtype") == "/Image":
                pictures[obj.objgen] = obj
            elif obj.get("/Subtype") == "/Form":
                seen.add(obj.objgen)
                owners.append(obj)
    return owners, list(pictures.values())


def _picture_key(obj) -> bytes:
    parts = [obj.read_raw_bytes()]
    for key in sorted(k for k in obj.keys() if k != "/Length"):
        value = obj[key]
        parts.append(key.encode() + (_picture_key(value) if key == "/SMask" else repr(value).encode()))
    return hashlib.sha256(b"\0".join(parts)).digest()


def _one_bit(pikepdf, obj) -> None:
    if "/SMask" in obj or obj.get("/BitsPerComponent") != 8 or \
            obj.get("/ColorSpace") not in ("/DeviceGray", "/DeviceRGB"):
        return
    try:
        image = pikepdf.PdfImage(obj).as_pil_image()
    except (pikepdf.PdfError, NotImplementedError, ValueError):
        return
    gray = image.convert("L")
    if set(color for _, color in gray.getcolors(256) or [(0, -1)]) - {0, 255}:
        return  # a picture with grays (a cover, a layout's ornament): left as it is
    obj.write(zlib.compress(gray.convert("1", dither=None).tobytes(), 9), filter=pikepdf.Name.FlateDecode)
    obj.BitsPerComponent = 1
    obj.ColorSpace = pikepdf.Name.DeviceGray
    for smoothing in ("/DecodeParms", "/Interpolate"):  # dots stay sharp dots
        if smoothing in obj:
            del obj[smoothing]
