# The class descriptor of `Point`, printed by tests/snapshots.rs.
# fingerprint 57c58be05dceacf0

register('Point_57c58be05dceacf0#def', DEF_Point)
register(
    'Point_57c58be05dceacf0#reduce',
    (
        pickle.loads,
        (
            builtins.bytes.join(
                b'',
                (standalone, lookup('Point_57c58be05dceacf0#def'), SELECT_Point),
            ),
        ),
    ),
)
Point = pickle.loads(
    builtins.bytes.join(b'', (standalone, lookup('Point_57c58be05dceacf0#def'), SELECT_Point)),
)

# DEF_Point (AfterCore):
Point = builtins.next(
    builtins.filter(
        None,
        itertools.chain(
            (lookup('Point_57c58be05dceacf0'),),
            builtins.map(
                functools.partial(register, 'Point_57c58be05dceacf0'),
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
                                        'Point_57c58be05dceacf0#reduce',
                                        'Point_57c58be05dceacf0',
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
