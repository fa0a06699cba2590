# The class descriptor of `Located`, printed by tests/snapshots.rs.
# fingerprint 5d2797f9c1de048f

register('Located_5d2797f9c1de048f#def', DEF_Located)
register(
    'Located_5d2797f9c1de048f#reduce',
    (
        pickle.loads,
        (
            builtins.bytes.join(
                b'',
                (standalone, lookup('Located_5d2797f9c1de048f#def'), SELECT_Located),
            ),
        ),
    ),
)
Located = pickle.loads(
    builtins.bytes.join(b'', (standalone, lookup('Located_5d2797f9c1de048f#def'), SELECT_Located)),
)
lat = 'lat'

# DEF_Located (AfterCore):
Located = builtins.next(
    builtins.filter(
        None,
        itertools.chain(
            (lookup('Located_5d2797f9c1de048f'),),
            builtins.map(
                functools.partial(register, 'Located_5d2797f9c1de048f'),
                builtins.filter(
                    None,
                    itertools.chain(
                        itertools.starmap(
                            builtins.getattr,
                            builtins.zip(
                                builtins.map(
                                    builtins.next,
                                    (
                                        builtins.filter(
                                            None,
                                            itertools.chain(
                                                (builtins.dict.get(sys.modules, 'geo.types'),),
                                                builtins.map(
                                                    functools.partial(
                                                        importlib.import_module,
                                                        'geo.types',
                                                    ),
                                                    builtins.filter(
                                                        None,
                                                        builtins.map(
                                                            functools.partial(
                                                                importlib.util.find_spec,
                                                                'geo.types',
                                                            ),
                                                            builtins.filter(
                                                                None,
                                                                builtins.map(
                                                                    functools.partial(
                                                                        importlib.util.find_spec,
                                                                        'geo',
                                                                    ),
                                                                    (None,),
                                                                ),
                                                            ),
                                                        ),
                                                    ),
                                                ),
                                            ),
                                        ),
                                    ),
                                    (None,),
                                ),
                                ('Located_5d2797f9c1de048f',),
                                (None,),
                            ),
                        ),
                        builtins.map(
                            struct,
                            itertools.starmap(
                                metaclass,
                                (
                                    (
                                        'Located',
                                        (),
                                        {
                                            '__module__': namespace_name,
                                            '__qualname__': 'Located',
                                            '__portable_reduce__': lookup(
                                                'Located_5d2797f9c1de048f#reduce',
                                                'Located_5d2797f9c1de048f',
                                            ),
                                            '__annotations__': {'lat': 'float'},
                                            '__match_args__': ('lat',),
                                        },
                                    ),
                                ),
                            ),
                        ),
                    ),
                ),
            ),
        ),
    ),
)

# SELECT_Located (AfterCore):
return memo[21]
