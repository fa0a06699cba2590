# The bootstrap header of every stream, printed by tests/snapshots.rs.
# `build(obj, state)` is pickle's BUILD; `(name := value)` is MEMOIZE;
# a bare statement's value is discarded; `return` ends a pickle.
# 1249 bytes, payload 1563 bytes before compression.

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
namespace_name = '_portable_pickle_v2'
namespace = builtins.next(
    builtins.filter(
        None,
        itertools.chain(
            ((dict_get := builtins.dict.get)((modules := sys.modules), '_portable_pickle_v2'),),
            builtins.map(
                (loads := pickle.loads),
                builtins.map(zlib.decompress, ((payload := PAYLOAD),)),
            ),
        ),
    ),
)
lookup = dict_get({2: namespace}, namespace.format_version).get
register = namespace.put
struct = namespace.struct
frozen_struct = namespace.frozen
enum = namespace.enum
metaclass = namespace.metaclass
bytes_join = builtins.bytes.join
standalone = builtins.bytes.join(b'', (namespace.head, PAYLOAD_OPCODE, payload, namespace.tail))
gc_guard = partial(partial)
namespace.finalize(gc_guard, namespace.restore(namespace.isenabled()))
namespace.pause()

# ---- the payload, loaded only when the namespace is not installed ----
partial = functools.partial
dataclass = dataclasses.dataclass
enum_ = 'enum'
builtins_ = 'builtins'
getattr = builtins.getattr
namespace = types.ModuleType(
    (namespace_name := '_portable_pickle_v2'),
    'portable-pickle stand-in classes (private)',
)
classes = builtins.vars(namespace)
type = builtins.type
PortableType = builtins.type(
    'PortableType',
    (builtins.type,),
    {'__module__': '_portable_pickle_v2', '__qualname__': 'PortableType'},
)
PortableEnumType = builtins.type(
    'PortableEnumType',
    (enum.EnumMeta,),
    {'__module__': '_portable_pickle_v2', '__qualname__': 'PortableEnumType'},
)
PortableEnum = build(
    types.new_class('PortableEnum', (enum.Enum,), {'metaclass': PortableEnumType}),
    (None, {'__module__': '_portable_pickle_v2', '__qualname__': 'PortableEnum'}),
)
PortableIntEnum = build(
    types.new_class('PortableIntEnum', (enum.IntEnum,), {'metaclass': PortableEnumType}),
    (None, {'__module__': '_portable_pickle_v2', '__qualname__': 'PortableIntEnum'}),
)
build(
    namespace,
    {
        'format_version': 2,
        'get': classes.get,
        'put': classes.setdefault,
        'struct': dataclass,
        'frozen': functools.partial(dataclass, frozen=True),
        'enum': functools.partial(PortableEnum, module='_portable_pickle_v2'),
        'metaclass': PortableType,
        'hashable': functools.partial(dataclass, unsafe_hash=True),
        'int_enum': functools.partial(PortableIntEnum, module='_portable_pickle_v2'),
        'head': <220 bytes>,
        'tail': <129 bytes>,
    },
)
build(
    namespace,
    {'isenabled': gc.isenabled, 'restore': type, 'finalize': itertools.chain, 'pause': gc.isenabled},
)
build(
    namespace,
    builtins.dict.get(
        {
            'cpython': {
                'restore': {True: gc.enable, False: gc.isenabled}.get,
                'finalize': weakref.finalize,
                'pause': gc.disable,
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
return builtins.dict.setdefault(sys.modules, '_portable_pickle_v2', namespace)
