# gdb side of bench/qemu-rr.py: drives one QEMU replay session through gdb's Python API.
#
#   gdb -batch -nx -x bench/qemu-rr-gdb.py      (environment below; started by qemu-rr.py)
#
# QEMU_RR_ELF   the guest's ELF (symbols)
# QEMU_RR_SOCK  QEMU's gdbstub (a Unix socket: -chardev socket,path=...,server=on -gdb chardev:...)
# QEMU_RR_OPS   JSON list of operations, run in order:
#                 {"op": "break", "loc": L}     set a breakpoint (untimed)
#                 {"op": "watch", "expr": E}    set `watch -l E` (untimed)
#                 {"op": "delete"}              delete all breakpoints and watchpoints (untimed)
#                 {"op": "continue"}            forward to the next stop (timed)
#                 {"op": "reverse-continue"}    (timed)
#                 {"op": "reverse-stepi"}       (timed)
#                 {"op": "goto", "icount": N}   `monitor replay_break N` + continue (timed)
# QEMU_RR_OUT   results, one JSON object per line, flushed as they happen: {"i": k, "phase": "start"}
#               before operation k, then {"i": k, "phase": "done", "secs": wall seconds of the gdb
#               command, "icount": QEMU's replay instruction count after it, "func": ..., "line": ...},
#               or {"i": k, "phase": "error", "msg": ...} (and the script stops). The driver kills the
#               session when an operation stays "start" too long (QEMU's reverse execution can hang).
import json
import os
import re
import time

import gdb

OUT = open(os.environ["QEMU_RR_OUT"], "a", buffering=1)


def emit(**kv):
    OUT.write(json.dumps(kv) + "\n")
    OUT.flush()


def icount():
    text = gdb.execute("monitor info replay", to_string=True)
    m = re.search(r"instruction count = (\d+)", text)
    if not m:
        raise gdb.GdbError("no instruction count in 'monitor info replay': " + text.strip())
    return int(m.group(1))


def where():
    try:
        frame = gdb.selected_frame()
        sal = frame.find_sal()
        line = "%s:%d" % (os.path.basename(sal.symtab.filename), sal.line) if sal.symtab else None
        return frame.name(), line, frame.pc()
    except gdb.error:
        return None, None, None


TIMED = {"continue": "continue", "reverse-continue": "reverse-continue", "reverse-stepi": "reverse-stepi"}


def run(i, op):
    kind = op["op"]
    if kind == "break":
        gdb.execute("break " + op["loc"], to_string=True)
        emit(i=i, phase="done")
        return
    if kind == "watch":
        gdb.execute("watch -l " + op["expr"], to_string=True)
        emit(i=i, phase="done")
        return
    if kind == "delete":
        gdb.execute("delete", to_string=True)
        emit(i=i, phase="done")
        return
    if kind == "goto":
        gdb.execute("monitor replay_break %d" % op["icount"], to_string=True)
        command = "continue"
    elif kind in TIMED:
        command = TIMED[kind]
    else:
        raise gdb.GdbError("unknown operation " + kind)
    emit(i=i, phase="start")
    t0 = time.monotonic()
    gdb.execute(command, to_string=True)
    secs = time.monotonic() - t0
    func, line, pc = where()
    emit(i=i, phase="done", secs=secs, icount=icount(), func=func, line=line, pc=pc)


def main():
    gdb.execute("set pagination off")
    gdb.execute("set confirm off")
    gdb.execute("set height 0")
    gdb.execute("file " + os.environ["QEMU_RR_ELF"], to_string=True)
    gdb.execute("target remote " + os.environ["QEMU_RR_SOCK"], to_string=True)
    emit(i=-1, phase="done", icount=icount())
    for i, op in enumerate(json.loads(os.environ["QEMU_RR_OPS"])):
        try:
            run(i, op)
        except gdb.error as e:
            emit(i=i, phase="error", msg=str(e))
            return
    try:
        gdb.execute("kill", to_string=True)
    except gdb.error:
        pass


main()
