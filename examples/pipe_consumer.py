"""Reads the records a Rust process streams on its stdout (examples/pipe.rs).

    python3 examples/pipe_consumer.py target/debug/examples/pipe 100000

Starts the command, loads one pickle after another from its stdout with
pickle.load until EOFError, and prints a checksum of what it read (the same
line `pipe --checksum N` computes in Rust). Needs nothing but the stdlib.
"""

import pickle
import subprocess
import sys


def main(argv):
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE)
    count = ids = names = tags = active = 0
    x = 0.0
    while True:
        try:
            r = pickle.load(proc.stdout)
        except EOFError:
            break
        count += 1
        ids += r.id
        names += len(r.name)
        tags += len(r.tags)
        active += r.active
        x += r.pos.x
    if proc.wait() != 0:
        sys.exit("producer failed with status %d" % proc.returncode)
    print("%d %d %d %d %d %.1f" % (count, ids, names, tags, active, x))


if __name__ == "__main__":
    main(sys.argv[1:])
