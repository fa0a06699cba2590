# The bootstrap header of every stream, printed by tests/snapshots.rs.
# `build(obj, state)` is pickle's BUILD; `(name := value)` is MEMOIZE;
# a bare statement's value is discarded; `return` ends a pickle.
# 1023 bytes, payload 1301 bytes before compression.

# ---- the header (PROTO 4, one FRAME) ----
builtins_ = 'builtins'
next = builtins.next
filter = builtins.filter
map = builtins.map
getattr = builtins.getattr
itertools_ = 'itertools'
chain = itertools.chain
starmap = itertools.starmap
partial = functools.partial
namespace_name = '_portable_pickle_v3'
namespace = builtins.next(
    builtins.filter(
        None,
        itertools.chain(
            ((dict_get := builtins.dict.get)((modules := sys.modules), '_portable_pickle_v3'),),
            builtins.map(
                (loads := pickle.loads),
                builtins.map(zlib.decompress, ((payload := PAYLOAD),)),
            ),
        ),
    ),
)
lookup = dict_get({3: namespace}, namespace.v).g
register = lookup('p')
struct = lookup('s')
frozen_struct = lookup('f')
enum = lookup('e')
metaclass = lookup('m')
standalone = (bytes_join := builtins.bytes.join)(payload, lookup('h'))
lookup('w')((gc_guard := partial(partial)), lookup('r')(lookup('i')()))
lookup('d')()

# ---- the payload, loaded only when the namespace is not installed ----
builtins_ = 'builtins'
next = builtins.next
filter = builtins.filter
map = builtins.map
getattr = builtins.getattr
itertools_ = 'itertools'
chain = itertools.chain
starmap = itertools.starmap
partial = functools.partial
namespace_name = '_portable_pickle_v3'
dataclass = dataclasses.dataclass
enum_ = 'enum'
namespace = types.ModuleType('_portable_pickle_v3')
classes = builtins.vars(namespace)
type = builtins.type
PortableType = builtins.type(
    'PortableType',
    (builtins.type,),
    {'__module__': '_portable_pickle_v3'},
)
PortableEnumType = builtins.type(
    'PortableEnumType',
    (enum.EnumMeta,),
    {'__module__': '_portable_pickle_v3'},
)
PortableEnum = build(
    types.new_class('PortableEnum', (enum.Enum,), {'metaclass': PortableEnumType}),
    (None, {'__module__': '_portable_pickle_v3'}),
)
PortableIntEnum = build(
    types.new_class('PortableIntEnum', (enum.IntEnum,), {'metaclass': PortableEnumType}),
    (None, {'__module__': '_portable_pickle_v3'}),
)
build(
    namespace,
    {
        'v': 3,
        'g': classes.get,
        'p': classes.setdefault,
        's': dataclass,
        'f': functools.partial(dataclass, frozen=True),
        'e': functools.partial(PortableEnum, module='_portable_pickle_v3'),
        'm': PortableType,
        'u': functools.partial(dataclass, unsafe_hash=True),
        'n': functools.partial(PortableIntEnum, module='_portable_pickle_v3'),
        'h': (<225 bytes>, <81 bytes>),
        'i': gc.isenabled,
        'r': type,
        'w': itertools.chain,
        'd': gc.isenabled,
    },
)
build(
    namespace,
    builtins.dict.get(
        {
            'cpython': {
                'r': {True: gc.enable, False: gc.isenabled}.get,
                'w': weakref.finalize,
                'd': gc.disable,
            },
        },
        sys.implementation.name,
        {},
    ),
)
setdefault = builtins.dict.setdefault
reducer = operator.attrgetter('__portable_reduce__')
dispatch_table = copyreg.dispatch_table
builtins.dict.setdefault(dispatch_table, PortableType, reducer)
builtins.dict.setdefault(dispatch_table, PortableEnumType, reducer)
return builtins.dict.setdefault(sys.modules, '_portable_pickle_v3', namespace)
