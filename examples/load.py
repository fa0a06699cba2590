"""Loads a portable-pickle stream with nothing but the standard library."""
import pickle
import pprint
import sys

path = sys.argv[1] if len(sys.argv) > 1 else "quickstart.pkl"
with open(path, "rb") as f:
    drawing = pickle.load(f)

pprint.pprint(drawing)
print()
print("type:        ", type(drawing).__name__, "-", type(drawing).__doc__)
print("first shape: ", drawing.shapes[0])
print("center.x:    ", drawing.shapes[0].center.x)
print("status:      ", drawing.status)
Shape = type(drawing.shapes[0]).__mro__[1]
print("isinstance:  ", all(isinstance(s, Shape) for s in drawing.shapes))
print("serial:      ", drawing.serial)
