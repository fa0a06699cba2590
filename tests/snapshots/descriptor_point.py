# The class descriptor of `Point`, printed by tests/snapshots.rs.
# fingerprint 8b7d6e149f609d62

register('Point_8b7d6e149f609d62#def', DEF_Point)
register(
    'Point_8b7d6e149f609d62#reduce',
    (
        pickle.loads,
        (
            builtins.bytes.join(
                b'',
                (standalone, lookup('Point_8b7d6e149f609d62#def'), SELECT_Point),
            ),
        ),
    ),
)
Point = pickle.loads(
    builtins.bytes.join(b'', (standalone, lookup('Point_8b7d6e149f609d62#def'), SELECT_Point)),
)

# DEF_Point (AfterCore):
Point = builtins.next(
    builtins.filter(
        None,
        itertools.chain(
            (lookup('Point_8b7d6e149f609d62'),),
            builtins.map(
                functools.partial(register, 'Point_8b7d6e149f609d62'),
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
                                        'Point_8b7d6e149f609d62#reduce',
                                        'Point_8b7d6e149f609d62',
                                    ),
                                    '__doc__': 'A point in the plane.',
                                    '__annotations__': {'x': 'typing.Any', 'y': 'typing.Any'},
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
