# The class descriptor of `Pair`, printed by tests/snapshots.rs.
# fingerprint 6ea19715520d0df7

register('Pair_6ea19715520d0df7#def', DEF_Pair)
register(
    'Pair_6ea19715520d0df7#reduce',
    (
        pickle.loads,
        (builtins.bytes.join(b'', (standalone, lookup('Pair_6ea19715520d0df7#def'), SELECT_Pair)),),
    ),
)
Pair = pickle.loads(
    builtins.bytes.join(b'', (standalone, lookup('Pair_6ea19715520d0df7#def'), SELECT_Pair)),
)

# DEF_Pair (AfterCore):
Pair = builtins.next(
    builtins.filter(
        None,
        itertools.chain(
            (lookup('Pair_6ea19715520d0df7'),),
            builtins.map(
                functools.partial(register, 'Pair_6ea19715520d0df7'),
                builtins.map(
                    struct,
                    itertools.starmap(
                        metaclass,
                        (
                            (
                                'Pair',
                                (),
                                {
                                    '__module__': namespace_name,
                                    '__qualname__': 'Pair',
                                    '__portable_reduce__': lookup(
                                        'Pair_6ea19715520d0df7#reduce',
                                        'Pair_6ea19715520d0df7',
                                    ),
                                    '__annotations__': {'_0': 'int', '_1': 'str'},
                                    '__match_args__': ('_0', '_1'),
                                },
                            ),
                        ),
                    ),
                ),
            ),
        ),
    ),
)

# SELECT_Pair (AfterCore):
return memo[21]
