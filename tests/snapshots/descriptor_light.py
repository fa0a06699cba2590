# The class descriptor of `Light`, printed by tests/snapshots.rs.
# fingerprint 3db54060112e0497

register('Light_3db54060112e0497#def', DEF_Light)
register(
    'Light_3db54060112e0497#reduce',
    (
        pickle.loads,
        (
            builtins.bytes.join(
                b'',
                (standalone, lookup('Light_3db54060112e0497#def'), SELECT_Light),
            ),
        ),
    ),
)
Light = pickle.loads(
    builtins.bytes.join(b'', (standalone, lookup('Light_3db54060112e0497#def'), SELECT_Light)),
)
Red = lookup('Light_3db54060112e0497').Red
Green = lookup('Light_3db54060112e0497').Green

# DEF_Light (AfterCore):
Light = builtins.next(
    builtins.filter(
        None,
        itertools.chain(
            (lookup('Light_3db54060112e0497'),),
            builtins.map(
                functools.partial(register, 'Light_3db54060112e0497'),
                itertools.starmap(
                    enum,
                    (
                        (
                            'Light',
                            [
                                ('__qualname__', 'Light_3db54060112e0497'),
                                (
                                    '__portable_reduce__',
                                    lookup(
                                        'Light_3db54060112e0497#reduce',
                                        'Light_3db54060112e0497',
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
