# The class descriptor of `Located`, printed by tests/snapshots.rs.
# fingerprint 039cad739dd2cfad

register('Located_039cad739dd2cfad#def', DEF_Located)
register(
    'Located_039cad739dd2cfad#reduce',
    (
        pickle.loads,
        (
            builtins.bytes.join(
                b'',
                (standalone, lookup('Located_039cad739dd2cfad#def'), SELECT_Located),
            ),
        ),
    ),
)
Located = pickle.loads(
    builtins.bytes.join(b'', (standalone, lookup('Located_039cad739dd2cfad#def'), SELECT_Located)),
)
lat = 'lat'

# DEF_Located (AfterCore):
Located = builtins.next(
    builtins.filter(
        None,
        itertools.chain(
            (lookup('Located_039cad739dd2cfad'),),
            builtins.map(
                functools.partial(register, 'Located_039cad739dd2cfad'),
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
                                ('Located',),
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
                                                'Located_039cad739dd2cfad#reduce',
                                                'Located_039cad739dd2cfad',
                                            ),
                                            '__annotations__': {'lat': 'typing.Any'},
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
