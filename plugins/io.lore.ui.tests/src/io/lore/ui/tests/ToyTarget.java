package io.lore.ui.tests;

import io.lore.rsp.BreakpointType;
import io.lore.rsp.DebugTarget;
import io.lore.rsp.ResumeMode;
import io.lore.rsp.StopReason;
import io.lore.rsp.X86Registers;
import java.util.Arrays;

/**
 * A natively reverse-capable target small enough to reason about: a straight line of
 * {@code length} one-byte instructions (nop) from {@code base}; step and reverse step move the
 * PC by one, continue and reverse continue run to the ends of history. It counts what it was
 * asked to do, so a test can tell whether GDB's reverse commands reached the target.
 */
final class ToyTarget implements DebugTarget {
    static final long BASE = 0x100000;
    private final int length;
    private volatile int at;
    volatile int reverseSteps;
    volatile int reverseContinues;
    volatile int forwardSteps;

    ToyTarget(int length, int start) {
        this.length = length;
        this.at = start;
    }

    long pc() {
        return BASE + at;
    }

    @Override
    public void readRegisters(X86Registers into) {
        into.rip = pc();
        into.gpr[4] = 0x8000; // rsp
        into.eflags = 0x2;
        into.segments[1] = 0x10;
        into.cr0 = 0x80000011L;
        into.efer = 0x500;
    }

    @Override
    public byte[] readMemory(long address, int len) {
        byte[] b = new byte[Math.max(0, len)];
        Arrays.fill(b, (byte) 0x90);
        return b;
    }

    @Override
    public boolean insertBreakpoint(BreakpointType type, long address, int len) {
        return true;
    }

    @Override
    public boolean removeBreakpoint(BreakpointType type, long address, int len) {
        return true;
    }

    @Override
    public StopReason resume(ResumeMode mode) {
        switch (mode) {
            case STEP:
                forwardSteps++;
                if (at + 1 >= length) {
                    return StopReason.of(StopReason.Kind.HISTORY_END);
                }
                at++;
                return StopReason.of(StopReason.Kind.STEP);
            case REVERSE_STEP:
                reverseSteps++;
                if (at == 0) {
                    return StopReason.of(StopReason.Kind.HISTORY_BEGIN);
                }
                at--;
                return StopReason.of(StopReason.Kind.STEP);
            case REVERSE_CONTINUE:
                reverseContinues++;
                at = 0;
                return StopReason.of(StopReason.Kind.HISTORY_BEGIN);
            default:
                at = length - 1;
                return StopReason.of(StopReason.Kind.HISTORY_END);
        }
    }

    @Override
    public void interrupt() {
        // nothing runs long
    }

    @Override
    public boolean canReverse() {
        return true;
    }

    @Override
    public String monitor(String command) {
        if (command.trim().equals("when")) {
            return "instruction " + at + "\n";
        }
        throw new IllegalArgumentException("unknown monitor command: " + command);
    }
}
