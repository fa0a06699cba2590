# The class descriptor of `Shape`, printed by tests/snapshots.rs.
# fingerprint b7d5288dbadb44f8

register('Shape_b7d5288dbadb44f8#def', DEF_Shape)
register(
    'Shape_b7d5288dbadb44f8#reduce',
    (
        pickle.loads,
        (
            builtins.bytes.join(
                b'',
                (standalone, lookup('Shape_b7d5288dbadb44f8#def'), SELECT_Shape),
            ),
        ),
    ),
)
register(
    'Shape_b7d5288dbadb44f8_Circle#reduce',
    (
        pickle.loads,
        (
            builtins.bytes.join(
                b'',
                (standalone, lookup('Shape_b7d5288dbadb44f8#def'), SELECT_Shape_Circle),
            ),
        ),
    ),
)
register(
    'Shape_b7d5288dbadb44f8_Empty#reduce',
    (
        pickle.loads,
        (
            builtins.bytes.join(
                b'',
                (standalone, lookup('Shape_b7d5288dbadb44f8#def'), SELECT_Shape_Empty),
            ),
        ),
    ),
)
pickle.loads(
    builtins.bytes.join(b'', (standalone, lookup('Shape_b7d5288dbadb44f8#def'), RETURN_NONE)),
)
Shape = lookup('Shape_b7d5288dbadb44f8')
Shape.Circle = lookup('Shape_b7d5288dbadb44f8_Circle')
Shape.Empty = lookup('Shape_b7d5288dbadb44f8_Empty')

# DEF_Shape (AfterCore):
Shape = builtins.next(
    builtins.filter(
        None,
        itertools.chain(
            (lookup('Shape_b7d5288dbadb44f8'),),
            builtins.map(
                functools.partial(register, 'Shape_b7d5288dbadb44f8'),
                builtins.map(
                    namespace.u,
                    itertools.starmap(
                        metaclass,
                        (
                            (
                                'Shape',
                                (),
                                {
                                    '__module__': namespace_name,
                                    '__qualname__': 'Shape',
                                    '__portable_reduce__': lookup(
                                        'Shape_b7d5288dbadb44f8#reduce',
                                        'Shape_b7d5288dbadb44f8',
                                    ),
                                    '__annotations__': {},
                                    '__match_args__': (),
                                },
                            ),
                        ),
                    ),
                ),
            ),
        ),
    ),
)
build(
    lookup('Shape_b7d5288dbadb44f8'),
    (
        None,
        {
            'Circle': (Shape.Circle := builtins.next(
                builtins.filter(
                    None,
                    itertools.chain(
                        (lookup('Shape_b7d5288dbadb44f8_Circle'),),
                        builtins.map(
                            functools.partial(register, 'Shape_b7d5288dbadb44f8_Circle'),
                            builtins.map(
                                struct,
                                itertools.starmap(
                                    metaclass,
                                    (
                                        (
                                            'Circle',
                                            (lookup('Shape_b7d5288dbadb44f8'),),
                                            {
                                                '__module__': namespace_name,
                                                '__qualname__': 'Shape.Circle',
                                                '__portable_reduce__': lookup(
                                                    'Shape_b7d5288dbadb44f8_Circle#reduce',
                                                    'Shape_b7d5288dbadb44f8_Circle',
                                                ),
                                                '__annotations__': {'r': 'float'},
                                                '__match_args__': ('r',),
                                            },
                                        ),
                                    ),
                                ),
                            ),
                        ),
                    ),
                ),
            )),
        },
    ),
)
build(
    lookup('Shape_b7d5288dbadb44f8'),
    (
        None,
        {
            'Empty': (Shape.Empty := builtins.next(
                builtins.filter(
                    None,
                    itertools.chain(
                        (lookup('Shape_b7d5288dbadb44f8_Empty'),),
                        builtins.map(
                            functools.partial(register, 'Shape_b7d5288dbadb44f8_Empty'),
                            builtins.map(
                                namespace.u,
                                itertools.starmap(
                                    metaclass,
                                    (
                                        (
                                            'Empty',
                                            (lookup('Shape_b7d5288dbadb44f8'),),
                                            {
                                                '__module__': namespace_name,
                                                '__qualname__': 'Shape.Empty',
                                                '__portable_reduce__': lookup(
                                                    'Shape_b7d5288dbadb44f8_Empty#reduce',
                                                    'Shape_b7d5288dbadb44f8_Empty',
                                                ),
                                                '__annotations__': {},
                                                '__match_args__': (),
                                            },
                                        ),
                                    ),
                                ),
                            ),
                        ),
                    ),
                ),
            )),
        },
    ),
)

# SELECT_Shape (AfterCore):
return memo[21]

# SELECT_Shape_Circle (AfterCore):
return memo[22]

# SELECT_Shape_Empty (AfterCore):
return memo[23]

# RETURN_NONE (AfterCore):
return None
