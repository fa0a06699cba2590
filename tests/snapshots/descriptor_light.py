# The class descriptor of `Light`, printed by tests/snapshots.rs.
# fingerprint 109b449fda8a3c4b

register('Light_109b449fda8a3c4b#def', DEF_Light)
register(
    'Light_109b449fda8a3c4b#reduce',
    (
        pickle.loads,
        (
            builtins.bytes.join(
                b'',
                (standalone, lookup('Light_109b449fda8a3c4b#def'), SELECT_Light),
            ),
        ),
    ),
)
Light = pickle.loads(
    builtins.bytes.join(b'', (standalone, lookup('Light_109b449fda8a3c4b#def'), SELECT_Light)),
)
Red = lookup('Light_109b449fda8a3c4b').Red
Green = lookup('Light_109b449fda8a3c4b').Green

# DEF_Light (AfterCore):
Light = builtins.next(
    builtins.filter(
        None,
        itertools.chain(
            (lookup('Light_109b449fda8a3c4b'),),
            builtins.map(
                functools.partial(register, 'Light_109b449fda8a3c4b'),
                itertools.starmap(
                    namespace.n,
                    (
                        (
                            'Light',
                            [
                                ('__qualname__', 'Light_109b449fda8a3c4b'),
                                (
                                    '__portable_reduce__',
                                    lookup(
                                        'Light_109b449fda8a3c4b#reduce',
                                        'Light_109b449fda8a3c4b',
                                    ),
                                ),
                                ('__doc__', 'A traffic light.'),
                                ('Red', 0),
                                ('Green', 5),
                            ],
                        ),
                    ),
                ),
            ),
        ),
    ),
)

# SELECT_Light (AfterCore):
return memo[21]
