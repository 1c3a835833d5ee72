package io.lore.debugger;

import io.lore.kvm.GuestMemory;
import io.lore.kvm.KvmVcpu;
import io.lore.kvm.Regs;
import io.lore.kvm.Sregs;
import io.lore.machine.PageWalker;
import io.lore.replay.travel.Motion;
import io.lore.replay.travel.StopSet;
import io.lore.replay.travel.TimeTravel;
import io.lore.rsp.BreakpointType;
import io.lore.rsp.DebugTarget;
import io.lore.rsp.ResumeMode;
import io.lore.rsp.RspLog;
import io.lore.rsp.StopReason;
import io.lore.rsp.X86Registers;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.Map;

/**
 * A replay as GDB sees it: registers and memory of the replaying machine, breakpoints and
 * watchpoints, and execution both ways through the {@link TimeTravel} engine. Engine work runs
 * on the {@link EngineThread}; {@link #interrupt()} (Ctrl-C) comes from any thread.
 */
final class ReplayDebugTarget implements DebugTarget {
    private final EngineThread engine;
    private final TimeTravel travel;
    private final MonitorCommands monitor;
    private final Runnable moved;
    private final RspLog log;
    private final Map<Long, BreakpointType> breakpointTypes = new HashMap<>();
    private volatile boolean physical;

    ReplayDebugTarget(EngineThread engine, TimeTravel travel, MonitorCommands monitor, Runnable moved, RspLog log) {
        this.engine = engine;
        this.travel = travel;
        this.monitor = monitor;
        this.moved = moved;
        this.log = log;
    }

    /** Memory addresses are guest-physical instead of guest-virtual (`monitor physical on`). */
    void setPhysical(boolean on) {
        physical = on;
    }

    boolean physical() {
        return physical;
    }

    @Override
    public void readRegisters(X86Registers into) {
        engine.run(() -> fill(travel.cursor().machine().vcpu(), into));
    }

    static void fill(KvmVcpu vcpu, X86Registers into) {
        Regs r = vcpu.getRegs();
        int[] gdbOrder = {Regs.RAX, Regs.RBX, Regs.RCX, Regs.RDX, Regs.RSI, Regs.RDI, Regs.RBP, Regs.RSP};
        for (int i = 0; i < 8; i++) {
            into.gpr[i] = r.get(gdbOrder[i]);
        }
        for (int i = 8; i < 16; i++) {
            into.gpr[i] = r.get(i);
        }
        into.rip = r.rip();
        into.eflags = (int) (r.rflags() & ~((1L << 8) | (1L << 16))); // TF/RF belong to the debugger, not the guest
        Sregs s = vcpu.getSregs();
        into.segments[0] = s.cs.selector;
        into.segments[1] = s.ss.selector;
        into.segments[2] = s.ds.selector;
        into.segments[3] = s.es.selector;
        into.segments[4] = s.fs.selector;
        into.segments[5] = s.gs.selector;
        into.fsBase = s.fs.base;
        into.gsBase = s.gs.base;
        into.cr0 = s.cr0;
        into.cr2 = s.cr2;
        into.cr3 = s.cr3;
        into.cr4 = s.cr4;
        into.cr8 = s.cr8;
        into.efer = s.efer;
        // struct kvm_fpu: fpr[8][16], fcw, fsw, ftwx, pad, last_opcode, last_ip, last_dp, xmm[16][16], mxcsr
        ByteBuffer f = ByteBuffer.wrap(vcpu.getFpu()).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < 8; i++) {
            f.get(i * 16, into.st, i * 10, 10);
        }
        into.fctrl = f.getShort(128) & 0xffff;
        into.fstat = f.getShort(130) & 0xffff;
        int abridged = f.get(132) & 0xff;
        int tag = 0;
        for (int i = 0; i < 8; i++) {
            tag |= ((abridged >> i) & 1) == 1 ? 0 : 3 << (2 * i); // valid or empty: enough for GDB's display
        }
        into.ftag = tag;
        into.fop = f.getShort(134) & 0x7ff;
        long ip = f.getLong(136);
        long dp = f.getLong(144);
        into.fioff = (int) ip;
        into.fiseg = (int) (ip >>> 32) & 0xffff;
        into.fooff = (int) dp;
        into.foseg = (int) (dp >>> 32) & 0xffff;
        f.get(152, into.xmm, 0, 256);
        into.mxcsr = f.getInt(408);
    }

    @Override
    public byte[] readMemory(long address, int length) {
        return engine.call(() -> read(address, length));
    }

    private byte[] read(long address, int length) {
        GuestMemory mem = travel.cursor().machine().memory();
        if (physical) {
            long n = Math.max(0, Math.min(length, mem.size() - address));
            return address < 0 || n == 0 ? new byte[0] : mem.read(address, (int) n);
        }
        Sregs s = travel.cursor().machine().vcpu().getSregs();
        ByteBuffer out = ByteBuffer.allocate(length);
        long a = address;
        while (out.hasRemaining()) {
            int inPage = (int) Math.min(out.remaining(), 0x1000 - (a & 0xfff));
            byte[] b = PageWalker.readVirtual(mem, s, a, inPage);
            if (b == null) {
                break; // unmapped: GDB gets what was readable
            }
            out.put(b);
            a += inPage;
        }
        byte[] r = new byte[out.position()];
        out.flip().get(r);
        return r;
    }

    @Override
    public String writeRefusal() {
        return "a replay is read-only: changing registers or memory would leave the recorded run";
    }

    @Override
    public boolean insertBreakpoint(BreakpointType type, long address, int length) {
        return engine.call(() -> {
            if (!type.isWatchpoint()) {
                travel.addBreakpoint(address);
                breakpointTypes.put(address, type);
                return true;
            }
            String refusal = travel.watchRefusal(access(type), address, length);
            if (refusal != null) {
                throw new IllegalArgumentException(refusal); // an error reply that GDB shows
            }
            return travel.addWatchpoint(access(type), address, length);
        });
    }

    @Override
    public boolean removeBreakpoint(BreakpointType type, long address, int length) {
        return engine.call(() -> type.isWatchpoint() ? travel.removeWatchpoint(access(type), address, length)
                : travel.removeBreakpoint(address));
    }

    private static StopSet.Access access(BreakpointType t) {
        return switch (t) {
            case READ_WATCH -> StopSet.Access.READ;
            case ACCESS_WATCH -> StopSet.Access.ACCESS;
            default -> StopSet.Access.WRITE;
        };
    }

    private static BreakpointType type(StopSet.Access a) {
        return switch (a) {
            case READ -> BreakpointType.READ_WATCH;
            case ACCESS -> BreakpointType.ACCESS_WATCH;
            case WRITE -> BreakpointType.WRITE_WATCH;
        };
    }

    @Override
    public StopReason resume(ResumeMode mode) {
        Motion m = engine.call(() -> switch (mode) {
            case CONTINUE -> travel.continueForward();
            case STEP -> travel.stepForward();
            case REVERSE_CONTINUE -> travel.continueBackward();
            case REVERSE_STEP -> travel.stepBackward();
        });
        moved.run();
        return switch (m.kind()) {
            case STEP -> StopReason.of(StopReason.Kind.STEP);
            case BREAKPOINT -> StopReason.of(breakpointTypes.getOrDefault(m.address(), BreakpointType.HARDWARE)
                    == BreakpointType.SOFTWARE ? StopReason.Kind.SOFTWARE_BREAKPOINT : StopReason.Kind.HARDWARE_BREAKPOINT);
            case WATCHPOINT -> StopReason.watchpoint(type(m.watchpoint().access()), m.address());
            case BEGIN -> StopReason.of(StopReason.Kind.HISTORY_BEGIN);
            case END -> StopReason.of(StopReason.Kind.HISTORY_END);
            case INTERRUPTED -> StopReason.of(StopReason.Kind.INTERRUPTED);
            case DIVERGED -> {
                log.log("the replay left the recording: " + m.divergence().describe().replace('\n', ' '));
                monitor.diverged(m.divergence());
                yield StopReason.of(StopReason.Kind.INTERRUPTED);
            }
        };
    }

    @Override
    public void interrupt() {
        travel.interrupt();
    }

    @Override
    public boolean canReverse() {
        return true;
    }

    @Override
    public String monitor(String command) {
        return monitor.run(command);
    }

    @Override
    public void detach() {
        engine.run(travel::clearStops);
        breakpointTypes.clear();
    }
}
