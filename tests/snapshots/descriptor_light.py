# The class descriptor of `Light`, printed by tests/snapshots.rs.
# fingerprint ac2dc7f76c09ce31

register('Light_ac2dc7f76c09ce31#def', DEF_Light)
register(
    'Light_ac2dc7f76c09ce31#reduce',
    (
        pickle.loads,
        (
            builtins.bytes.join(
                b'',
                (standalone, lookup('Light_ac2dc7f76c09ce31#def'), SELECT_Light),
            ),
        ),
    ),
)
Light = pickle.loads(
    builtins.bytes.join(b'', (standalone, lookup('Light_ac2dc7f76c09ce31#def'), SELECT_Light)),
)
Red = lookup('Light_ac2dc7f76c09ce31').Red
Green = lookup('Light_ac2dc7f76c09ce31').Green

# DEF_Light (AfterCore):
Light = builtins.next(
    builtins.filter(
        None,
        itertools.chain(
            (lookup('Light_ac2dc7f76c09ce31'),),
            builtins.map(
                functools.partial(register, 'Light_ac2dc7f76c09ce31'),
                itertools.starmap(
                    namespace.int_enum,
                    (
                        (
                            'Light',
                            [
                                ('__qualname__', 'Light_ac2dc7f76c09ce31'),
                                (
                                    '__portable_reduce__',
                                    lookup(
                                        'Light_ac2dc7f76c09ce31#reduce',
                                        'Light_ac2dc7f76c09ce31',
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
