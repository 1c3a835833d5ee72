package io.lore.rsp;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A toy debuggee with a recorded history, for testing the stub. Its "program" is {@link #LENGTH}
 * one-byte instructions starting at {@link #CODE}; position p (0..LENGTH) means p instructions have
 * run and rip = CODE + p. Some instructions write 8-byte values to memory ({@link #writeAt});
 * execution runs both ways, so breakpoints, watchpoints and the ends of history behave as in a
 * replay. Memory is one image from {@link #BASE}; everything else is unreadable. Scripted stop
 * reasons ({@link #script}) take precedence; {@link #blockRuns} makes continues wait for
 * {@link #interrupt()}.
 */
class FakeTarget implements DebugTarget {
    static final long BASE = 0x1000;
    static final int SIZE = 0x3000;
    static final long CODE = 0x1000;
    static final int LENGTH = 0x100;
    static final long DATA = 0x2000;
    static final String REFUSAL = "LoRe replays are read-only: a write would break determinism";

    record Bp(BreakpointType type, long address, int length) {}

    final X86Registers regs = new X86Registers();
    final byte[] memory = new byte[SIZE];
    private final Map<Integer, long[]> writes = new HashMap<>();      // position -> {address, value}
    private final Map<Integer, byte[]> undo = new HashMap<>();        // position -> old bytes
    final List<Bp> breakpoints = Collections.synchronizedList(new ArrayList<>());
    final List<ResumeMode> resumes = Collections.synchronizedList(new ArrayList<>());
    final List<String> monitorCommands = Collections.synchronizedList(new ArrayList<>());
    final Deque<StopReason> script = new ArrayDeque<>();
    final AtomicInteger interrupts = new AtomicInteger();
    final AtomicInteger detaches = new AtomicInteger();
    volatile boolean blockRuns;
    volatile boolean reversible = true;
    volatile CountDownLatch runStarted = new CountDownLatch(1);
    private volatile boolean interruptRequested;
    private final Object lock = new Object();
    private int position;

    FakeTarget() {
        Arrays.fill(memory, 0, LENGTH, (byte) 0x90);                  // nops
        for (int i = 0; i < 4; i++) {
            put(DATA + 8L * i, 0x1111111111111111L * (i + 1));
        }
        for (int i = 0; i < 16; i++) {
            regs.gpr[i] = 0x100 + i;
        }
        regs.gpr[6] = 0x3f80;                                         // rbp
        regs.gpr[7] = 0x3f00;                                         // rsp
        regs.eflags = 0x46;
        regs.segments[0] = 0x10;
        regs.segments[1] = 0x18;
        regs.fctrl = 0x37f;
        regs.mxcsr = 0x1f80;
        regs.fsBase = 0x7f0000001000L;
        regs.gsBase = 0xffff888000000000L;
        regs.cr0 = 0x80050033L;
        regs.cr2 = 0xdead000;
        regs.cr3 = 0x1234000;
        regs.cr4 = 0x3606f0;
        regs.cr8 = 0;
        regs.efer = 0xd01;
    }

    /** The instruction at position p writes {@code value} (8 bytes) at {@code address}. */
    FakeTarget writeAt(int p, long address, long value) {
        writes.put(p, new long[] {address, value});
        return this;
    }

    int position() {
        synchronized (lock) {
            return position;
        }
    }

    void setPosition(int p) {
        synchronized (lock) {
            while (position < p) {
                execute();
            }
            while (position > p) {
                unexecute();
            }
        }
    }

    long readLong(long address) {
        long v = 0;
        for (int i = 7; i >= 0; i--) {
            v = (v << 8) | (memory[(int) (address - BASE) + i] & 0xff);
        }
        return v;
    }

    private void put(long address, long value) {
        for (int i = 0; i < 8; i++) {
            memory[(int) (address - BASE) + i] = (byte) (value >>> (8 * i));
        }
    }

    @Override
    public void readRegisters(X86Registers into) {
        synchronized (lock) {
            System.arraycopy(regs.gpr, 0, into.gpr, 0, 16);
            into.gpr[0] = position;                                   // rax: the position
            into.rip = CODE + position;
            into.eflags = regs.eflags;
            System.arraycopy(regs.segments, 0, into.segments, 0, 6);
            System.arraycopy(regs.st, 0, into.st, 0, regs.st.length);
            into.fctrl = regs.fctrl;
            into.fstat = regs.fstat;
            into.ftag = regs.ftag;
            into.fiseg = regs.fiseg;
            into.fioff = regs.fioff;
            into.foseg = regs.foseg;
            into.fooff = regs.fooff;
            into.fop = regs.fop;
            System.arraycopy(regs.xmm, 0, into.xmm, 0, regs.xmm.length);
            into.mxcsr = regs.mxcsr;
            into.fsBase = regs.fsBase;
            into.gsBase = regs.gsBase;
            into.cr0 = regs.cr0;
            into.cr2 = regs.cr2;
            into.cr3 = regs.cr3;
            into.cr4 = regs.cr4;
            into.cr8 = regs.cr8;
            into.efer = regs.efer;
        }
    }

    @Override
    public byte[] readMemory(long address, int length) {
        synchronized (lock) {
            if (address < BASE || address >= BASE + SIZE) {
                return new byte[0];
            }
            int from = (int) (address - BASE);
            return Arrays.copyOfRange(memory, from, (int) Math.min(SIZE, (long) from + length));
        }
    }

    @Override
    public String writeRefusal() {
        return REFUSAL;
    }

    @Override
    public boolean insertBreakpoint(BreakpointType type, long address, int length) {
        breakpoints.add(new Bp(type, address, length));
        return true;
    }

    @Override
    public boolean removeBreakpoint(BreakpointType type, long address, int length) {
        return breakpoints.remove(new Bp(type, address, length));
    }

    @Override
    public StopReason resume(ResumeMode mode) {
        resumes.add(mode);
        runStarted.countDown();
        try {
            synchronized (this) {
                if (!script.isEmpty()) {
                    return script.poll();
                }
            }
            boolean reverse = mode == ResumeMode.REVERSE_CONTINUE || mode == ResumeMode.REVERSE_STEP;
            if (blockRuns && (mode == ResumeMode.CONTINUE || mode == ResumeMode.REVERSE_CONTINUE)) {
                long deadline = System.nanoTime() + 60_000_000_000L;   // never hang a test forever
                while (!interruptRequested && System.nanoTime() < deadline) {
                    synchronized (this) {
                        try {
                            wait(10);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            break;
                        }
                    }
                }
                return StopReason.of(StopReason.Kind.INTERRUPTED);
            }
            synchronized (lock) {
                return switch (mode) {
                    case STEP -> step();
                    case CONTINUE -> forward();
                    case REVERSE_STEP -> reverseStep();
                    case REVERSE_CONTINUE -> backward();
                };
            }
        } finally {
            interruptRequested = false;          // an interrupt only ever ends the run it came for
        }
    }

    private StopReason step() {
        if (position == LENGTH) {
            return StopReason.of(StopReason.Kind.HISTORY_END);
        }
        StopReason watch = execute();
        return watch != null ? watch : StopReason.of(StopReason.Kind.STEP);
    }

    private StopReason forward() {
        while (true) {
            if (interruptRequested) {
                return StopReason.of(StopReason.Kind.INTERRUPTED);
            }
            if (position == LENGTH) {
                return StopReason.of(StopReason.Kind.HISTORY_END);
            }
            StopReason watch = execute();
            if (watch != null) {
                return watch;
            }
            StopReason bp = breakpointAt(CODE + position);
            if (bp != null) {
                return bp;
            }
        }
    }

    private StopReason reverseStep() {
        if (position == 0) {
            return StopReason.of(StopReason.Kind.HISTORY_BEGIN);
        }
        StopReason watch = unexecute();
        return watch != null ? watch : StopReason.of(StopReason.Kind.STEP);
    }

    private StopReason backward() {
        while (true) {
            if (interruptRequested) {
                return StopReason.of(StopReason.Kind.INTERRUPTED);
            }
            if (position == 0) {
                return StopReason.of(StopReason.Kind.HISTORY_BEGIN);
            }
            StopReason watch = unexecute();
            if (watch != null) {
                return watch;
            }
            StopReason bp = breakpointAt(CODE + position);
            if (bp != null) {
                return bp;
            }
        }
    }

    /** Runs the instruction at the current position; returns a watchpoint stop if it triggers one. */
    private StopReason execute() {
        long[] w = writes.get(position);
        StopReason hit = null;
        if (w != null) {
            undo.put(position, Arrays.copyOfRange(memory, (int) (w[0] - BASE), (int) (w[0] - BASE) + 8));
            put(w[0], w[1]);
            hit = watchHit(w[0]);
        }
        position++;
        return hit;
    }

    /** Undoes the previous instruction; a watched write stops with the machine before it. */
    private StopReason unexecute() {
        position--;
        long[] w = writes.get(position);
        if (w != null) {
            byte[] old = undo.remove(position);
            System.arraycopy(old, 0, memory, (int) (w[0] - BASE), 8);
            return watchHit(w[0]);
        }
        return null;
    }

    private StopReason watchHit(long address) {
        synchronized (breakpoints) {
            for (Bp b : breakpoints) {
                if ((b.type() == BreakpointType.WRITE_WATCH || b.type() == BreakpointType.ACCESS_WATCH)
                        && address < b.address() + b.length() && b.address() < address + 8) {
                    return StopReason.watchpoint(b.type(), Math.max(address, b.address()));
                }
            }
        }
        return null;
    }

    private StopReason breakpointAt(long rip) {
        synchronized (breakpoints) {
            for (Bp b : breakpoints) {
                if (b.address() == rip && b.type() == BreakpointType.SOFTWARE) {
                    return StopReason.of(StopReason.Kind.SOFTWARE_BREAKPOINT);
                }
                if (b.address() == rip && b.type() == BreakpointType.HARDWARE) {
                    return StopReason.of(StopReason.Kind.HARDWARE_BREAKPOINT);
                }
            }
        }
        return null;
    }

    @Override
    public void interrupt() {
        interrupts.incrementAndGet();
        interruptRequested = true;
        synchronized (this) {
            notifyAll();
        }
    }

    @Override
    public boolean canReverse() {
        return reversible;
    }

    @Override
    public String monitor(String command) {
        monitorCommands.add(command);
        switch (command) {
            case "help":
                return "LoRe fake target monitor commands:\n"
                        + "  help   this text\n"
                        + "  where  the current position\n";
            case "where":
                return "position " + position() + " of " + LENGTH;
            default:
                throw new IllegalArgumentException("unknown monitor command '" + command + "'; try 'monitor help'");
        }
    }

    @Override
    public void detach() {
        detaches.incrementAndGet();
    }
}
