package io.lore.kmod;

/**
 * Kernel-assisted capture for one VM, the way LoRe's recorder and replayer use it: attach
 * lore.ko to the VM, start capturing (record or replay mode) with RDTSC interception when
 * the CPU allows it, and hand out the two rings. {@link #attach} never throws: without a
 * usable /dev/lore it says why and LoRe captures in user space.
 */
public final class KernelCapture implements AutoCloseable {
    /** Ring sizes: 2 MiB each, room for tens of thousands of RDTSCs between two exits. */
    public static final int EVENT_RECORDS = 1 << 16;
    public static final int FEED_RECORDS = 1 << 16;

    /** A capture, or null with the reason there is none. */
    public record Attempt(KernelCapture capture, String note) {}

    private final LoreDevice device;
    private final AbiVersion version;
    private final boolean tsc;
    private final SharedRingReader events;
    private final SharedRingWriter feed;

    private KernelCapture(LoreDevice device, AbiVersion version, boolean tsc) {
        this.device = device;
        this.version = version;
        this.tsc = tsc;
        this.events = device.events();
        this.feed = device.feed();
    }

    /** Attaches to the VM behind {@code vmFd} (of this process) in {@code mode} (LoreAbi.MODE_*). */
    public static Attempt attach(int vmFd, int mode) {
        if (!LoreDevice.present()) {
            return new Attempt(null, LoreAbi.DEVICE + " is not present (lore.ko is not loaded)");
        }
        LoreDevice d = null;
        try {
            d = LoreDevice.open();
            AbiVersion v = d.version();
            v.check();
            if (!v.can(LoreAbi.CAP_TRACE)) {
                throw new KmodException("lore.ko found no KVM tracepoints on this kernel");
            }
            d.attach(vmFd, EVENT_RECORDS, FEED_RECORDS);
            boolean tsc = v.can(LoreAbi.CAP_TSC);
            d.start(mode, tsc ? LoreAbi.CAPTURE_TSC : 0);
            KernelCapture c = new KernelCapture(d, v, tsc);
            return new Attempt(c, "lore.ko ABI " + v.abi() + ", " + (tsc ? "RDTSC intercepted"
                    : "RDTSC not intercepted (lore.ko intercepts it on AMD SVM hosts only)"));
        } catch (KmodException e) {
            if (d != null) {
                d.close();
            }
            return new Attempt(null, e.getMessage());
        }
    }

    public AbiVersion version() {
        return version;
    }

    public boolean interceptsTsc() {
        return tsc;
    }

    public SharedRingReader events() {
        return events;
    }

    public SharedRingWriter feed() {
        return feed;
    }

    public KernelStats stats() {
        return device.stats();
    }

    public LoreDevice device() {
        return device;
    }

    /** Detaches (the module takes its RDTSC intercept out of the VM) and closes the device. */
    @Override
    public void close() {
        device.close();
    }
}
