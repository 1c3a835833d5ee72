package io.lore.machine;

import io.lore.kvm.Cpuid;
import io.lore.kvm.GuestMemory;
import io.lore.kvm.Kvm;
import io.lore.kvm.KvmVcpu;
import io.lore.kvm.KvmVm;
import io.lore.machine.boot.BootImage;
import io.lore.machine.boot.CpuSetup;
import io.lore.machine.boot.KernelLoader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * A single-vCPU KVM virtual machine with its guest loaded and ready to run: the KVM objects,
 * guest memory (slot 0, dirty logging on so checkpoints can be incremental) and the vCPU in
 * the boot protocol's entry state.
 */
public final class Machine implements AutoCloseable {
    private final MachineConfig config;
    private final Kvm kvm;
    private final KvmVm vm;
    private final GuestMemory memory;
    private final KvmVcpu vcpu;
    private final BootImage boot;
    private final Cpuid cpuid;

    private Machine(MachineConfig config, Kvm kvm, KvmVm vm, GuestMemory memory, KvmVcpu vcpu, BootImage boot,
            Cpuid cpuid) {
        this.config = config;
        this.kvm = kvm;
        this.vm = vm;
        this.memory = memory;
        this.vcpu = vcpu;
        this.boot = boot;
        this.cpuid = cpuid;
    }

    /** Reads the images named by {@code config}, creates the VM and loads the guest. */
    public static Machine boot(MachineConfig config) throws IOException {
        byte[] kernel = readImage(config.kernel(), "kernel");
        byte[] initrd = config.initrd() == null ? null : readImage(config.initrd(), "initrd");
        return boot(config, kernel, initrd);
    }

    /** Boots from images already in memory, with the CPUID LoRe presents on this host. */
    public static Machine boot(MachineConfig config, byte[] kernel, byte[] initrd) {
        return boot(config, kernel, initrd, null);
    }

    /**
     * Boots from images already in memory. {@code cpuid} is the CPU the guest sees; null means
     * this host's KVM-supported CPUID minus what LoRe hides ({@link GuestCpuid}). A replay
     * passes the recorded one, so the guest sees the same processor it saw when recorded.
     */
    public static Machine boot(MachineConfig config, byte[] kernel, byte[] initrd, Cpuid cpuid) {
        Kvm kvm = Kvm.open();
        KvmVm vm = null;
        GuestMemory memory = null;
        KvmVcpu vcpu = null;
        try {
            vm = kvm.createVm();
            memory = new GuestMemory((long) config.memoryMiB() << 20);
            vm.setMemoryRegion(0, 0, memory, true);
            vcpu = vm.createVcpu(0);
            Cpuid guestCpuid = cpuid != null ? cpuid : GuestCpuid.from(kvm.supportedCpuid());
            vcpu.setCpuid(guestCpuid);
            BootImage boot = KernelLoader.load(memory, config.kernel().getFileName().toString(), kernel, initrd,
                    config.cmdline());
            CpuSetup.apply(vcpu, boot);
            return new Machine(config, kvm, vm, memory, vcpu, boot, guestCpuid);
        } catch (RuntimeException e) {
            if (vcpu != null) vcpu.close();
            if (memory != null) memory.close();
            if (vm != null) vm.close();
            kvm.close();
            throw e;
        }
    }

    public static byte[] readImage(Path path, String what) throws IOException {
        try {
            return Files.readAllBytes(path);
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException(path.toString(), null, what + " image not found");
        }
    }

    public MachineConfig config() { return config; }
    public Kvm kvm() { return kvm; }
    public KvmVm vm() { return vm; }
    public GuestMemory memory() { return memory; }
    public KvmVcpu vcpu() { return vcpu; }
    public BootImage bootImage() { return boot; }
    public Cpuid cpuid() { return cpuid; }

    @Override
    public void close() {
        vcpu.close();
        vm.close();
        memory.close();
        kvm.close();
    }
}
