# What a session's later pickle writes for `Shape` instead of its
# descriptor, printed by tests/snapshots.rs: a placeholder per class
# slot, then, where the body first uses a class, its lookup and BINPUT
# of its slot.

Shape = None
Shape.Circle = None
Shape.Empty = None

# the lookups, by slot (relative to the first):
# 0: Global("io._pp3", "m4bSG6CCZi")
# 1: Global("io._pp3", "xLvvBn9K9F")
# 2: Global("io._pp3", "CHM4HjBhbR")
