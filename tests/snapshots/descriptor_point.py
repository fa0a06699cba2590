# The class descriptor of `Point`, printed by tests/snapshots.rs.
# fingerprint ff8d13e39515ccaf

register('Point_ff8d13e39515ccaf#def', DEF_Point)
register(
    'Point_ff8d13e39515ccaf#reduce',
    (
        pickle.loads,
        (
            builtins.bytes.join(
                b'',
                (standalone, lookup('Point_ff8d13e39515ccaf#def'), SELECT_Point),
            ),
        ),
    ),
)
Point = pickle.loads(
    builtins.bytes.join(b'', (standalone, lookup('Point_ff8d13e39515ccaf#def'), SELECT_Point)),
)

# DEF_Point (AfterCore):
Point = builtins.next(
    builtins.filter(
        None,
        itertools.chain(
            (lookup('Point_ff8d13e39515ccaf'),),
            builtins.map(
                functools.partial(register, 'Point_ff8d13e39515ccaf'),
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
                                        'Point_ff8d13e39515ccaf#reduce',
                                        'Point_ff8d13e39515ccaf',
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
