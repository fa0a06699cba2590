# The class descriptor of `Pair`, printed by tests/snapshots.rs.
# fingerprint eaa324bbdcfaca61

register('Pair_eaa324bbdcfaca61#def', DEF_Pair)
register(
    'Pair_eaa324bbdcfaca61#reduce',
    (
        pickle.loads,
        (builtins.bytes.join(b'', (standalone, lookup('Pair_eaa324bbdcfaca61#def'), SELECT_Pair)),),
    ),
)
Pair = pickle.loads(
    builtins.bytes.join(b'', (standalone, lookup('Pair_eaa324bbdcfaca61#def'), SELECT_Pair)),
)

# DEF_Pair (AfterCore):
Pair = builtins.next(
    builtins.filter(
        None,
        itertools.chain(
            (lookup('Pair_eaa324bbdcfaca61'),),
            builtins.map(
                functools.partial(register, 'Pair_eaa324bbdcfaca61'),
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
                                        'Pair_eaa324bbdcfaca61#reduce',
                                        'Pair_eaa324bbdcfaca61',
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
