package io.lore.machine.boot;

/**
 * Where the loaders put their structures in low guest memory. Everything lives below 1 MiB,
 * away from the kernel (loaded at 1 MiB or above) and in the e820 "RAM" area the kernel may
 * reclaim once it has read them.
 */
public final class BootLayout {
    private BootLayout() {}

    public static final long GDT = 0x500;
    public static final long PVH_START_INFO = 0x6000;
    public static final long PVH_MEMMAP = 0x6100;
    public static final long PVH_MODLIST = 0x6800;
    public static final long ZERO_PAGE = 0x7000;
    public static final long PML4 = 0x9000;
    public static final long PDPT = 0xa000;
    public static final long PD = 0xb000; // four page directories: identity map of 4 GiB
    public static final long CMDLINE = 0x20000;
    public static final int CMDLINE_MAX = 0x10000;
    public static final long HIGH_MEMORY = 0x100000;

    public static final int CODE32_SELECTOR = 0x08;
    public static final int CODE64_SELECTOR = 0x10;
    public static final int DATA_SELECTOR = 0x18;
    public static final int TSS_SELECTOR = 0x20;
}
