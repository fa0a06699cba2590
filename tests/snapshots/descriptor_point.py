# The class descriptor of `Point`, printed by tests/snapshots.rs.
# fingerprint 2bc8cb1978b1b1b5

register('Point_2bc8cb1978b1b1b5#def', DEF_Point)
register(
    'Point_2bc8cb1978b1b1b5#reduce',
    (
        pickle.loads,
        (
            builtins.bytes.join(
                b'',
                (standalone, lookup('Point_2bc8cb1978b1b1b5#def'), SELECT_Point),
            ),
        ),
    ),
)
Point = pickle.loads(
    builtins.bytes.join(b'', (standalone, lookup('Point_2bc8cb1978b1b1b5#def'), SELECT_Point)),
)

# DEF_Point (AfterCore):
Point = builtins.next(
    builtins.filter(
        None,
        itertools.chain(
            (lookup('Point_2bc8cb1978b1b1b5'),),
            builtins.map(
                functools.partial(register, 'Point_2bc8cb1978b1b1b5'),
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
                                        'Point_2bc8cb1978b1b1b5#reduce',
                                        'Point_2bc8cb1978b1b1b5',
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
