# The class descriptor of `Pair`, printed by tests/snapshots.rs.
# fingerprint a41aca4aa59d8b51

register('Pair_a41aca4aa59d8b51#def', DEF_Pair)
register(
    'Pair_a41aca4aa59d8b51#reduce',
    (
        pickle.loads,
        (builtins.bytes.join(b'', (standalone, lookup('Pair_a41aca4aa59d8b51#def'), SELECT_Pair)),),
    ),
)
Pair = pickle.loads(
    builtins.bytes.join(b'', (standalone, lookup('Pair_a41aca4aa59d8b51#def'), SELECT_Pair)),
)

# DEF_Pair (AfterCore):
Pair = builtins.next(
    builtins.filter(
        None,
        itertools.chain(
            (lookup('Pair_a41aca4aa59d8b51'),),
            builtins.map(
                functools.partial(register, 'Pair_a41aca4aa59d8b51'),
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
                                        'Pair_a41aca4aa59d8b51#reduce',
                                        'Pair_a41aca4aa59d8b51',
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
