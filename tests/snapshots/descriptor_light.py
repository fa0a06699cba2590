# The class descriptor of `Light`, printed by tests/snapshots.rs.
# fingerprint fdd479a5497475ea

register('Light_fdd479a5497475ea#def', DEF_Light)
register(
    'Light_fdd479a5497475ea#reduce',
    (
        pickle.loads,
        (
            builtins.bytes.join(
                b'',
                (standalone, lookup('Light_fdd479a5497475ea#def'), SELECT_Light),
            ),
        ),
    ),
)
Light = pickle.loads(
    builtins.bytes.join(b'', (standalone, lookup('Light_fdd479a5497475ea#def'), SELECT_Light)),
)
Red = lookup('Light_fdd479a5497475ea').Red
Green = lookup('Light_fdd479a5497475ea').Green

# DEF_Light (AfterCore):
Light = builtins.next(
    builtins.filter(
        None,
        itertools.chain(
            (lookup('Light_fdd479a5497475ea'),),
            builtins.map(
                functools.partial(register, 'Light_fdd479a5497475ea'),
                itertools.starmap(
                    namespace.n,
                    (
                        (
                            'Light',
                            [
                                ('__qualname__', 'Light_fdd479a5497475ea'),
                                (
                                    '__portable_reduce__',
                                    lookup(
                                        'Light_fdd479a5497475ea#reduce',
                                        'Light_fdd479a5497475ea',
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
