# The class descriptor of `Pair`, printed by tests/snapshots.rs.
# fingerprint af460688c3948d4b

register('Pair_af460688c3948d4b#def', DEF_Pair)
register(
    'Pair_af460688c3948d4b#reduce',
    (
        pickle.loads,
        (builtins.bytes.join(b'', (standalone, lookup('Pair_af460688c3948d4b#def'), SELECT_Pair)),),
    ),
)
Pair = pickle.loads(
    builtins.bytes.join(b'', (standalone, lookup('Pair_af460688c3948d4b#def'), SELECT_Pair)),
)

# DEF_Pair (AfterCore):
Pair = builtins.next(
    builtins.filter(
        None,
        itertools.chain(
            (lookup('Pair_af460688c3948d4b'),),
            builtins.map(
                functools.partial(register, 'Pair_af460688c3948d4b'),
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
                                        'Pair_af460688c3948d4b#reduce',
                                        'Pair_af460688c3948d4b',
                                    ),
                                    '__annotations__': {'_0': 'typing.Any', '_1': 'typing.Any'},
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
