# The class descriptor of `Located`, printed by tests/snapshots.rs.
# fingerprint ff71f2d8ac16de52

register('Located_ff71f2d8ac16de52#def', DEF_Located)
register(
    'Located_ff71f2d8ac16de52#reduce',
    (
        pickle.loads,
        (
            builtins.bytes.join(
                b'',
                (standalone, lookup('Located_ff71f2d8ac16de52#def'), SELECT_Located),
            ),
        ),
    ),
)
Located = pickle.loads(
    builtins.bytes.join(b'', (standalone, lookup('Located_ff71f2d8ac16de52#def'), SELECT_Located)),
)
lat = 'lat'

# DEF_Located (AfterCore):
Located = builtins.next(
    builtins.filter(
        None,
        itertools.chain(
            (lookup('Located_ff71f2d8ac16de52'),),
            builtins.map(
                functools.partial(register, 'Located_ff71f2d8ac16de52'),
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
                                ('Located_ff71f2d8ac16de52',),
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
                                                'Located_ff71f2d8ac16de52#reduce',
                                                'Located_ff71f2d8ac16de52',
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
