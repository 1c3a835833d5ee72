package io.lore.replay.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lore.kvm.ExitReason;
import io.lore.kvm.KvmVcpu;
import io.lore.kvm.Regs;
import io.lore.kvm.RunArea;
import io.lore.kvm.Sregs;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** vCPU state capture and restore on the real /dev/kvm. */
@Timeout(120)
class VcpuStateTest {

    @Test
    void restoreBringsBackEveryPart() throws Exception {
        try (TestGuest g = TestGuest.boot("exits.elf", "n=5000", 32)) {
            VcpuStateSupport support = g.support;
            System.out.println("[checkpoint] vCPU state on this KVM: " + support);
            g.runTo(500, null);
            VcpuState s1 = VcpuState.capture(g.vcpu(), support);
            System.out.printf("[checkpoint] vCPU state: %d bytes held (XSAVE area %s bytes, stored without its trailing"
                    + " zeros)%n", s1.sizeBytes(), s1.xsave() == null ? "-" : s1.xsave().length);
            g.runTo(3000, null);
            VcpuState s2 = VcpuState.capture(g.vcpu(), support);
            assertFalse(s1.differences(s2, VcpuStateSupport.MSR_IA32_TSC).isEmpty(), "the guest moved on");
            long t0 = System.nanoTime();
            s1.restore(g.vcpu());
            long restoreNanos = System.nanoTime() - t0;
            t0 = System.nanoTime();
            VcpuState s3 = VcpuState.capture(g.vcpu(), support);
            long captureNanos = System.nanoTime() - t0;
            TestGuest.assertVcpuMatches(s1, s3, "after restore");
            System.out.printf("[checkpoint] vCPU capture %.1f us, restore %.1f us%n", captureNanos / 1e3, restoreNanos / 1e3);
            if (contains(support.msrs(), VcpuStateSupport.MSR_IA32_TSC)) {
                System.out.printf("[checkpoint] TSC: saved %d, before restore %d, after restore %d (%s)%n",
                        s1.msr(0x10), s2.msr(0x10), s3.msr(0x10),
                        s3.msr(0x10) < s2.msr(0x10) ? "went back" : "KVM kept its own offset");
            }
        }
    }

    /** An IN exit is finished by the next KVM_RUN: capture must finish it first, so RIP is past the IN. */
    @Test
    void captureCompletesAPendingIn() throws Exception {
        try (TestGuest g = TestGuest.boot("exits.elf", "n=100", 32)) {
            KvmVcpu v = g.vcpu();
            long rip = runToIn(v, 0x60);
            byte opcode = g.memory().readByte(rip);
            assertEquals((byte) 0xec, opcode, "the guest polls the UART with in (%dx),%al");
            assertEquals(rip, v.getRegs().rip(), "KVM has not finished the IN yet");
            VcpuState s = VcpuState.capture(v, g.support);
            assertEquals(rip + 1, s.regs().rip(), "captured after the IN");
            assertEquals(0x60, s.regs().get(Regs.RAX) & 0xff, "with the data the run loop supplied");
            System.out.println("[checkpoint] kvm_run.exit_reason after an immediate-exit KVM_RUN: "
                    + ExitReason.name(v.runArea().exitReason()));
        }
    }

    /**
     * Restoring while an IN is pending must not let KVM finish that stale IN over the restored
     * registers: the guest must go on exactly as it did from the saved state.
     */
    @Test
    void restoreOverAPendingInIsExact() throws Exception {
        try (TestGuest g = TestGuest.boot("exits.elf", "n=1000", 32)) {
            KvmVcpu v = g.vcpu();
            // stop at an IN that the guest executes repeatedly (the UART status poll)
            long previous = runToIn(v, 0x60);
            long rip;
            while ((rip = runToIn(v, 0x60)) != previous) {
                previous = rip;
            }
            VcpuState s = VcpuState.capture(v, g.support);
            byte[] ram = g.memory().read(0, (int) g.memory().size()); // the guest's stack matters too
            List<String> first = nextExits(v, 40);
            while (runToIn(v, 0x20) != rip) {
                // now an IN is pending at the same instruction, which KVM would finish at the next entry
            }
            g.memory().write(0, ram);
            s.restore(v);
            TestGuest.assertVcpuMatches(s, VcpuState.capture(v, g.support), "after restore over a pending IN");
            assertEquals(first, nextExits(v, 40), "same exits after the restore");
        }
    }

    /**
     * KVM copies kvm_run.cr8 into CR8 at every entry (user-space irqchip): a restored CR8 must be
     * put there too, or the next KVM_RUN undoes it.
     */
    @Test
    void cr8SurvivesTheNextEntry() throws Exception {
        try (TestGuest g = TestGuest.boot("exits.elf", "n=100", 32)) {
            KvmVcpu v = g.vcpu();
            g.runTo(20, null);
            VcpuState zero = VcpuState.capture(v, g.support);
            assertEquals(0, zero.sregs().cr8);

            Sregs s = v.getSregs();
            s.cr8 = 5;
            v.setSregs(s);
            VcpuState.completePendingExit(v); // an entry that runs no guest code
            long afterEntry = v.getSregs().cr8;
            System.out.println("[checkpoint] CR8 set to 5 with KVM_SET_SREGS alone reads " + afterEntry
                    + " after the next KVM_RUN");

            s.cr8 = 3;
            v.setSregs(s);
            v.runArea().cr8(3);
            VcpuState three = VcpuState.capture(v, g.support);
            assertEquals(3, three.sregs().cr8);
            zero.restore(v);
            assertEquals(0, VcpuState.capture(v, g.support).sregs().cr8);
            three.restore(v);
            VcpuState.completePendingExit(v);
            assertEquals(3, v.getSregs().cr8, "restored CR8 survives an entry");
            zero.restore(v);
        }
    }

    @Test
    void supportIsProbedOnce() throws Exception {
        try (TestGuest g = TestGuest.boot("hello.elf", "", 32)) {
            VcpuStateSupport s = g.support;
            assertNotNull(s.msrs());
            assertTrue(s.msrs().length > 0, "KVM accepts some of the MSRs: " + s);
            VcpuState state = VcpuState.capture(g.vcpu(), s);
            assertEquals(s.xsave(), state.xsave() != null);
            assertEquals(!s.xsave(), state.fpu() != null);
        }
    }

    /** Runs until an IN exit, leaves {@code data} for it in the run area, returns the IN's RIP (still pending). */
    static long runToIn(KvmVcpu v, int data) {
        for (int i = 0; i < 100_000; i++) {
            int r = v.run();
            if (r == ExitReason.IO && v.runArea().ioDirection() == RunArea.IO_IN) {
                v.runArea().ioData(0, data);
                return v.getRegs().rip();
            }
            if (r != ExitReason.IO) {
                throw new AssertionError("unexpected exit " + ExitReason.name(r));
            }
        }
        throw new AssertionError("no IN exit");
    }

    /** The next {@code n} exits (answering INs with 0x60: LSR says the transmitter is empty). */
    static List<String> nextExits(KvmVcpu v, int n) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int r = v.run();
            RunArea run = v.runArea();
            boolean in = r == ExitReason.IO && run.ioDirection() == RunArea.IO_IN;
            out.add(ExitReason.name(r) + (r == ExitReason.IO ? String.format(" %s port %x data %x", in ? "in" : "out",
                    run.ioPort(), in ? 0 : run.ioData(0)) : "") + String.format(" rip %x", v.getRegs().rip()));
            if (in) {
                run.ioData(0, 0x60);
            }
        }
        return out;
    }

    private static boolean contains(int[] a, int v) {
        for (int x : a) {
            if (x == v) {
                return true;
            }
        }
        return false;
    }
}
