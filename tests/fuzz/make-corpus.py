#!/usr/bin/env python3
"""tests/fuzz/make-corpus.py — the seed corpus of the trace reader's fuzzer.

Writes small traces by the rules of doc/trace-format.md (an independent
writer: it checks the reader against the document, not against the tracer's
own code), then cut and damaged copies of them:

  valid-*      complete traces: must load, not truncated
  truncated-*  cut short or without an end record: must load, truncated
  mutated-*    bytes flipped, lengths and varints broken: anything but a crash

Versions 1, 2 and 3: the *-v2-* files carry what version 2 added (the
escape record, 0x10) beside the records a gort program with --frames writes
(frame enter/exit, goroutine switches, alloc-same, lost); the *-v3-* files
what version 3 added (the goroutine state record, 0x11: goroutines left
blocked at the end, with Go's wait reasons); and hostile variants of each.

The cmocka test tests/test_corpus replays every file with the reader and
the aggregation; `make fuzz` builds the libFuzzer target that starts from
them.  Run: tests/fuzz/make-corpus.py tests/fuzz/corpus
"""
import os
import random
import struct
import sys
import zlib

HEADER_SIZE = 4096
CHUNK_HEADER = 64
CHUNK_MAGIC = 0x4B484345
F_COST, F_COMPACT, F_FRAMES, F_CLEAN = 1, 2, 4, 8


def uv(v):
    out = bytearray()
    while v >= 0x80:
        out.append((v & 0x7F) | 0x80)
        v >>= 7
    out.append(v)
    return bytes(out)


def sv(v):
    return uv(((v << 1) ^ (v >> 63)) & 0xFFFFFFFFFFFFFFFF)


def s(b):
    return uv(len(b)) + b


def file_header(flags, chunk_size=4096, exe=b"/usr/bin/corpus", pid=4242, version=1):
    h = bytearray(HEADER_SIZE)
    struct.pack_into("<8sIIIIIIIIII", h, 0, b"ESCTRACE", version, HEADER_SIZE, chunk_size,
                     flags, 2, 0, pid, 1, 256, len(exe))
    struct.pack_into("<QQQQQ", h, 48, 1_700_000_000_000_000_000, 1000, 1000, 0, 0)
    h[88:88 + len(exe)] = exe
    return bytes(h)


class Chunk:
    """The records of one thread's chunk, with the per-chunk delta state."""

    def __init__(self, thread, first_seq=0, base=1000):
        self.thread, self.first_seq, self.base = thread, first_seq, base
        self.seq, self.frame, self.body = first_seq, 0, bytearray()
        self.fn = self.sp = 0

    def module(self, base, size, path, build_id=b""):
        self.body += b"\x01" + uv(base) + uv(size) + s(path) + s(build_id)

    def stack(self, sid, pcs, truncated=False):
        self.body += b"\x02" + uv(sid) + uv(len(pcs) << 1 | truncated)
        prev = 0
        for pc in pcs:
            self.body += sv(pc - prev)
            prev = pc

    def _frame(self, frame):
        d = frame - self.frame if frame else -self.frame
        self.frame = frame
        return sv(d)

    def _new_block(self, head, cost, ref):
        """An allocating record: its fields, [cost], [ref]; a new block."""
        self.body += head
        if cost is not None:
            self.body += uv(cost)
        if ref is not None:
            self.body += ref
        self.seq += 1
        return self.seq - 1

    def alloc(self, fn, size, sid, frame, cost=None, ref=None):
        head = bytes([0x20 | fn]) + uv(1) + uv(size) + uv(sid) + self._frame(frame)
        return self._new_block(head, cost, ref)

    def alloc_same(self, fn, size, cost=None, ref=None):
        """0x60 | fn: the previous allocation's stack and frame."""
        return self._new_block(bytes([0x60 | fn]) + uv(1) + uv(size), cost, ref)

    def newobject(self, size, sizeclass, sid, frame, ns=30):
        self.body += b"\x05" + uv(1) + uv(size) + uv(sizeclass) + uv(sid) + self._frame(frame)
        self.body += uv(ns)
        self.seq += 1
        return self.seq - 1

    def escape(self, ref, escaped, dt=1):
        """0x10 (version 2): a return barrier's verdict on one block."""
        self.body += b"\x10" + uv(dt) + ref + uv(escaped)

    def frame_enter(self, fn, sp):
        self.body += b"\x0e" + uv(1) + sv(fn - self.fn) + sv(sp - self.sp)
        self.fn, self.sp = fn, sp

    def frame_exit(self):
        self.body += b"\x0f" + uv(1)

    def gswitch(self, goid):
        self.body += b"\x04" + uv(goid)

    def go_create(self, goid, parent, fn=0x401000, sid=0, dt=1):
        self.body += b"\x0a" + uv(dt) + uv(goid) + uv(parent) + uv(fn) + uv(sid)

    def go_exit(self, goid, dt=1):
        self.body += b"\x0b" + uv(dt) + uv(goid)

    def go_state(self, goid, state, dt=1):
        """0x11 (version 3): what a goroutine left at the end was doing."""
        self.body += b"\x11" + uv(dt) + uv(goid) + s(state)

    def remote(self, thread, seq):
        return uv(thread << 4 | 2) + uv(seq)

    def local(self, seq, live=False, same=False):
        return uv((self.seq - 1 - seq) << 4 | live << 2 | same << 3 | 1)

    def free(self, seq, fn=0, live=False):
        self.body += bytes([0x40 | fn]) + uv(1) + self.local(seq, live)

    def free_remote(self, thread, seq):
        self.body += bytes([0x40]) + uv(1) + uv(thread << 4 | 2) + uv(seq)

    def free_unknown(self):
        self.body += bytes([0x40]) + uv(1) + uv(3)

    def raw(self, tag, *fields):
        self.body += bytes([tag]) + b"".join(fields)

    def end(self, status=0, dt=1):
        self.body += b"\x0d" + uv(dt) + uv(1) + sv(status) + uv(9000) + uv(9000)

    def encode(self, chunk_size=None, deflate=False):
        payload = bytes(self.body)
        raw_len = len(payload)
        if deflate:
            payload = zlib.compress(payload)
            stored = committed = len(payload)
        else:
            committed = raw_len
            stored = (chunk_size - CHUNK_HEADER) if chunk_size else raw_len
            payload = payload.ljust(stored, b"\0")
        h = struct.pack("<IIIIIIIIQQQQ", CHUNK_MAGIC, 1 if deflate else 0, self.thread,
                        1000 + self.thread, stored, committed, raw_len, 0, self.first_seq,
                        0, self.base, self.base)
        return h + payload


def program():
    """Two threads: malloc/calloc/realloc/free, a leak, gort records, an end."""
    t1, t2 = Chunk(1), Chunk(2, base=2000)  # thread 2 runs after thread 1
    t1.module(0x555555554000, 0x5000, b"/usr/bin/corpus", bytes(range(20)))
    t1.module(0x7FFFF7C00000, 0x200000, b"/lib/x86_64-linux-gnu/libc.so.6")
    t1.stack(1, [0x555555555123, 0x555555555200, 0x7FFFF7C29D90])
    t1.stack(2, [0x555555555140, 0x555555555200], truncated=True)
    a = t1.alloc(0, 1000, 1, 0x7FFFFFFFE000, cost=40)
    b = t1.alloc(1, 64, 2, 0x7FFFFFFFE000, cost=50)
    t1.free(b, live=True)
    c = t1.alloc(2, 2000, 1, 0x7FFFFFFFE010, cost=60, ref=t1.local(a, same=False))
    t1.raw(0x03, uv(1), s(b"worker-\xff\x01\"name"))
    t1.raw(0x04, uv(7))
    t1.raw(0x05, uv(1), uv(48), uv(5), uv(2), sv(0), uv(30))  # gort newobject
    g = t1.seq
    t1.seq += 1
    t1.raw(0x06, uv(1), uv(1), uv(4096), uv(8192), uv(1))
    t1.raw(0x07, uv(1), uv(1), uv(2048), uv(8192), uv(10), uv(3), uv(144), uv(900), uv(700))
    t1.raw(0x08, uv(1), uv(7), uv(512), uv(4096), uv(2))
    t1.raw(0x09, uv(1), uv(7), uv(4096))
    t1.raw(0x0A, uv(1), uv(8), uv(7), uv(0x555555555300), uv(1))
    t1.raw(0x0B, uv(1), uv(8))
    t1.raw(0x0A, uv(1), uv(9), uv(7), uv(0x555555555400), uv(2))  # alive at exit
    t1.raw(0x0C, uv(1), uv(2))
    t2.stack(1, [0x555555555160])
    d = t2.alloc(0, 300, 1, 0, cost=20)  # the header has COST
    t2.free_remote(1, c)
    t2.free(d)
    t2.free_unknown()
    t1.free(g, fn=3)  # the gort object, by the sweeper
    t1.end(0, dt=5000)  # after thread 2's records
    return t1, t2


def program_v2():
    """A gort program traced with --frames and verdicts (version 2): two
    goroutines on thread 1, escape records for local, remote and unknown
    blocks, frames nested across a goroutine switch, alloc-same records."""
    t1, t2 = Chunk(1), Chunk(2, base=2000)
    t1.module(0x555555554000, 0x9000, b"/usr/bin/gortprog", bytes(range(20)))
    t1.stack(1, [0x555555555123, 0x555555555200, 0x555555555300])
    t1.stack(2, [0x555555555140, 0x555555555200])
    t1.raw(0x0A, uv(1), uv(1), uv(0), uv(0x555555555300), uv(1))  # main goroutine
    t1.gswitch(1)
    t1.frame_enter(0x555555555300, 0x7FFFF0001F00)
    t1.frame_enter(0x555555555200, 0x7FFFF0001C00)
    kept = t1.newobject(48, 5, 1, 0x7FFFF0001C10)
    local = t1.newobject(64, 6, 1, 0x7FFFF0001C10)
    t1.escape(t1.local(kept), 1)
    t1.escape(t1.local(local), 0)
    m = t1.alloc(0, 100, 2, 0x7FFFF0001C10)
    t1.alloc_same(0, 200)
    t1.alloc_same(2, 300, ref=t1.local(m))  # realloc of m, moved
    t1.frame_exit()
    t1.raw(0x08, uv(1), uv(2), uv(1032), uv(4096), uv(2))  # stack grow
    t1.raw(0x0A, uv(1), uv(2), uv(1), uv(0x555555555400), uv(1))
    t1.gswitch(2)
    t1.frame_enter(0x555555555400, 0x7FFFE0000F00)
    t1.frame_enter(0x555555555200, 0x7FFFE0000B00)
    other = t1.newobject(32, 4, 1, 0x7FFFE0000B10)
    t1.gswitch(1)  # frames of goroutine 1 resume, goroutine 2's stay open
    t1.frame_exit()
    t1.gswitch(2)
    t1.frame_exit()
    t1.frame_exit()
    t1.escape(t1.local(other), 0)
    t1.free(other, fn=3)  # swept after its verdict
    t1.raw(0x0B, uv(1), uv(2))
    t1.raw(0x09, uv(1), uv(2), uv(4096))
    t1.gswitch(0)
    t1.raw(0x0C, uv(1), uv(3))  # lost
    t2.stack(1, [0x555555555160])
    b = t2.newobject(16, 2, 1, 0)
    t2.escape(t2.remote(1, kept), 1)  # a verdict on thread 1's block
    t2.escape(uv(3), 1)  # on a block never seen
    t2.escape(t2.local(b), 1)
    t1.end(0, dt=5000)
    return t1, t2


def v2_hostile(out, t1, t2):
    """Version 2's records, damaged one field at a time."""
    def one(name, build, version=2, flags=F_CLEAN | F_FRAMES):
        one_chunk(out, "mutated-v2-" + name, build, version, flags)

    def block(c):
        return c.newobject(16, 2, 1, 0)

    one("escape-in-v1", lambda c: c.escape(c.local(block(c)), 1), version=1)
    one("escape-verdict-2", lambda c: c.escape(c.local(block(c)), 2))
    one("escape-verdict-huge", lambda c: c.escape(c.local(block(c)), 1 << 63))
    one("escape-future-block", lambda c: (block(c), c.escape(uv(5 << 4 | 1), 1)))
    one("escape-no-block", lambda c: c.escape(uv(1 << 4 | 1), 0))
    one("escape-remote-thread-0", lambda c: c.escape(uv(2) + uv(0), 1))
    one("escape-remote-thread-huge", lambda c: c.escape(uv(1 << 40 << 4 | 2) + uv(1), 1))
    one("escape-remote-seq-huge", lambda c: c.escape(uv(2 << 4 | 2) + uv(1 << 62), 1))
    one("escape-ref-none", lambda c: c.escape(uv(0), 1))
    one("escape-ref-none-payload", lambda c: c.escape(uv(7 << 4), 1))
    one("escape-live-same-bits", lambda c: c.escape(uv(0 << 4 | 0xC | 1), 1) if block(c) >= 0 else 0)
    one("escape-cut", lambda c: (block(c), c.raw(0x10, uv(1))))
    one("escape-dt-huge", lambda c: c.escape(c.local(block(c)), 1, dt=1 << 63))
    one("escape-after-free", lambda c: (c.free(block(c), fn=3), c.escape(c.local(0), 1), c.escape(c.local(0), 0)))
    one("frames-exit-only", lambda c: [c.frame_exit() for _ in range(200)])
    one("frames-deep", lambda c: [c.frame_enter(0x401000 + i, 0x7FFF0000 - 64 * i) for i in range(1500)])
    one("frames-sp-extremes", lambda c: [c.raw(0x0E, uv(1), sv(-(1 << 63)), sv((1 << 63) - 1)) for _ in range(3)])
    one("frames-fn-cut", lambda c: c.raw(0x0E, uv(1), b"\xff\xff"))
    one("frames-many-goroutines", lambda c: [(c.gswitch(g), c.frame_enter(0x401000, 0x7000 + g)) for g in range(1, 2000)])
    one("gswitch-huge", lambda c: (c.gswitch((1 << 64) - 1), c.frame_enter(0x401000, 0x7000), c.frame_exit()))
    one("alloc-same-first", lambda c: c.alloc_same(0, 10))
    one("alloc-same-bad-ref", lambda c: (c.alloc(0, 10, 1, 0), c.alloc_same(2, 20, ref=uv(9 << 4 | 1))))
    one("newobject-stack-unknown", lambda c: c.raw(0x05, uv(1), uv(8), uv(1), uv(77), sv(0), uv(1)))
    one("lost-huge", lambda c: c.raw(0x0C, uv(1), uv((1 << 64) - 1)))
    raw = file_header(F_CLEAN | F_FRAMES, version=3) + t1.encode(4096) + t2.encode(4096)
    write(os.path.join(out, "mutated-v2-version-3"), raw)
    # A chunk of thread 2 that claims thread 1's number: two writers of one
    # thread's sequence.
    dup = Chunk(1)
    dup.stack(1, [0x401000])
    dup.escape(dup.remote(1, 0), 1)
    write(os.path.join(out, "mutated-v2-duplicate-thread"),
          file_header(F_CLEAN, version=2) + t1.encode(4096) + dup.encode(4096))


def one_chunk(out, name, build, version, flags):
    """A file of one chunk on thread 1 (a stack 1 first), its records from
    build(chunk), in a slot as large as they need."""
    c = Chunk(1)
    c.stack(1, [0x401000])
    build(c)
    size = 4096
    while size < len(c.body) + CHUNK_HEADER:
        size *= 2
    write(os.path.join(out, name),
          file_header(flags, chunk_size=size, version=version) + c.encode(size))


# Go's wait reasons (runtime/runtime2.go, waitReasonStrings), as gort
# reports them for a parked goroutine.
WAIT_REASONS = [b"chan receive", b"chan send", b"select", b"sleep", b"sync.WaitGroup.Wait",
                b"sync.Mutex.Lock", b"chan receive (nil chan)", b"select (no cases)"]


def program_v3():
    """A gort program left blocked (version 3): main (goroutine 1) creates
    goroutines 2..7 on thread 1, goroutine 3 exits; at the end the tracer
    writes each survivor's state.  Goroutine 5 gets two states (the later
    one replaces the earlier), goroutine 3 (exited) and 99 (never created)
    get one that must be ignored; thread 2 writes goroutine 7's."""
    t1, t2 = Chunk(1), Chunk(2, base=2000)
    t1.module(0x555555554000, 0x9000, b"/usr/bin/gortblock", bytes(range(20)))
    t1.stack(1, [0x555555555123, 0x555555555200])
    t1.stack(2, [0x555555555140, 0x555555555200])
    t1.go_create(1, 0, 0x555555555300, 1)
    t1.gswitch(1)
    for g in range(2, 8):
        t1.go_create(g, 1, 0x555555555400 + 16 * g, 2)
    t1.newobject(48, 5, 2, 0)
    t1.go_exit(3)
    t1.go_state(1, b"running")
    t1.go_state(2, WAIT_REASONS[0])
    t1.go_state(3, WAIT_REASONS[3])  # exited: ignored
    t1.go_state(4, WAIT_REASONS[2])
    t1.go_state(5, WAIT_REASONS[4])
    t1.go_state(6, b"runnable")
    t1.go_state(99, WAIT_REASONS[1])  # never created: ignored
    t1.go_state(5, WAIT_REASONS[5])  # replaces sync.WaitGroup.Wait
    t2.go_state(7, WAIT_REASONS[7], dt=1000)  # at 3000, after thread 1's
    t1.end(2, dt=5000)
    return t1, t2


def v3_hostile(out):
    """The goroutine state record, damaged one field at a time, and the
    strings an output must escape; each file ends with an end record, so
    those the reader accepts are complete (but the cut ones)."""
    def one(name, build, version=3, flags=F_CLEAN, end=True):
        one_chunk(out, "mutated-v3-" + name, lambda c: (build(c), end and c.end(0)), version,
                  flags)

    def created(c, goid=2):
        c.go_create(goid, 1, 0x401000, 1)
        return c

    one("state-in-v2", lambda c: created(c).go_state(2, b"select"), version=2)
    one("state-in-v1", lambda c: created(c).go_state(2, b"select"), version=1)
    one("state-len-64", lambda c: created(c).go_state(2, b"w" * 64))
    one("state-len-65", lambda c: created(c).go_state(2, b"w" * 65))
    one("state-len-huge", lambda c: created(c).raw(0x11, uv(1), uv(2), uv(1 << 62), b"select"))
    one("state-len-past-chunk", lambda c: created(c).raw(0x11, uv(1), uv(2), uv(60), b"select"))
    one("state-empty", lambda c: created(c).go_state(2, b""))
    one("state-escapes", lambda c: created(c).go_state(2, HOSTILE_STATE))
    one("state-nul", lambda c: created(c).go_state(2, b"chan\x00<receive>"))
    one("goid-0", lambda c: created(c, 0).go_state(0, b"chan receive"))
    one("goid-max", lambda c: created(c, (1 << 64) - 1).go_state((1 << 64) - 1, b"select"))
    one("goid-max-uncreated", lambda c: c.go_state((1 << 64) - 1, b"select"))
    one("goid-too-long", lambda c: c.raw(0x11, uv(1), b"\xff" * 10 + b"\x01", s(b"select")))
    one("dt-huge", lambda c: created(c).go_state(2, b"sleep", dt=1 << 63))
    one("dt-largest", lambda c: [created(c).go_state(2, b"sleep", dt=(1 << 31) - 1) for _ in range(3)])
    # The chunk's committed length ends inside the record (no end record).
    one("cut-after-tag", lambda c: created(c).raw(0x11), end=False)
    one("cut-in-string", lambda c: created(c).raw(0x11, uv(1), uv(2), uv(12), b"chan"), end=False)
    one("same-goroutine-many", lambda c: (created(c), [c.go_state(2, WAIT_REASONS[i % 8]) for i in range(1500)]))
    one("states-distinct", lambda c: [created(c, g).go_state(g, b"reason %d" % g) for g in range(2, 1200)])

    def full(c):
        """64 distinct states (as many as the viewer keeps) on goroutines
        2..65, then a 65th for goroutine 2: a later state it cannot keep
        must not leave the earlier one in place."""
        for g in range(2, 66):
            created(c, g).go_state(g, b"reason %d" % g)
        c.go_state(2, b"reason 66")
        c.end(0)
    one_chunk(out, "valid-v3-states-full", full, 3, F_CLEAN)


# Bytes a JSON or HTML writer must escape: quote, backslash, markup,
# control characters, DEL, invalid UTF-8 (a lone continuation byte, a
# truncated sequence, an overlong form); 61 bytes.
HOSTILE_STATE = b'q"b\\s</td><script>&\'x\x01\x1f\x7f\t\n\xff\xc3(\xc0\xaf\xe2\x82'


def write(path, data):
    with open(path, "wb") as f:
        f.write(data)


def main(out):
    os.makedirs(out, exist_ok=True)
    t1, t2 = program()
    raw = file_header(F_COST | F_CLEAN) + t1.encode(4096) + t2.encode(4096)
    compact = (file_header(F_COST | F_CLEAN | F_COMPACT)
               + t1.encode(deflate=True) + t2.encode(deflate=True))
    empty = Chunk(1)
    empty.end(0)
    minimal = file_header(F_CLEAN) + empty.encode(4096)
    unclaimed = (file_header(F_COST | F_CLEAN) + t1.encode(4096) + bytes(4096)
                 + t2.encode(4096))
    # Names a JSON writer must escape: quote, backslash, control characters,
    # invalid UTF-8 (the report's "program", "module" and "function").
    odd_path = b'/tmp/o"dd\\name\x01\x1f\xff\xc3(/prog\xe2\x82'
    odd = Chunk(1)
    odd.module(0x400000, 0x1000, odd_path)
    odd.stack(1, [0x400123])
    odd.alloc(0, 42, 1, 0)
    odd.end(0)
    odd_names = file_header(F_CLEAN, exe=odd_path) + odd.encode(4096)
    # C++ operator new / new[] and delete (fn 12, 13 and 4).
    cxx = Chunk(1)
    cxx.stack(1, [0x401234, 0x401300])
    n1 = cxx.alloc(12, 24, 1, 0x7FFFFFFFE000)
    n2 = cxx.alloc(13, 3001, 1, 0x7FFFFFFFE000)
    cxx.free(n2, fn=4, live=True)
    cxx.free(n1, fn=4, live=True)
    cxx.end(0)
    cxx_trace = file_header(F_CLEAN) + cxx.encode(4096)
    valid = {"valid-raw": raw, "valid-cxx": cxx_trace, "valid-compact": compact, "valid-minimal": minimal,
             "valid-unclaimed-slot": unclaimed, "valid-odd-names": odd_names}
    for name, data in valid.items():
        write(os.path.join(out, name), data)

    # Truncated: cut inside a record, inside a chunk header, at the header,
    # and a complete trace that lacks its end record (a killed program).
    cut = len(file_header(0)) + CHUNK_HEADER + len(t1.body) // 2
    write(os.path.join(out, "truncated-mid-record"), raw[:cut])
    write(os.path.join(out, "truncated-mid-chunk-header"), raw[:HEADER_SIZE + 4096 + 20])
    write(os.path.join(out, "truncated-compact"), compact[:len(compact) - 7])
    noend = Chunk(1)
    noend.stack(1, [0x401000])
    noend.alloc(0, 10, 1, 0)
    write(os.path.join(out, "truncated-no-end"), file_header(0) + noend.encode(4096))

    # Mutated: deterministic damage of the valid traces.
    rng = random.Random(4)
    for name in ("valid-raw", "valid-compact"):
        data = valid[name]
        for i in range(6):
            m = bytearray(data)
            for _ in range(1 + i):
                pos = rng.randrange(HEADER_SIZE - 8, len(m))
                m[pos] = rng.randrange(256)
            write(os.path.join(out, f"mutated-{name[6:]}-{i}"), bytes(m))
    bad = bytearray(raw)
    struct.pack_into("<I", bad, HEADER_SIZE + 16, 0xFFFFFFF0)  # stored
    write(os.path.join(out, "mutated-huge-stored"), bytes(bad))
    bad = bytearray(raw)
    struct.pack_into("<I", bad, HEADER_SIZE + 20, 0xFFFF)  # committed > stored
    write(os.path.join(out, "mutated-committed-past-chunk"), bytes(bad))
    bad = bytearray(raw)
    struct.pack_into("<I", bad, 16, 3)  # chunk_size
    write(os.path.join(out, "mutated-chunk-size"), bytes(bad))
    over = Chunk(1)
    over.raw(0x02, uv(1), uv(5000 << 1))  # depth beyond 1024
    write(os.path.join(out, "mutated-deep-stack"), file_header(0) + over.encode(4096))
    long_varint = Chunk(1)
    long_varint.raw(0x20, b"\xff" * 11 + b"\x01")
    write(os.path.join(out, "mutated-long-varint"),
          file_header(0) + long_varint.encode(4096))
    strlen = Chunk(1)
    strlen.raw(0x01, uv(0), uv(0), uv(1 << 40))
    write(os.path.join(out, "mutated-string-length"), file_header(0) + strlen.encode(4096))
    tag = Chunk(1)
    tag.raw(0x0E)  # the first tag after END
    write(os.path.join(out, "mutated-unknown-tag"), file_header(0) + tag.encode(4096))
    bomb = Chunk(1)
    bomb.body += bytes(1 << 20)  # inflates past chunk_size
    write(os.path.join(out, "mutated-deflate-bomb"),
          file_header(F_COMPACT) + bomb.encode(deflate=True))
    write(os.path.join(out, "mutated-header-only"), file_header(0)[:100])
    write(os.path.join(out, "mutated-not-a-trace"), b"#!/bin/sh\necho hello\n" * 10)
    write(os.path.join(out, "mutated-empty"), b"")
    bad = bytearray(raw)
    struct.pack_into("<I", bad, 8, 99)  # version
    write(os.path.join(out, "mutated-version"), bytes(bad))
    main_v2(out, rng)


def main_v2(out, rng):
    t1, t2 = program_v2()
    raw, compact = valid_pair(out, "v2", t1, t2, F_CLEAN | F_FRAMES)
    # Cut inside the first escape record, and a killed run (no end).
    cut = HEADER_SIZE + CHUNK_HEADER + t1.body.index(b"\x10\x01") + 2
    write(os.path.join(out, "truncated-v2-mid-escape"), raw[:cut])
    noend = Chunk(1)
    noend.stack(1, [0x401000])
    nb = noend.newobject(16, 2, 1, 0)
    noend.frame_enter(0x401000, 0x7000)
    noend.escape(noend.local(nb), 0)
    write(os.path.join(out, "truncated-v2-no-end"),
          file_header(F_FRAMES, version=2) + noend.encode(4096))
    damaged_copies(out, rng, "v2", raw, compact)
    v2_hostile(out, t1, t2)
    main_v3(out, rng)


def main_v3(out, rng):
    t1, t2 = program_v3()
    raw, compact = valid_pair(out, "v3", t1, t2, F_CLEAN)
    # Cut inside goroutine 2's state string: thread 1's records before it
    # are whole, thread 2's chunk is gone.
    cut = HEADER_SIZE + CHUNK_HEADER + t1.body.index(b"chan receive") + 4
    write(os.path.join(out, "truncated-v3-mid-state"), raw[:cut])
    damaged_copies(out, rng, "v3", raw, compact)
    v3_hostile(out)


def valid_pair(out, v, t1, t2, flags):
    """valid-V-raw and valid-V-compact: the two threads' chunks, in slots
    and deflated (format version V)."""
    version = int(v[1:])
    raw = file_header(flags, version=version) + t1.encode(4096) + t2.encode(4096)
    compact = (file_header(flags | F_COMPACT, version=version)
               + t1.encode(deflate=True) + t2.encode(deflate=True))
    write(os.path.join(out, f"valid-{v}-raw"), raw)
    write(os.path.join(out, f"valid-{v}-compact"), compact)
    return raw, compact


def damaged_copies(out, rng, v, raw, compact):
    """mutated-V-raw-N, mutated-V-compact-N: N+1 random bytes changed."""
    for name, data in (("raw", raw), ("compact", compact)):
        for i in range(8):
            m = bytearray(data)
            for _ in range(1 + i):
                pos = rng.randrange(HEADER_SIZE, len(m))
                m[pos] = rng.randrange(256)
            write(os.path.join(out, f"mutated-{v}-{name}-{i}"), bytes(m))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "corpus")
