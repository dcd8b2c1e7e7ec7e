"""Draw Hearth's app icons (PNG and ICO) into static/icons/ with Pillow: a white house with a heart, on brand brown.

Pillow is only needed to run this once (python3 -m venv /tmp/v && /tmp/v/bin/pip install pillow); the PNGs
are committed. The shapes match static/icons/icon.svg.
"""

from pathlib import Path

from PIL import Image, ImageDraw

BRAND = (138, 59, 18, 255)
WHITE = (255, 255, 255, 255)
OUT = Path(__file__).resolve().parents[1] / "static" / "icons"


def draw(size: int, *, maskable: bool = False) -> Image.Image:
    scale = size / 512
    image = Image.new("RGBA", (size, size), BRAND if maskable else (0, 0, 0, 0))
    pen = ImageDraw.Draw(image)
    if not maskable:
        pen.rounded_rectangle((0, 0, size - 1, size - 1), radius=int(96 * scale), fill=BRAND)
    inset = 0.2 if maskable else 0.0  # maskable icons keep their picture inside the centre 80%

    def at(x: float, y: float) -> tuple[float, float]:
        return ((inset * 256 + x * (1 - inset)) * scale, (inset * 256 + y * (1 - inset)) * scale)

    house = [(256, 96), (80, 248), (132, 248), (132, 416), (380, 416), (380, 248), (432, 248)]
    pen.polygon([at(x, y) for x, y in house], fill=WHITE)
    heart = [(256, 372), (196, 322), (180, 284), (192, 254), (222, 242), (256, 264), (290, 242), (320, 254),
             (332, 284), (316, 322)]
    pen.polygon([at(x, y) for x, y in heart], fill=BRAND)
    return image


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for size in (192, 512):
        draw(size).save(OUT / f"icon-{size}.png", optimize=True)
    draw(512, maskable=True).save(OUT / "icon-maskable-512.png", optimize=True)
    draw(180, maskable=True).save(OUT / "apple-touch-icon.png", optimize=True)
    draw(64).save(OUT / "favicon.ico", sizes=[(16, 16), (32, 32), (48, 48)])


if __name__ == "__main__":
    main()
