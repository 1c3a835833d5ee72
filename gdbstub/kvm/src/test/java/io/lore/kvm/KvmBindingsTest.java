package io.lore.kvm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The JNA bindings against the real /dev/kvm, with tiny real-mode programs. */
class KvmBindingsTest {
    private Kvm kvm;
    private KvmVm vm;
    private GuestMemory mem;
    private KvmVcpu vcpu;

    @BeforeEach
    void setUp() {
        kvm = Kvm.open();
        vm = kvm.createVm();
        mem = new GuestMemory(1 << 20);
        vm.setMemoryRegion(0, 0, mem, true);
        vcpu = vm.createVcpu(0);
    }

    @AfterEach
    void tearDown() {
        vcpu.close();
        vm.close();
        mem.close();
        kvm.close();
    }

    /** Real mode, CS base 0, executing {@code code} at {@code at}. */
    private void startRealMode(long at, byte... code) {
        mem.write(at, code);
        Sregs s = vcpu.getSregs();
        s.cs.base = 0;
        s.cs.selector = 0;
        vcpu.setSregs(s);
        Regs r = new Regs();
        r.rip(at);
        r.rflags(2);
        vcpu.setRegs(r);
    }

    private static byte[] bytes(int... v) {
        byte[] b = new byte[v.length];
        for (int i = 0; i < v.length; i++) {
            b[i] = (byte) v[i];
        }
        return b;
    }

    @Test
    void pioOutAndInExitsCarryPortSizeAndData() {
        // mov al,0x42; out 0x10,al; in al,0x11; mov bl,al; hlt
        startRealMode(0x1000, bytes(0xb0, 0x42, 0xe6, 0x10, 0xe4, 0x11, 0x88, 0xc3, 0xf4));
        RunArea run = vcpu.runArea();
        assertEquals(ExitReason.IO, vcpu.run());
        assertEquals(RunArea.IO_OUT, run.ioDirection());
        assertEquals(0x10, run.ioPort());
        assertEquals(1, run.ioSize());
        assertEquals(0x42, run.ioData(0));

        assertEquals(ExitReason.IO, vcpu.run());
        assertEquals(RunArea.IO_IN, run.ioDirection());
        assertEquals(0x11, run.ioPort());
        run.ioData(0, 0x5a);

        assertEquals(ExitReason.HLT, vcpu.run());
        assertEquals(0x5a, vcpu.getRegs().get(Regs.RBX) & 0xff);
        assertEquals(0x1009, vcpu.getRegs().rip());
    }

    @Test
    void registersRoundTrip() {
        startRealMode(0x1000, bytes(0xf4));
        Regs r = vcpu.getRegs();
        for (int i = 0; i < 16; i++) {
            r.set(i, 0x1111_0000_0000L * (i + 1) + i);
        }
        vcpu.setRegs(r);
        assertEquals(r, vcpu.getRegs());

        Sregs s = vcpu.getSregs();
        s.ds.base = 0x12340;
        s.ds.selector = 0x1234;
        vcpu.setSregs(s);
        assertEquals(0x12340, vcpu.getSregs().ds.base);
        assertEquals(0x1234, vcpu.getSregs().ds.selector);
    }

    @Test
    void opaqueStateBlobsRoundTrip() {
        startRealMode(0x1000, bytes(0xf4));
        byte[] xsave = vcpu.getXsave();
        assertEquals(4096, xsave.length);
        vcpu.setXsave(xsave);
        assertArrayEquals(xsave, vcpu.getXsave());
        byte[] events = vcpu.getVcpuEvents();
        vcpu.setVcpuEvents(events);
        byte[] dregs = vcpu.getDebugRegs();
        vcpu.setDebugRegs(dregs);
        assertArrayEquals(dregs, vcpu.getDebugRegs());
        assertEquals(416, vcpu.getFpu().length);
        assertThrows(IllegalArgumentException.class, () -> vcpu.setXsave(new byte[10]));
    }

    @Test
    void msrsRoundTrip() {
        int sysenterCs = 0x174;
        vcpu.setMsrs(new int[] {sysenterCs}, new long[] {0x10});
        assertEquals(0x10, vcpu.getMsrs(new int[] {sysenterCs})[0]);
    }

    @Test
    void kickInterruptsAGuestThatNeverExits() throws Exception {
        startRealMode(0x2000, bytes(0xeb, 0xfe)); // jmp $
        CompletableFuture<Integer> reason = CompletableFuture.supplyAsync(() -> {
            vcpu.bindToCurrentThread();
            return vcpu.run();
        });
        Thread.sleep(100);
        assertFalse(reason.isDone(), "a spinning guest must not exit by itself");
        vcpu.kick();
        assertEquals(ExitReason.INTR, reason.get(5, TimeUnit.SECONDS));
    }

    @Test
    void kickBeforeRunIsNotLost() throws Exception {
        startRealMode(0x2000, bytes(0xeb, 0xfe));
        int reason = CompletableFuture.supplyAsync(() -> {
            vcpu.bindToCurrentThread();
            vcpu.kick(); // arrives while we are outside KVM_RUN
            int first = vcpu.run();
            return first;
        }).get(5, TimeUnit.SECONDS);
        assertEquals(ExitReason.INTR, reason);
    }

    @Test
    void aKickWhoseSignalTheJvmUnblockedNeitherKillsNorIsLost() throws Exception {
        startRealMode(0x2000, bytes(0xeb, 0xfe));
        assertTrue(KickSignalHandler.currentHandler() != 0, "the kick signal has a handler, not its default action");
        int reason = CompletableFuture.supplyAsync(() -> {
            vcpu.bindToCurrentThread();
            // what HotSpot does to a thread after handling a SIGSEGV in it: the kick signal is unblocked
            com.sun.jna.Memory set = new com.sun.jna.Memory(128);
            set.clear();
            set.setLong(0, Kick.bit());
            LibC.pthread_sigmask(1 /* SIG_UNBLOCK */, set, null);
            vcpu.kick(); // delivered to the handler at once, outside KVM_RUN
            return vcpu.run();
        }).get(5, TimeUnit.SECONDS);
        assertEquals(ExitReason.INTR, reason, "the spinning guest was still kicked out");
    }

    @Test
    void singleStepExitsAfterEachInstruction() {
        // nop; nop; hlt
        startRealMode(0x1000, bytes(0x90, 0x90, 0xf4));
        vcpu.setGuestDebug(KvmVcpu.GUESTDBG_ENABLE | KvmVcpu.GUESTDBG_SINGLESTEP, null);
        assertEquals(ExitReason.DEBUG, vcpu.run());
        assertEquals(0x1001, vcpu.getRegs().rip());
        assertEquals(ExitReason.DEBUG, vcpu.run());
        assertEquals(0x1002, vcpu.getRegs().rip());
    }

    @Test
    void registersKvmRunStoresAreTheOnesKvmGetRegsReturns() {
        // mov ax,0x1234; mov bx,0x5678; out 0x10,al; inc cx; hlt — single-stepped, then an exit
        startRealMode(0x1000, bytes(0xb8, 0x34, 0x12, 0xbb, 0x78, 0x56, 0xe6, 0x10, 0x41, 0xf4));
        vcpu.syncRegs(true);
        vcpu.setGuestDebug(KvmVcpu.GUESTDBG_ENABLE | KvmVcpu.GUESTDBG_SINGLESTEP, null);
        for (long rip : new long[] {0x1003, 0x1006, 0x1008, 0x1009}) {
            int reason = vcpu.run();
            Regs stored = vcpu.getRegs(); // from the run area
            vcpu.forgetRegisters(); // the next getRegs asks KVM
            assertEquals(vcpu.getRegs(), stored, "registers after the exit to 0x" + Long.toHexString(rip));
            assertEquals(rip, stored.rip(), "exit " + ExitReason.name(reason));
        }
        // what the host sets is what it reads back, not the stale stored copy
        vcpu.setGuestDebug(0, null);
        assertEquals(ExitReason.HLT, vcpu.run());
        Regs r = vcpu.getRegs();
        r.set(Regs.RDX, 0x77);
        vcpu.setRegs(r);
        assertEquals(0x77, vcpu.getRegs().get(Regs.RDX));
        assertEquals(0x1234, vcpu.getRegs().get(Regs.RAX));
        assertEquals(1, vcpu.getRegs().get(Regs.RCX));
    }

    @Test
    void specialRegistersKvmRunStoresAreTheOnesKvmGetSregsReturns() {
        // mov ax,0x2345; mov ds,ax; hlt — single-stepped
        startRealMode(0x1000, bytes(0xb8, 0x45, 0x23, 0x8e, 0xd8, 0xf4));
        vcpu.syncRegs(true);
        vcpu.setGuestDebug(KvmVcpu.GUESTDBG_ENABLE | KvmVcpu.GUESTDBG_SINGLESTEP, null);
        vcpu.run();
        assertEquals(ExitReason.DEBUG, vcpu.run());
        Sregs stored = vcpu.getSregs(); // from the run area
        assertEquals(0x2345, stored.ds.selector, "DS as the run area has it");
        assertEquals(0x23450, stored.ds.base);
        vcpu.forgetRegisters(); // the next getSregs asks KVM
        Sregs asked = vcpu.getSregs();
        assertEquals(asked.toString(), stored.toString());
        assertEquals(asked.ds.toString(), stored.ds.toString());
        assertEquals(asked.apicBase, stored.apicBase);
        // what the host sets is what it reads back, not the stale stored copy
        asked.ds.selector = 0x10;
        asked.ds.base = 0x100;
        vcpu.setSregs(asked);
        assertEquals(0x10, vcpu.getSregs().ds.selector);
        // a read leaves what was read current; what changes state does not
        vcpu.getFpu();
        assertEquals(0x10, vcpu.getSregs().ds.selector);
        vcpu.interrupt(0x21);
        assertTrue(vcpu.getSregs().interruptBitmap[0] != 0, "KVM_INTERRUPT shows in the special registers");
    }

    @Test
    void dirtyLogReportsWrittenPages() {
        // mov byte [0x3000], al ; hlt   (a2 00 30 in 16-bit: mov [moffs16], al)
        startRealMode(0x1000, bytes(0xa2, 0x00, 0x30, 0xf4));
        vm.getDirtyLog(0, mem.size()); // clear what setup wrote
        assertEquals(ExitReason.HLT, vcpu.run());
        long[] dirty = vm.getDirtyLog(0, mem.size());
        assertTrue((dirty[0] & (1L << 3)) != 0, "page 3 was written");
        assertEquals(0, dirty[0] & (1L << 5), "page 5 was not");
    }

    @Test
    void supportedCpuidHasTheBasicLeaves() {
        Cpuid c = kvm.supportedCpuid();
        assertFalse(c.find(0).isEmpty());
        assertFalse(c.find(1).isEmpty());
        vcpu.setCpuid(c);
    }

    @Test
    void guestMemoryBoundsAreChecked() {
        assertThrows(IndexOutOfBoundsException.class, () -> mem.writeInt(mem.size() - 2, 1));
        assertThrows(IndexOutOfBoundsException.class, () -> mem.read(-1, 4));
        assertThrows(IllegalArgumentException.class, () -> new GuestMemory(1000));
    }
}
