#!/usr/bin/env python3
"""QEMU's own record/replay and reverse debugging on the guests LoRe benchmarks.

    bench/qemu-rr.py [--rounds R] [--samples S] [--guests demo,irqio,...] [--shift auto|N]
                     [--op-timeout S] [--attempts N] [--max-hangs N] [--seed N] [--keep]

Run through `./lore bench qemu-rr` (tools/bench), or directly. For each guest it measures, as
wall time of the qemu-system-x86_64 process (start-up included; the `hello` row is that start-up):

  plain    -accel tcg (no icount)
  icount   -icount shift=SHIFT
  record   -icount shift=SHIFT,rr=record,rrfile=F,rrsnapshot=init -drive file=Q,if=none,id=rr
  replay   the same with rr=replay (serial output and exit status must equal the recording's)
  log      size of F, per guest-second (guest time = the guest's own 1 kHz PIT tick count)

and then reverse debugging, on the last recording, with the real gdb (bench/qemu-rr-gdb.py)
attached to the replay's gdbstub (-S, a Unix socket):

  rsi      reverse-stepi at S random instruction counts between kmain and the end (seeded), each
           reached with `monitor replay_break N` + continue; median and p95; each must land on N-1
  rc bp    reverse-continue from the end (lore_exit) to a breakpoint hit once early in the guest,
           against the forward continue over the same interval with the same breakpoints set
  rc wp    demo only: `watch -l ring_ctl.magic` + reverse-continue from the end to the culprit
           store, against the forward continue back to the end

QEMU 7.2's reverse execution sometimes hangs (QEMU then ignores SIGTERM): every gdb operation
has a deadline (--op-timeout); a hung session is killed (SIGKILL), counted, a reverse-continue
session is tried again (--attempts), and the remaining reverse-stepi samples continue in a new
session (up to --max-hangs hung sessions). Exit status: 0 all figures measured (hangs are figures too),
1 a run failed (wrong exit status or output, replay output differs from the recording),
2 QEMU, gdb or a build is missing.
"""
import argparse
import json
import os
import random
import re
import shutil
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GDB_SCRIPT = os.path.join(ROOT, "bench", "qemu-rr-gdb.py")
QEMU = os.environ.get("QEMU", "qemu-system-x86_64")
GDB = os.environ.get("GDB", "gdb")
RUN_LIMIT = 120  # seconds for one non-interactive QEMU run

# name -> how to run it and what it must print. `ticks` counts 1 kHz PIT interrupts (guest time);
# `bp` is a function the guest enters once, early, for the reverse-continue figure.
GUESTS = {
    "hello": dict(elf="guests/build/hello.elf", cmdline="", status=1, done=r"^hello: done$"),
    "demo": dict(elf="guests/build/demo.elf", cmdline="verbose=1", status=7, done=r"^BUG: corrupted ring_ctl\.magic",
                 ticks=r"^demo: (\d+) timer ticks", bp="sched_run", watch="ring_ctl.magic",
                 culprit="stats_note_record"),
    "irqio": dict(elf="guests/build/irqio.elf", cmdline="n=12000 hz=1000 work=4", status=1, done=r"^done 12000$",
                  ticks=r"^irqio: \d+ iterations, (\d+) ticks", bp="work_loop"),
    "irqcpu": dict(elf="guests/build/irqio.elf", cmdline="n=1400 hz=1000 work=40", status=1, done=r"^done 1400$",
                   ticks=r"^irqio: \d+ iterations, (\d+) ticks", bp="work_loop"),
    # irqio with 1000x the iterations: under QEMU the two above take ~10 guest-ms, all start-up
    "irqio-x1000": dict(elf="guests/build/irqio.elf", cmdline="n=12000000 hz=1000 work=4", status=1,
                        done=r"^done 12000000$", ticks=r"^irqio: \d+ iterations, (\d+) ticks", bp="work_loop"),
}
DEFAULT_GUESTS = ["demo", "irqio", "irqcpu", "irqio-x1000"]


class BenchError(Exception):
    def __init__(self, msg, status=1):
        super().__init__(msg)
        self.status = status


def say(msg):
    print(msg, flush=True)


# ---------------------------------------------------------------------------------------- qcow2

def write_empty_qcow2(path, size=1 << 20):
    """An empty qcow2 (version 3, 64 KiB clusters) for QEMU's rrsnapshot: header, refcount table,
    one refcount block (16-bit counts for the four metadata clusters), an empty L1 table.
    Written here so that the benchmark needs no qemu-img."""
    cs = 1 << 16
    img = bytearray(4 * cs)
    header = struct.pack(">4sIQIIQIIQQIIQQQQII",
                         b"QFI\xfb", 3,       # magic, version
                         0, 0,                # backing file offset, size
                         16, size,            # cluster bits, virtual size
                         0,                   # no encryption
                         1, 3 * cs,           # L1 entries, L1 table offset (cluster 3)
                         1 * cs, 1,           # refcount table offset (cluster 1), its clusters
                         0, 0,                # snapshots: count, offset
                         0, 0, 0,             # incompatible, compatible, autoclear features
                         4, 104)              # refcount order (16 bits), header length
    img[:len(header)] = header
    struct.pack_into(">Q", img, cs, 2 * cs)  # refcount table[0] -> refcount block at cluster 2
    for cluster in range(4):
        struct.pack_into(">H", img, 2 * cs + 2 * cluster, 1)
    with open(path, "wb") as f:
        f.write(img)


# ---------------------------------------------------------------------------------------- QEMU

def qemu_cmd(elf, cmdline, mode, shift, rrfile=None, qcow2=None, gdb_sock=None):
    cmd = [QEMU, "-accel", "tcg", "-kernel", elf, "-device", "isa-debug-exit,iobase=0xf4,iosize=4",
           "-serial", "stdio", "-display", "none", "-monitor", "none", "-no-reboot", "-m", "64", "-net", "none"]
    if cmdline:
        cmd += ["-append", cmdline]
    if mode == "icount":
        cmd += ["-icount", "shift=%s" % shift]
    elif mode in ("record", "replay"):
        cmd += ["-icount", "shift=%s,rr=%s,rrfile=%s,rrsnapshot=init" % (shift, mode, rrfile),
                "-drive", "file=%s,if=none,id=rr" % qcow2]
    elif mode != "plain":
        raise ValueError(mode)
    if gdb_sock:
        cmd += ["-chardev", "socket,path=%s,server=on,wait=off,id=gdb0" % gdb_sock, "-gdb", "chardev:gdb0", "-S"]
    return cmd


def kill_hard(proc):
    """SIGTERM, then SIGKILL: a QEMU hung in reverse execution ignores SIGTERM."""
    if proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout=3)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def run_qemu(cmd, out_path):
    """Runs QEMU to its end; returns (wall seconds, exit status, stdout text)."""
    with open(out_path, "wb") as out, open(out_path + ".err", "wb") as err:
        t0 = time.monotonic()
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=out, stderr=err)
        try:
            rc = proc.wait(timeout=RUN_LIMIT)
        except subprocess.TimeoutExpired:
            kill_hard(proc)
            raise BenchError("%s did not end within %d s: %s" % (QEMU, RUN_LIMIT, " ".join(cmd)))
        wall = time.monotonic() - t0
    with open(out_path, "rb") as f:
        text = f.read().decode("utf-8", "replace")
    return wall, rc, text


def check_run(name, g, mode, rc, text, out_path):
    if rc != g["status"] or not re.search(g["done"], text, re.M):
        with open(out_path + ".err", "rb") as f:
            err = f.read().decode("utf-8", "replace")
        tail = "\n".join(("    " + l) for l in (text + err).splitlines()[-8:])
        raise BenchError("%s under QEMU %s: exit status %d (expected %d) or no line matching '%s'\n%s"
                         % (name, mode, rc, g["status"], g["done"], tail))


# ---------------------------------------------------------------------------------------- gdb

class Session:
    """One replay under QEMU's gdbstub, driven by bench/qemu-rr-gdb.py; killed when an
    operation runs past its deadline."""

    def __init__(self, tmp, tag, elf, cmdline, shift, rrfile, qcow2, op_timeout):
        self.tmp, self.tag, self.elf, self.cmdline, self.shift = tmp, tag, elf, cmdline, shift
        self.rrfile, self.qcow2, self.op_timeout = rrfile, qcow2, op_timeout

    def run(self, ops):
        """Returns (results by op index, index of the op that hung or None, error or None)."""
        sock = os.path.join(self.tmp, "gdb-%s.sock" % self.tag)
        out = os.path.join(self.tmp, "gdb-%s.jsonl" % self.tag)
        for p in (sock, out):
            if os.path.exists(p):
                os.unlink(p)
        qlog = open(os.path.join(self.tmp, "qemu-%s.log" % self.tag), "wb")
        glog = open(os.path.join(self.tmp, "gdb-%s.log" % self.tag), "wb")
        qemu = subprocess.Popen(qemu_cmd(self.elf, self.cmdline, "replay", self.shift, self.rrfile, self.qcow2, sock),
                                stdin=subprocess.DEVNULL, stdout=qlog, stderr=subprocess.STDOUT)
        gdbp = None
        hung = None
        try:
            deadline = time.monotonic() + 10
            while not os.path.exists(sock):
                if qemu.poll() is not None or time.monotonic() > deadline:
                    raise BenchError("QEMU's gdbstub socket did not appear (see %s)" % qlog.name)
                time.sleep(0.02)
            env = dict(os.environ, QEMU_RR_ELF=self.elf, QEMU_RR_SOCK=sock, QEMU_RR_OPS=json.dumps(ops),
                       QEMU_RR_OUT=out)
            gdbp = subprocess.Popen([GDB, "-batch", "-nx", "-x", GDB_SCRIPT], stdin=subprocess.DEVNULL,
                                    stdout=glog, stderr=subprocess.STDOUT, env=env)
            results, error = {}, None
            started = {}
            seen = 0
            progress = time.monotonic()
            while True:
                done = gdbp.poll() is not None
                if os.path.exists(out):
                    with open(out) as f:
                        lines = f.read().splitlines()
                    for line in lines[seen:]:
                        try:
                            r = json.loads(line)
                        except ValueError:
                            break  # a line still being written
                        seen += 1
                        progress = time.monotonic()
                        if r["phase"] == "start":
                            started[r["i"]] = time.monotonic()
                        elif r["phase"] == "done":
                            results[r["i"]] = r
                            started.pop(r["i"], None)
                        else:
                            error = "operation %d (%s): %s" % (r["i"], ops[r["i"]], r.get("msg"))
                if done:
                    break
                now = time.monotonic()
                late = [i for i, t in started.items() if now - t > self.op_timeout]
                if late:
                    hung = late[0]
                    break
                if not started and now - progress > self.op_timeout + 30:
                    error = "gdb session made no progress (see %s)" % glog.name
                    break
                time.sleep(0.05)
            if hung is None and error is None and len(results) < len(ops) + 1:
                error = "gdb ended after %d of %d operations (see %s)" % (len(results) - 1, len(ops), glog.name)
            return results, hung, error
        finally:
            if gdbp is not None and gdbp.poll() is None:
                gdbp.kill()
                gdbp.wait()
            try:
                qemu.wait(timeout=0 if hung is not None else 5)
            except subprocess.TimeoutExpired:
                qemu.kill()  # deadlocked QEMU does not act on SIGTERM
                qemu.wait()
            qlog.close()
            glog.close()


# ---------------------------------------------------------------------------------------- stats

def med(xs):
    return statistics.median(xs) if xs else None


def p95(xs):
    """Nearest-rank 95th percentile."""
    if not xs:
        return None
    s = sorted(xs)
    k = max(0, min(len(s) - 1, -(-95 * len(s) // 100) - 1))
    return s[k]


def fmt_s(x):
    if x is None:
        return "-"
    if isinstance(x, str):
        return x
    return "%.3f" % x if x < 10 else "%.2f" % x


def fmt_size(b):
    if b is None:
        return "-"
    if b >= 1 << 20:
        return "%.2f MiB" % (b / (1 << 20))
    return "%.1f KiB" % (b / 1024)


# ---------------------------------------------------------------------------------------- main

def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rounds", type=int, default=3, help="rounds of plain/icount/record/replay runs (default 3)")
    ap.add_argument("--samples", type=int, default=20, help="reverse-stepi samples per guest (default 20)")
    ap.add_argument("--guests", default=",".join(DEFAULT_GUESTS),
                    help="comma-separated, from %s (default %s)" % (", ".join(g for g in GUESTS if g != "hello"),
                                                                   ",".join(DEFAULT_GUESTS)))
    ap.add_argument("--shift", default="auto", help="-icount shift (default auto)")
    ap.add_argument("--op-timeout", type=float, default=15,
                    help="seconds before a gdb operation counts as hung (default 15)")
    ap.add_argument("--attempts", type=int, default=2,
                    help="sessions tried per reverse-continue figure when QEMU hangs (default 2)")
    ap.add_argument("--max-hangs", type=int, default=5,
                    help="hung reverse-stepi sessions tolerated per guest; the samples after the hung one "
                         "continue in a new session (default 5)")
    ap.add_argument("--seed", type=int, default=1, help="seed of the random reverse-stepi points (default 1)")
    ap.add_argument("--no-build", action="store_true", help="do not run make -C guests")
    ap.add_argument("--keep", action="store_true", help="keep the temporary directory (recordings, logs)")
    a = ap.parse_args()
    names = [n for n in a.guests.split(",") if n]
    for n in names:
        if n not in GUESTS or n == "hello":
            raise BenchError("unknown guest '%s' (known: %s)" % (n, ", ".join(g for g in GUESTS if g != "hello")), 2)
    if a.rounds < 1 or a.samples < 0:
        raise BenchError("--rounds must be >= 1 and --samples >= 0", 2)
    if not (a.shift == "auto" or a.shift.isdigit()):
        raise BenchError("--shift takes auto or a number", 2)

    for tool, pkg in ((QEMU, "qemu-system-x86"), (GDB, "gdb")):
        if shutil.which(tool) is None:
            raise BenchError("%s not found: install it (Debian: apt-get install %s)" % (tool, pkg), 2)
    probe = subprocess.run([GDB, "-batch", "-nx", "-ex", "python print('gdb-python-ok')"],
                           capture_output=True, text=True, timeout=60)
    if "gdb-python-ok" not in probe.stdout:
        raise BenchError("%s has no Python support (needed for bench/qemu-rr-gdb.py)" % GDB, 2)
    version = subprocess.run([QEMU, "--version"], capture_output=True, text=True, timeout=30).stdout.splitlines()
    gdb_version = subprocess.run([GDB, "--version"], capture_output=True, text=True, timeout=30).stdout.splitlines()

    if not a.no_build:
        r = subprocess.run(["make", "-C", os.path.join(ROOT, "guests"), "-s"], capture_output=True, text=True)
        if r.returncode != 0:
            raise BenchError("make -C guests failed:\n%s" % (r.stdout + r.stderr)[-2000:], 2)

    tmp = tempfile.mkdtemp(prefix="lore-qemu-rr-")
    try:
        return measure(a, names, tmp, version[0] if version else QEMU, gdb_version[0] if gdb_version else GDB)
    finally:
        if a.keep:
            say("kept %s" % tmp)
        else:
            shutil.rmtree(tmp, ignore_errors=True)


def measure(a, names, tmp, qemu_version, gdb_version):
    # Private copies of the guests: a rebuild by someone else cannot change them mid-run.
    elfs = {}
    for n in ["hello"] + names:
        src = os.path.join(ROOT, GUESTS[n]["elf"])
        if not os.path.isfile(src):
            raise BenchError("no guest image %s (make -C guests)" % src, 2)
        dst = os.path.join(tmp, os.path.basename(src))
        if not os.path.exists(dst):
            shutil.copy(src, dst)
        elfs[n] = dst

    try:
        load = "%.2f %.2f %.2f" % os.getloadavg()
    except OSError:
        load = "?"
    say("QEMU record/replay (%s; %s; -icount shift=%s; load average %s)" % (qemu_version, gdb_version, a.shift, load))
    say("  %d rounds of plain / icount / record / replay per guest, then reverse debugging with gdb on the last "
        "recording (%d reverse-stepi samples, seed %d, %g s per gdb operation before it counts as hung)"
        % (a.rounds, a.samples, a.seed, a.op_timeout))

    rows = {}
    for n in ["hello"] + names:
        g = GUESTS[n]
        t = {m: [] for m in ("plain", "icount", "record", "replay")}
        logs, snaps, gsecs = [], [], []
        rrfile = qcow2 = None
        for r in range(a.rounds):
            rrfile = os.path.join(tmp, "%s-%d.rr" % (n, r))
            qcow2 = os.path.join(tmp, "%s-%d.qcow2" % (n, r))
            write_empty_qcow2(qcow2)
            q0 = os.path.getsize(qcow2)
            rec_text = None
            # the order rotates between rounds, so that a trend in the machine's load hits all modes alike
            order = ["plain", "icount", "record"]
            order = order[r % 3:] + order[:r % 3]
            order.insert(order.index("record") + 1, "replay")
            for mode in order:
                out = os.path.join(tmp, "%s-%d-%s.out" % (n, r, mode))
                wall, rc, text = run_qemu(qemu_cmd(elfs[n], g["cmdline"], mode, a.shift, rrfile, qcow2), out)
                check_run(n, g, mode, rc, text, out)
                t[mode].append(wall)
                if mode == "record":
                    rec_text = text
                    logs.append(os.path.getsize(rrfile))
                    snaps.append(os.path.getsize(qcow2) - q0)
                    if "ticks" in g:
                        m = re.search(g["ticks"], text, re.M)
                        if not m:
                            raise BenchError("%s: no tick count line ('%s') in the recorded run" % (n, g["ticks"]))
                        gsecs.append(int(m.group(1)) / 1000.0)
                if mode == "replay" and text != rec_text:
                    raise BenchError("%s: the replay's serial output differs from the recording's (%s)" % (n, out))
            for f in (rrfile, qcow2):
                if r < a.rounds - 1:
                    os.unlink(f)  # the last round's recording is kept for the gdb sessions
        row = dict(times={m: med(v) for m, v in t.items()}, log=med(logs), snap=med(snaps),
                   gsec=med(gsecs) if gsecs else None)
        if row["gsec"]:
            row["bps"] = row["log"] / row["gsec"]
        rows[n] = row
        say("  %-10s plain %s s, icount %s s, record %s s, replay %s s, log %s%s"
            % (n, fmt_s(row["times"]["plain"]), fmt_s(row["times"]["icount"]), fmt_s(row["times"]["record"]),
               fmt_s(row["times"]["replay"]), fmt_size(row["log"]),
               ", guest %.3f s" % row["gsec"] if row["gsec"] else ""))
        if n != "hello":
            row.update(reverse(a, n, g, elfs[n], tmp, rrfile, qcow2))

    print_table(a, names, rows)
    return 0


def reverse(a, n, g, elf, tmp, rrfile, qcow2):
    """The gdb figures of one guest (see the module docstring)."""
    res = dict(hangs=0, hung_ops=[], notes=[])

    def session(tag, ops):
        s = Session(tmp, "%s-%s" % (n, tag), elf, g["cmdline"], a.shift, rrfile, qcow2, a.op_timeout)
        results, hung, error = s.run(ops)
        if hung is not None:
            res["hangs"] += 1
            res["hung_ops"].append("%s: %s" % (tag, ops[hung]["op"]))
        if error:
            raise BenchError("%s, gdb session %s: %s" % (n, tag, error))
        return results, hung

    # Walk: start -> kmain -> end, then reverse-continue to bp and forward continue back.
    walk = [{"op": "break", "loc": "kmain"}, {"op": "continue"},                     # 0, 1
            {"op": "delete"}, {"op": "break", "loc": "lore_exit"}, {"op": "continue"},  # 2, 3, 4
            {"op": "break", "loc": g["bp"]}, {"op": "reverse-continue"},              # 5, 6
            {"op": "continue"}]                                                        # 7
    for attempt in range(a.attempts):
        r, hung = session("walk%d" % attempt, walk)
        if hung is None or (6 in r and 7 in r):
            break
    if 1 not in r or 4 not in r:
        raise BenchError("%s: gdb did not reach kmain and lore_exit in the replay (hung: %s)" % (n, hung))
    if r[1]["func"] != "kmain" or r[4]["func"] != "lore_exit":
        raise BenchError("%s: replay under gdb stopped in %s / %s, not kmain / lore_exit"
                         % (n, r[1]["func"], r[4]["func"]))
    if 6 not in r and hung == 6:
        res["rc_bp"] = "hung"
    n_kmain, n_end = r[1]["icount"], r[4]["icount"]
    res.update(n_kmain=n_kmain, n_end=n_end, fwd_all=r[4]["secs"])
    if 6 in r:
        if r[6]["func"] != g["bp"]:
            raise BenchError("%s: reverse-continue to %s stopped in %s" % (n, g["bp"], r[6]["func"]))
        res.update(rc_bp=r[6]["secs"], rc_bp_icount=r[6]["icount"])
        if 7 in r:
            if r[7]["icount"] != n_end:
                raise BenchError("%s: forward continue after reverse-continue ended at icount %d, not %d"
                                 % (n, r[7]["icount"], n_end))
            res.update(fc_bp=r[7]["secs"])

    if "watch" in g:
        watch = [{"op": "break", "loc": "lore_exit"}, {"op": "continue"}, {"op": "delete"},  # 0, 1, 2
                 {"op": "watch", "expr": g["watch"]}, {"op": "reverse-continue"},           # 3, 4
                 {"op": "break", "loc": "lore_exit"}, {"op": "continue"}]                   # 5, 6
        for attempt in range(a.attempts):
            r, hung = session("watch%d" % attempt, watch)
            if hung is None or 6 in r:
                break
        if 4 not in r and hung == 4:
            res["rc_wp"] = "hung"
        if 4 in r:
            if r[4]["func"] != g["culprit"]:
                raise BenchError("%s: reverse-continue with watch -l %s stopped in %s, not %s"
                                 % (n, g["watch"], r[4]["func"], g["culprit"]))
            res.update(rc_wp=r[4]["secs"], rc_wp_where="%s %s" % (r[4]["func"], r[4]["line"]))
            if 6 in r:
                if r[6]["icount"] != n_end:
                    raise BenchError("%s: forward continue after the watchpoint ended at icount %d, not %d"
                                     % (n, r[6]["icount"], n_end))
                res.update(fc_wp=r[6]["secs"])

    # reverse-stepi at random points, in increasing order, each reached from the previous one.
    rng = random.Random("%s/%d" % (n, a.seed))
    points = sorted(rng.sample(range(n_kmain + 2, n_end), min(a.samples, n_end - n_kmain - 2)))
    rsi, gotos, wrong = [], [], 0
    todo = points
    rsi_hangs = 0
    while todo:
        ops = []
        for p in todo:
            ops += [{"op": "goto", "icount": p}, {"op": "reverse-stepi"}]
        r, hung = session("rsi%d" % rsi_hangs, ops)
        for k, p in enumerate(todo):
            if 2 * k in r:
                gotos.append(r[2 * k]["secs"])
            if 2 * k + 1 in r:
                rsi.append(r[2 * k + 1]["secs"])
                if r[2 * k + 1]["icount"] != p - 1:
                    wrong += 1
        if hung is None:
            break
        rsi_hangs += 1
        if rsi_hangs >= a.max_hangs:
            res["notes"].append("reverse-stepi: stopped after %d hung sessions" % rsi_hangs)
            break
        todo = todo[hung // 2 + 1:]  # skip the point whose goto or reverse-stepi hung
    if wrong:
        raise BenchError("%s: %d of %d reverse-stepi landed elsewhere than one instruction back" % (n, wrong, len(rsi)))
    res.update(rsi=rsi, gotos=gotos, points=len(points))
    say("  %-10s gdb: icount kmain %d, end %d; forward start->end %s s; reverse-stepi %d/%d (median %s s); "
        "hung sessions %d%s" % (n, n_kmain, n_end, fmt_s(res["fwd_all"]), len(rsi), len(points), fmt_s(med(rsi)),
                                res["hangs"], (" (" + "; ".join(res["hung_ops"]) + ")") if res["hung_ops"] else ""))
    return res


def print_table(a, names, rows):
    cols = ["guest", "guest s", "plain", "icount", "record", "replay", "log", "log/guest-s", "snapshot",
            "rsi med", "rsi p95", "rc bp", "fwd bp", "rc wp", "fwd wp", "rsi done", "hangs"]
    table = []
    for n in ["hello"] + names:
        r = rows[n]
        tm = r["times"]
        line = [n + (" (start-up)" if n == "hello" else ""), "%.3f" % r["gsec"] if r.get("gsec") else "-",
                fmt_s(tm["plain"]), fmt_s(tm["icount"]), fmt_s(tm["record"]), fmt_s(tm["replay"]),
                fmt_size(r["log"]), (fmt_size(r["bps"]) + "/s") if r.get("bps") else "-", fmt_size(r["snap"])]
        if n == "hello":
            line += ["-"] * 8
        else:
            line += [fmt_s(med(r["rsi"])), fmt_s(p95(r["rsi"])), fmt_s(r.get("rc_bp")), fmt_s(r.get("fc_bp")),
                     fmt_s(r.get("rc_wp")), fmt_s(r.get("fc_wp")), "%d/%d" % (len(r["rsi"]), r["points"]),
                     "%d" % r["hangs"]]
        table.append(line)
    widths = [max(len(c), *(len(l[i]) for l in table)) for i, c in enumerate(cols)]
    say("")
    say("| " + " | ".join(c.ljust(w) for c, w in zip(cols, widths)) + " |")
    say("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for l in table:
        say("| " + " | ".join(c.ljust(w) for c, w in zip(l, widths)) + " |")
    say("")
    say("Times in seconds, medians: plain/icount/record/replay are QEMU process wall times (%d rounds; hello = the "
        "start-up every run pays); rsi = reverse-stepi (%d random points per guest, median and p95); rc bp = "
        "reverse-continue from the end to a breakpoint hit once early (demo: sched_run, irqio: work_loop), fwd bp = "
        "forward continue over the same interval; rc wp / fwd wp = the same with watch -l ring_ctl.magic (demo); "
        "rsi done = reverse-stepi samples measured / points chosen; hung = QEMU stopped answering (%g s); hangs = gdb "
        "sessions killed." % (a.rounds, a.samples, a.op_timeout))
    for n in names:
        r = rows[n]
        tm, h = r["times"], rows["hello"]["times"]
        net = {m: tm[m] - h[m] for m in tm}
        parts = []
        # a ratio of two times that are mostly start-up and noise says nothing: only beyond 0.1 s
        for x, y in (("record", "icount"), ("record", "plain"), ("icount", "plain"), ("replay", "record")):
            if net[x] >= 0.1 and net[y] >= 0.1:
                parts.append("%s/%s %.2f" % (x, y, net[x] / net[y]))
        if not parts:
            parts.append("runs within 0.1 s of the start-up: no time ratios")
        if isinstance(r.get("rc_bp"), float) and r.get("fc_bp"):
            parts.append("rc/fwd (bp) %.1f" % (r["rc_bp"] / r["fc_bp"]))
        if isinstance(r.get("rc_wp"), float) and r.get("fc_wp"):
            parts.append("rc/fwd (wp) %.1f" % (r["rc_wp"] / r["fc_wp"]))
        if r.get("rsi"):
            parts.append("rsi/forward start->end %.2f" % (med(r["rsi"]) / r["fwd_all"]))
        say("  %-10s (start-up subtracted) %s; icount kmain..end %d..%d%s" % (
            n, ", ".join(parts) or "-", r["n_kmain"], r["n_end"],
            ("; " + "; ".join(r["notes"])) if r["notes"] else ""))
    total_hangs = sum(rows[n]["hangs"] for n in names)
    def secs(x):
        return fmt_s(x) + ("" if x is None or isinstance(x, str) else " s")

    say("QEMU rr: %s; %d hung gdb session(s)" % (", ".join(
        "%s reverse-stepi %s, reverse-continue %s" % (n, secs(med(rows[n]["rsi"])), secs(rows[n].get("rc_bp")))
        for n in names), total_hangs))


if __name__ == "__main__":
    def on_signal(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_signal)
    try:
        sys.exit(main())
    except BenchError as e:
        print("qemu-rr: %s" % e, file=sys.stderr)
        sys.exit(e.status)
    except KeyboardInterrupt:
        print("qemu-rr: interrupted", file=sys.stderr)
        sys.exit(130)
