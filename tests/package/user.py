"""User code type-checked (mypy --strict) against the generated package."""
from __future__ import annotations

import pickle

import geo
import palette


def load(path: str) -> geo.Drawing:
    with open(path, "rb") as f:
        drawing = pickle.load(f)
    assert isinstance(drawing, geo.Drawing)
    return drawing


def area_hint(drawing: geo.Drawing) -> float:
    total = 0.0
    for shape in drawing.shapes:
        if isinstance(shape, geo.Shape.Circle):
            total += shape.radius * shape.radius + shape.center.x
        elif isinstance(shape, geo.Shape.Polygon):
            total += float(len(shape._0))
    return total


def describe(drawing: geo.Drawing) -> str:
    origin: geo.Point | None = drawing.origin
    color: geo.Color = drawing.color
    style: palette.Style = drawing.style
    width: float = style.width
    counts: dict[str, int] = drawing.counts
    pair: tuple[int, str] = drawing.pair
    return f"{drawing.name} {color.name} {drawing.level.value} {origin} {width} {counts} {pair}"


point = geo.Point(x=1.0, y=2.0)
circle = geo.Shape.Circle(center=point, radius=3.0)
shape: geo.Shape = circle
