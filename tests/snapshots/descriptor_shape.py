# The class descriptor of `Shape`, printed by tests/snapshots.rs.
# fingerprint c3481de174dc1d89

register('Shape_c3481de174dc1d89#def', DEF_Shape)
register(
    'Shape_c3481de174dc1d89#reduce',
    (
        pickle.loads,
        (
            builtins.bytes.join(
                b'',
                (standalone, lookup('Shape_c3481de174dc1d89#def'), SELECT_Shape),
            ),
        ),
    ),
)
register(
    'Shape_c3481de174dc1d89_Circle#reduce',
    (
        pickle.loads,
        (
            builtins.bytes.join(
                b'',
                (standalone, lookup('Shape_c3481de174dc1d89#def'), SELECT_Shape_Circle),
            ),
        ),
    ),
)
register(
    'Shape_c3481de174dc1d89_Empty#reduce',
    (
        pickle.loads,
        (
            builtins.bytes.join(
                b'',
                (standalone, lookup('Shape_c3481de174dc1d89#def'), SELECT_Shape_Empty),
            ),
        ),
    ),
)
pickle.loads(
    builtins.bytes.join(b'', (standalone, lookup('Shape_c3481de174dc1d89#def'), RETURN_NONE)),
)
Shape = lookup('Shape_c3481de174dc1d89')
Shape.Circle = lookup('Shape_c3481de174dc1d89_Circle')
Shape.Empty = lookup('Shape_c3481de174dc1d89_Empty')

# DEF_Shape (AfterCore):
Shape = builtins.next(
    builtins.filter(
        None,
        itertools.chain(
            (lookup('Shape_c3481de174dc1d89'),),
            builtins.map(
                functools.partial(register, 'Shape_c3481de174dc1d89'),
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
                                        'Shape_c3481de174dc1d89#reduce',
                                        'Shape_c3481de174dc1d89',
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
    lookup('Shape_c3481de174dc1d89'),
    (
        None,
        {
            'Circle': (Shape.Circle := builtins.next(
                builtins.filter(
                    None,
                    itertools.chain(
                        (lookup('Shape_c3481de174dc1d89_Circle'),),
                        builtins.map(
                            functools.partial(register, 'Shape_c3481de174dc1d89_Circle'),
                            builtins.map(
                                struct,
                                itertools.starmap(
                                    metaclass,
                                    (
                                        (
                                            'Circle',
                                            (lookup('Shape_c3481de174dc1d89'),),
                                            {
                                                '__module__': namespace_name,
                                                '__qualname__': 'Shape.Circle',
                                                '__portable_reduce__': lookup(
                                                    'Shape_c3481de174dc1d89_Circle#reduce',
                                                    'Shape_c3481de174dc1d89_Circle',
                                                ),
                                                '__annotations__': {'r': 'typing.Any'},
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
    lookup('Shape_c3481de174dc1d89'),
    (
        None,
        {
            'Empty': (Shape.Empty := builtins.next(
                builtins.filter(
                    None,
                    itertools.chain(
                        (lookup('Shape_c3481de174dc1d89_Empty'),),
                        builtins.map(
                            functools.partial(register, 'Shape_c3481de174dc1d89_Empty'),
                            builtins.map(
                                struct,
                                itertools.starmap(
                                    metaclass,
                                    (
                                        (
                                            'Empty',
                                            (lookup('Shape_c3481de174dc1d89'),),
                                            {
                                                '__module__': namespace_name,
                                                '__qualname__': 'Shape.Empty',
                                                '__portable_reduce__': lookup(
                                                    'Shape_c3481de174dc1d89_Empty#reduce',
                                                    'Shape_c3481de174dc1d89_Empty',
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
