package io.lore.machine;

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

    private Machine(MachineConfig config, Kvm kvm, KvmVm vm, GuestMemory memory, KvmVcpu vcpu, BootImage boot) {
        this.config = config;
        this.kvm = kvm;
        this.vm = vm;
        this.memory = memory;
        this.vcpu = vcpu;
        this.boot = boot;
    }

    /** Reads the images named by {@code config}, creates the VM and loads the guest. */
    public static Machine boot(MachineConfig config) throws IOException {
        byte[] kernel = readImage(config.kernel(), "kernel");
        byte[] initrd = config.initrd() == null ? null : readImage(config.initrd(), "initrd");
        return boot(config, kernel, initrd);
    }

    /** Boots from images already in memory (a recording carries its own). */
    public static Machine boot(MachineConfig config, byte[] kernel, byte[] initrd) {
        Kvm kvm = Kvm.open();
        KvmVm vm = null;
        GuestMemory memory = null;
        KvmVcpu vcpu = null;
        try {
            vm = kvm.createVm();
            memory = new GuestMemory((long) config.memoryMiB() << 20);
            vm.setMemoryRegion(0, 0, memory, true);
            vcpu = vm.createVcpu(0);
            vcpu.setCpuid(GuestCpuid.from(kvm.supportedCpuid()));
            BootImage boot = KernelLoader.load(memory, config.kernel().getFileName().toString(), kernel, initrd,
                    config.cmdline());
            CpuSetup.apply(vcpu, boot);
            return new Machine(config, kvm, vm, memory, vcpu, boot);
        } catch (RuntimeException e) {
            if (vcpu != null) vcpu.close();
            if (memory != null) memory.close();
            if (vm != null) vm.close();
            kvm.close();
            throw e;
        }
    }

    static byte[] readImage(Path path, String what) throws IOException {
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

    @Override
    public void close() {
        vcpu.close();
        vm.close();
        memory.close();
        kvm.close();
    }
}
