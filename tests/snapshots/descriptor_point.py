# The class descriptor of `Point`, printed by tests/snapshots.rs.
# fingerprint a166a695c9b6d233

register('Point_a166a695c9b6d233#def', DEF_Point)
register(
    'Point_a166a695c9b6d233#reduce',
    (
        pickle.loads,
        (
            builtins.bytes.join(
                b'',
                (standalone, lookup('Point_a166a695c9b6d233#def'), SELECT_Point),
            ),
        ),
    ),
)
Point = pickle.loads(
    builtins.bytes.join(b'', (standalone, lookup('Point_a166a695c9b6d233#def'), SELECT_Point)),
)

# DEF_Point (AfterCore):
Point = builtins.next(
    builtins.filter(
        None,
        itertools.chain(
            (lookup('Point_a166a695c9b6d233'),),
            builtins.map(
                functools.partial(register, 'Point_a166a695c9b6d233'),
                builtins.map(
                    struct,
                    itertools.starmap(
                        metaclass,
                        (
                            (
                                'Point',
                                (),
                                {
                                    '__module__': namespace_name,
                                    '__qualname__': 'Point',
                                    '__portable_reduce__': lookup(
                                        'Point_a166a695c9b6d233#reduce',
                                        'Point_a166a695c9b6d233',
                                    ),
                                    '__doc__': 'A point in the plane.',
                                    '__annotations__': {'x': 'float', 'y': 'float'},
                                    '__match_args__': ('x', 'y'),
                                },
                            ),
                        ),
                    ),
                ),
            ),
        ),
    ),
)

# SELECT_Point (AfterCore):
return memo[21]
