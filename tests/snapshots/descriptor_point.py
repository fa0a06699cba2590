# The class descriptor of `Point`, printed by tests/snapshots.rs.
# fingerprint afcce5d3257dbcbd

register('Point_afcce5d3257dbcbd#def', DEF_Point)
register(
    'Point_afcce5d3257dbcbd#reduce',
    (
        pickle.loads,
        (
            builtins.bytes.join(
                b'',
                (standalone, lookup('Point_afcce5d3257dbcbd#def'), SELECT_Point),
            ),
        ),
    ),
)
Point = pickle.loads(
    builtins.bytes.join(b'', (standalone, lookup('Point_afcce5d3257dbcbd#def'), SELECT_Point)),
)

# DEF_Point (AfterCore):
Point = builtins.next(
    builtins.filter(
        None,
        itertools.chain(
            (lookup('Point_afcce5d3257dbcbd'),),
            builtins.map(
                functools.partial(register, 'Point_afcce5d3257dbcbd'),
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
                                        'Point_afcce5d3257dbcbd#reduce',
                                        'Point_afcce5d3257dbcbd',
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
