"""Draw fold.png, the sample's how-to-fold drawing (run: python draw_fold.py; needs Pillow)."""

from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

INK, PAPER, SHADE = (25, 25, 25), (255, 255, 255), (200, 60, 40)
WIDTH, HEIGHT = 1500, 560


def font(size):
    try:
        return ImageFont.truetype("DejaVuSans.ttf", size)
    except OSError:
        return ImageFont.load_default()


def sheets(draw, x, y):
    """A stack of four landscape sheets, slightly offset, with the fold line dashed."""
    for i in range(4, -1, -1):
        dx, dy = i * 10, i * 10
        draw.rectangle([x + dx, y + dy, x + dx + 360, y + dy + 250], fill=PAPER, outline=INK, width=4)
    for yy in range(y + 8, y + 250, 22):
        draw.line([x + 180, yy, x + 180, yy + 12], fill=SHADE, width=4)


def folded(draw, x, y):
    """The stack folded in half: a page standing open like a tent."""
    draw.polygon([(x, y + 250), (x + 170, y), (x + 340, y + 250)], outline=INK, width=4)
    draw.line([x + 170, y, x + 170, y + 250], fill=INK, width=2)
    for i in range(1, 4):
        draw.line([x + 170, y, x + 170 - i * 40, y + 250], fill=INK, width=2)
    draw.arc([x + 120, y - 40, x + 220, y + 60], 200, 340, fill=SHADE, width=5)


def stapled(draw, x, y):
    """The closed booklet, with two staples on the spine."""
    draw.rectangle([x, y, x + 180, y + 250], fill=PAPER, outline=INK, width=4)
    for sy in (y + 60, y + 190):
        draw.rectangle([x - 6, sy - 14, x + 6, sy + 14], fill=SHADE)
    draw.line([x + 30, y + 60, x + 150, y + 60], fill=INK, width=3)
    draw.line([x + 30, y + 85, x + 120, y + 85], fill=INK, width=3)


def arrow(draw, x, y):
    draw.line([x, y, x + 90, y], fill=INK, width=5)
    draw.polygon([(x + 90, y - 15), (x + 120, y), (x + 90, y + 15)], fill=INK)


def main():
    image = Image.new("RGB", (WIDTH, HEIGHT), PAPER)
    draw = ImageDraw.Draw(image)
    sheets(draw, 40, 120)
    arrow(draw, 470, 250)
    folded(draw, 640, 120)
    arrow(draw, 1010, 250)
    stapled(draw, 1200, 120)
    for x, label in ((120, "1. stack"), (700, "2. fold"), (1180, "3. staple")):
        draw.text((x, 450), label, fill=INK, font=font(44))
    image.save(Path(__file__).with_name("fold.png"), optimize=True)


if __name__ == "__main__":
    main()
