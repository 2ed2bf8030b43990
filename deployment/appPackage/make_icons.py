"""Draw the Teams app icons, ``color.png`` (192x192) and ``outline.png`` (32x32).

Run from anywhere with ``python deployment/appPackage/make_icons.py``; the PNGs are written
next to this script and committed. Only the standard library is used: shapes are inside-tests
in pixel coordinates, anti-aliased by supersampling each pixel on a regular grid, and the PNG
is written with ``zlib`` and ``struct``. The output is deterministic (no timestamps), so
re-running it on an unchanged script leaves git clean.

The design is a rounded speech bubble with a question mark:

- ``color.png``: a white bubble and a Teams-purple question mark on a full-bleed Teams-purple
  square (Teams rounds the corners itself). The symbol fits the central 96x96 pixels, leaving
  the 48 pixels of padding Teams asks for, because it crops the icon to a rounded square or a
  hexagon;
- ``outline.png``: the same bubble in pure white (255, 255, 255) on a fully transparent
  background, with the question mark cut out, filling the 32x32 square without padding, as
  Teams requires. Only the anti-aliased edge pixels are partly transparent.

Shapes are drawn in a 32x32 design grid and placed on each canvas by :class:`Placement`.
"""

from __future__ import annotations

import logging
import math
import struct
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

Shape = Callable[[float, float], bool]
"""Tells whether the point (x, y) of the design grid (y grows downwards) is inside a shape."""

RGB = tuple[int, int, int]

BRAND: RGB = (0x5B, 0x5F, 0xC7)  # Teams brand purple; also the manifest's accentColor
WHITE: RGB = (0xFF, 0xFF, 0xFF)
SUPERSAMPLING = 6  # samples per pixel side: 36 samples give 37 coverage levels

# Bounding box of the symbol in the design grid (the bubble's body and tail).
SYMBOL_LEFT, SYMBOL_TOP, SYMBOL_RIGHT, SYMBOL_BOTTOM = 2.5, 4.0, 29.5, 29.5


@dataclass(frozen=True, slots=True)
class Placement:
    """Maps a canvas pixel position to the design grid: ``design = (pixel - offset) / scale``."""

    scale: float
    offset_x: float
    offset_y: float

    @classmethod
    def centred(cls, canvas: int, symbol: float) -> Placement:
        """Scale the symbol's longer side to ``symbol`` pixels, centred on the canvas."""
        width, height = SYMBOL_RIGHT - SYMBOL_LEFT, SYMBOL_BOTTOM - SYMBOL_TOP
        scale = symbol / max(width, height)
        return cls(
            scale=scale,
            offset_x=(canvas - width * scale) / 2 - SYMBOL_LEFT * scale,
            offset_y=(canvas - height * scale) / 2 - SYMBOL_TOP * scale,
        )


def rounded_rect(left: float, top: float, right: float, bottom: float, radius: float) -> Shape:
    """A rectangle whose corners are quarter circles of ``radius``."""

    def inside(x: float, y: float) -> bool:
        if not (left <= x <= right and top <= y <= bottom):
            return False
        dx = max(left + radius - x, 0.0, x - (right - radius))
        dy = max(top + radius - y, 0.0, y - (bottom - radius))
        return dx * dx + dy * dy <= radius * radius

    return inside


def triangle(a: tuple[float, float], b: tuple[float, float], c: tuple[float, float]) -> Shape:
    """The filled triangle with corners ``a``, ``b`` and ``c`` (any orientation)."""

    def side(p: tuple[float, float], q: tuple[float, float], x: float, y: float) -> float:
        return (q[0] - p[0]) * (y - p[1]) - (q[1] - p[1]) * (x - p[0])

    def inside(x: float, y: float) -> bool:
        s1, s2, s3 = side(a, b, x, y), side(b, c, x, y), side(c, a, x, y)
        return (s1 >= 0 and s2 >= 0 and s3 >= 0) or (s1 <= 0 and s2 <= 0 and s3 <= 0)

    return inside


def circle(cx: float, cy: float, radius: float) -> Shape:
    """A filled disc."""
    return lambda x, y: (x - cx) ** 2 + (y - cy) ** 2 <= radius * radius


def segment(a: tuple[float, float], b: tuple[float, float], width: float) -> Shape:
    """A straight stroke from ``a`` to ``b`` with round caps."""
    half = width / 2
    ax, ay = a
    bx, by = b
    length2 = (bx - ax) ** 2 + (by - ay) ** 2

    def inside(x: float, y: float) -> bool:
        t = 0.0 if length2 == 0 else ((x - ax) * (bx - ax) + (y - ay) * (by - ay)) / length2
        t = min(1.0, max(0.0, t))
        px, py = ax + t * (bx - ax), ay + t * (by - ay)
        return (x - px) ** 2 + (y - py) ** 2 <= half * half

    return inside


def arc(cx: float, cy: float, radius: float, start: float, sweep: float, width: float) -> Shape:
    """A circular stroke with round caps.

    Angles are in degrees, measured clockwise from 3 o'clock (y grows downwards), and the
    stroke runs from ``start`` over ``sweep`` degrees clockwise.
    """
    half = width / 2
    start_rad = math.radians(start)
    sweep_rad = math.radians(sweep)
    ends = [
        (cx + radius * math.cos(angle), cy + radius * math.sin(angle))
        for angle in (start_rad, start_rad + sweep_rad)
    ]

    def inside(x: float, y: float) -> bool:
        offset = (math.atan2(y - cy, x - cx) - start_rad) % math.tau
        if offset <= sweep_rad:
            return abs(math.hypot(x - cx, y - cy) - radius) <= half
        return any((x - ex) ** 2 + (y - ey) ** 2 <= half * half for ex, ey in ends)

    return inside


def union(*shapes: Shape) -> Shape:
    """Inside any of ``shapes``."""
    return lambda x, y: any(shape(x, y) for shape in shapes)


def speech_bubble() -> Shape:
    """A rounded bubble with a tail at its lower left."""
    body = rounded_rect(SYMBOL_LEFT, SYMBOL_TOP, SYMBOL_RIGHT, 23.5, 6)
    tail = triangle((7, 20), (15, 21), (6.5, SYMBOL_BOTTOM))
    return union(body, tail)


def question_mark() -> Shape:
    """A stroked question mark centred in the body of :func:`speech_bubble`."""
    stroke = 2.9
    cx, cy, radius = 16.0, 10.8, 3.6
    start, sweep = 195.0, 225.0  # from the left, over the top, down to the lower right
    hook = arc(cx, cy, radius, start=start, sweep=sweep, width=stroke)
    end = math.radians(start + sweep)
    bend = (cx + radius * math.cos(end), cy + radius * math.sin(end))
    stem = segment(bend, (cx, 16.3), stroke)
    dot = circle(cx, 20.3, 1.75)
    return union(hook, stem, dot)


def coverage(shape: Shape, size: int, placement: Placement) -> list[list[float]]:
    """Fraction of each pixel of a ``size`` square canvas inside ``shape``.

    Each pixel is sampled on a SUPERSAMPLING x SUPERSAMPLING grid of sub-pixel centres.
    """
    offsets = [(i + 0.5) / SUPERSAMPLING for i in range(SUPERSAMPLING)]
    samples = SUPERSAMPLING * SUPERSAMPLING
    scale, ox, oy = placement.scale, placement.offset_x, placement.offset_y
    return [
        [
            sum(
                shape((px + dx - ox) / scale, (py + dy - oy) / scale)
                for dy in offsets
                for dx in offsets
            )
            / samples
            for px in range(size)
        ]
        for py in range(size)
    ]


def blend(under: RGB, over: RGB, alpha: float) -> RGB:
    """``over`` painted with opacity ``alpha`` on top of ``under``."""
    r, g, b = (round(u + (o - u) * alpha) for u, o in zip(under, over, strict=True))
    return r, g, b


def color_icon(size: int = 192) -> list[list[tuple[int, int, int, int]]]:
    """Opaque icon: white bubble, purple question mark, purple background, 48 px padding."""
    placement = Placement.centred(size, symbol=size / 2)
    bubble = coverage(speech_bubble(), size, placement)
    mark = coverage(question_mark(), size, placement)
    rows = []
    for bubble_row, mark_row in zip(bubble, mark, strict=True):
        row = []
        for bubble_alpha, mark_alpha in zip(bubble_row, mark_row, strict=True):
            pixel = blend(blend(BRAND, WHITE, bubble_alpha), BRAND, mark_alpha)
            row.append((*pixel, 255))
        rows.append(row)
    return rows


def outline_icon(size: int = 32) -> list[list[tuple[int, int, int, int]]]:
    """White bubble with the question mark cut out, on a transparent background, no padding."""
    placement = Placement.centred(size, symbol=size - 1)  # half a pixel for anti-aliasing
    bubble = coverage(speech_bubble(), size, placement)
    mark = coverage(question_mark(), size, placement)
    return [
        [
            (*WHITE, round(255 * bubble_alpha * (1 - mark_alpha)))
            for bubble_alpha, mark_alpha in zip(bubble_row, mark_row, strict=True)
        ]
        for bubble_row, mark_row in zip(bubble, mark, strict=True)
    ]


def png_bytes(pixels: Sequence[Sequence[tuple[int, int, int, int]]]) -> bytes:
    """Encode RGBA rows as an 8-bit truecolour-with-alpha PNG (filter 0, no metadata)."""
    height, width = len(pixels), len(pixels[0])
    raw = b"".join(b"\x00" + bytes(channel for pixel in row for channel in pixel) for row in pixels)

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return b"".join(
        [
            b"\x89PNG\r\n\x1a\n",
            chunk(b"IHDR", header),
            chunk(b"IDAT", zlib.compress(raw, 9)),
            chunk(b"IEND", b""),
        ]
    )


def main() -> None:
    """Write both icons next to this script."""
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    here = Path(__file__).resolve().parent
    for name, pixels in (("color.png", color_icon()), ("outline.png", outline_icon())):
        (here / name).write_bytes(png_bytes(pixels))
        log.info("wrote %s (%dx%d)", name, len(pixels[0]), len(pixels))


if __name__ == "__main__":
    main()
