"""A consumer that matches every variant of a data enum, type-checked
(mypy --strict, Python 3.11) against the generated package: a full match
ends in typing.assert_never, and each case's captures are typed."""
from __future__ import annotations

import typing

import geo


def area(shape: geo.ShapeVariant) -> float:
    match shape:
        case geo.Shape.Circle(center=geo.Point(x, y), radius=r):
            typing.assert_type(r, float)
            typing.assert_type(x, float)
            return 3.14159 * r * r + 0.0 * y
        case geo.Shape.Polygon(points):
            typing.assert_type(points, list[geo.Point])
            return float(len(points))
        case geo.Shape.Empty():
            return 0.0
        case _:
            typing.assert_never(shape)


def total(drawing: geo.Drawing) -> float:
    return sum(area(shape) for shape in drawing.shapes)
