# The class descriptor of `Shape`, printed by tests/snapshots.rs.
# fingerprint 5b8bb45a11234c0a

register('Shape_5b8bb45a11234c0a#def', DEF_Shape)
register(
    'Shape_5b8bb45a11234c0a#reduce',
    (
        pickle.loads,
        (
            builtins.bytes.join(
                b'',
                (standalone, lookup('Shape_5b8bb45a11234c0a#def'), SELECT_Shape),
            ),
        ),
    ),
)
register(
    'Shape_5b8bb45a11234c0a_Circle#reduce',
    (
        pickle.loads,
        (
            builtins.bytes.join(
                b'',
                (standalone, lookup('Shape_5b8bb45a11234c0a#def'), SELECT_Shape_Circle),
            ),
        ),
    ),
)
register(
    'Shape_5b8bb45a11234c0a_Empty#reduce',
    (
        pickle.loads,
        (
            builtins.bytes.join(
                b'',
                (standalone, lookup('Shape_5b8bb45a11234c0a#def'), SELECT_Shape_Empty),
            ),
        ),
    ),
)
pickle.loads(
    builtins.bytes.join(b'', (standalone, lookup('Shape_5b8bb45a11234c0a#def'), RETURN_NONE)),
)
Shape = lookup('Shape_5b8bb45a11234c0a')
Shape.Circle = lookup('Shape_5b8bb45a11234c0a_Circle')
Shape.Empty = lookup('Shape_5b8bb45a11234c0a_Empty')

# DEF_Shape (AfterCore):
Shape = builtins.next(
    builtins.filter(
        None,
        itertools.chain(
            (lookup('Shape_5b8bb45a11234c0a'),),
            builtins.map(
                functools.partial(register, 'Shape_5b8bb45a11234c0a'),
                builtins.map(
                    struct,
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
                                        'Shape_5b8bb45a11234c0a#reduce',
                                        'Shape_5b8bb45a11234c0a',
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
    lookup('Shape_5b8bb45a11234c0a'),
    (
        None,
        {
            'Circle': (Shape.Circle := builtins.next(
                builtins.filter(
                    None,
                    itertools.chain(
                        (lookup('Shape_5b8bb45a11234c0a_Circle'),),
                        builtins.map(
                            functools.partial(register, 'Shape_5b8bb45a11234c0a_Circle'),
                            builtins.map(
                                struct,
                                itertools.starmap(
                                    metaclass,
                                    (
                                        (
                                            'Circle',
                                            (lookup('Shape_5b8bb45a11234c0a'),),
                                            {
                                                '__module__': namespace_name,
                                                '__qualname__': 'Shape.Circle',
                                                '__portable_reduce__': lookup(
                                                    'Shape_5b8bb45a11234c0a_Circle#reduce',
                                                    'Shape_5b8bb45a11234c0a_Circle',
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
    lookup('Shape_5b8bb45a11234c0a'),
    (
        None,
        {
            'Empty': (Shape.Empty := builtins.next(
                builtins.filter(
                    None,
                    itertools.chain(
                        (lookup('Shape_5b8bb45a11234c0a_Empty'),),
                        builtins.map(
                            functools.partial(register, 'Shape_5b8bb45a11234c0a_Empty'),
                            builtins.map(
                                struct,
                                itertools.starmap(
                                    metaclass,
                                    (
                                        (
                                            'Empty',
                                            (lookup('Shape_5b8bb45a11234c0a'),),
                                            {
                                                '__module__': namespace_name,
                                                '__qualname__': 'Shape.Empty',
                                                '__portable_reduce__': lookup(
                                                    'Shape_5b8bb45a11234c0a_Empty#reduce',
                                                    'Shape_5b8bb45a11234c0a_Empty',
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
