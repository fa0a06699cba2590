# What a session's pickle with the header adds right after it (the
# namespace's short name, checked to be the namespace itself),
# printed by tests/snapshots.rs.

builtins.next(
    builtins.filter(
        None,
        (
            builtins.dict.get(
                {namespace: namespace},
                builtins.dict.setdefault(modules, 'io._pp3', namespace),
            ),
        ),
    ),
)
