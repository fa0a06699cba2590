# The class descriptor of `Pair`, printed by tests/snapshots.rs.
# fingerprint 50b4a6a696d68fae

register('Pair_50b4a6a696d68fae#def', DEF_Pair)
register(
    'Pair_50b4a6a696d68fae#reduce',
    (
        pickle.loads,
        (builtins.bytes.join(b'', (standalone, lookup('Pair_50b4a6a696d68fae#def'), SELECT_Pair)),),
    ),
)
Pair = pickle.loads(
    builtins.bytes.join(b'', (standalone, lookup('Pair_50b4a6a696d68fae#def'), SELECT_Pair)),
)

# DEF_Pair (AfterCore):
Pair = builtins.next(
    builtins.filter(
        None,
        itertools.chain(
            (lookup('Pair_50b4a6a696d68fae'),),
            builtins.map(
                functools.partial(register, 'Pair_50b4a6a696d68fae'),
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
                                        'Pair_50b4a6a696d68fae#reduce',
                                        'Pair_50b4a6a696d68fae',
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
