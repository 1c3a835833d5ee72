package io.lore.replay.pmu;

import java.util.Set;

/**
 * Which hardware event counts retired conditional branches on this CPU, as a raw PMU config
 * for perf_event_open (PERF_TYPE_RAW: event select in bits 0-7 (AMD: plus 32-35), unit mask in
 * bits 8-15; the kernel adds the USR/OS/INT/EN bits itself from the exclude_* flags).
 *
 * <p>Why conditional branches: they retire deterministically, and unlike "all taken branches"
 * they exclude far transfers, so the interrupts LoRe injects and the VM entries and exits do
 * not move the count. The table is the one rr has validated in the field (src/PerfCounters.cc,
 * rr's "ticks"), including its skid sizes:
 * <ul>
 * <li>Intel Nehalem through Comet Lake: BR_INST_RETIRED.CONDITIONAL, event 0xC4 umask 0x01
 *     (config 0x01c4).
 * <li>Intel Ice Lake and later big cores: umask 0x01 there is COND_TAKEN (taken only), so
 *     BR_INST_RETIRED.COND is event 0xC4 umask 0x11 (config 0x11c4).
 * <li>Intel Atom cores (Silvermont, Goldmont, Tremont): BR_INST_RETIRED.JCC, event 0xC4 umask
 *     0x7E (config 0x7ec4).
 * <li>AMD Zen 1 to Zen 5 (families 17h, 19h, 1Ah): Ex_Ret_Cond, PMCx0D1 (config 0xd1); it is in
 *     Linux's amdzen1..amdzen5 event lists, not only from Zen 2 on. rr reports Zen skid as up to
 *     10000 branches and occasionally more ("unbounded"), hence {@link #skidUnbounded()}.
 * <li>Not supported: AMD family 15h and older have no conditional-branch event, only PMCx0C4
 *     "retired taken branches", which also counts far control transfers (our own injected
 *     interrupts, exceptions) and unconditional jumps, and would need a second counter to
 *     subtract them as rr does; Intel Core 2 and older; CPUs not in the table (an unknown model
 *     could have a different umask, and a wrong event would record garbage silently).
 * </ul>
 *
 * @param name the vendor's event name
 * @param cpus the CPUs this choice is for
 * @param config the raw config (PERF_TYPE_RAW)
 * @param maxSkid how many branches late an overflow may be observed (rr's skid size)
 * @param skidUnbounded true when {@code maxSkid} is known to be exceeded occasionally, so a seek
 *        that overshoots after an overflow is a retry, not a divergence
 */
public record BranchEvent(String name, String cpus, long config, long maxSkid, boolean skidUnbounded) {
    /**
     * Some kernels raise tiny sampling periods to a minimum (rr measures 32 on affected Intel
     * parts), which delays the overflow like extra skid; the margin absorbs it.
     */
    public static final long MIN_PERIOD_SLACK = 32;

    public BranchEvent {
        if (maxSkid < 0) {
            throw new IllegalArgumentException("maxSkid must be >= 0: " + maxSkid);
        }
    }

    public int type() {
        return PerfEventAttr.PERF_TYPE_RAW;
    }

    /** Branches before the target at which to overflow; greater than {@link #maxSkid()} by construction. */
    public long margin() {
        return maxSkid + MIN_PERIOD_SLACK;
    }

    /** "raw 0xd1 (Ex_Ret_Cond, AMD Zen)". */
    public String describe() {
        return String.format("raw %#x (%s, %s)", config, name, cpus);
    }

    /** The event for {@code cpu}, or the reason there is none. */
    public record Selection(BranchEvent event, String reason) {
        public boolean supported() {
            return event != null;
        }
    }

    static final BranchEvent INTEL_CONDITIONAL = new BranchEvent("BR_INST_RETIRED.CONDITIONAL",
            "Intel Nehalem to Comet Lake", 0x01c4, 100, false);
    static final BranchEvent INTEL_COND = new BranchEvent("BR_INST_RETIRED.COND",
            "Intel Ice Lake to Rocket Lake", 0x11c4, 100, false);
    static final BranchEvent INTEL_COND_GOLDEN_COVE = new BranchEvent("BR_INST_RETIRED.COND",
            "Intel Sapphire Rapids, Alder Lake and later", 0x11c4, 125, false);
    static final BranchEvent INTEL_ATOM_JCC = new BranchEvent("BR_INST_RETIRED.JCC",
            "Intel Silvermont, Goldmont, Tremont", 0x7ec4, 100, false);
    static final BranchEvent AMD_ZEN = new BranchEvent("Ex_Ret_Cond", "AMD Zen", 0xd1, 10000, true);

    // Family 6 display models, as rr classifies them.
    private static final Set<Integer> INTEL_CONDITIONAL_MODELS = Set.of(
            0x1a, 0x1e, 0x2e, // Nehalem
            0x25, 0x2c, 0x2f, // Westmere
            0x2a, 0x2d, 0x3e, // Sandy Bridge (and Ivy Bridge-EP)
            0x3a, // Ivy Bridge
            0x3c, 0x3f, 0x45, 0x46, // Haswell
            0x3d, 0x47, 0x4f, 0x56, // Broadwell
            0x4e, 0x55, 0x5e, // Skylake
            0x8e, 0x9e, // Kaby Lake, Coffee Lake
            0xa5, 0xa6); // Comet Lake
    private static final Set<Integer> INTEL_COND_MODELS = Set.of(
            0x7e, 0x6a, // Ice Lake (0x86 is classed as Ice Lake by rr but is the Tremont-based Snow Ridge: left out)
            0x8c, 0x8d, // Tiger Lake
            0xa7); // Rocket Lake
    private static final Set<Integer> INTEL_GOLDEN_COVE_MODELS = Set.of(
            0x8f, 0xcf, // Sapphire Rapids, Emerald Rapids
            0x97, 0x9a, // Alder Lake (hybrid: PmuSupport rejects it while E-cores are online)
            0xb7, 0xba, 0xbf, // Raptor Lake (hybrid)
            0xaa); // Meteor Lake (hybrid)
    private static final Set<Integer> INTEL_ATOM_MODELS = Set.of(
            0x37, 0x4c, 0x57, // Silvermont, Airmont, Knights Landing
            0x5c, 0x5f, 0x7a, // Goldmont, Goldmont Plus
            0x9c); // Tremont

    public static Selection select(CpuModel cpu) {
        if (CpuModel.INTEL.equals(cpu.vendor())) {
            if (cpu.family() != 6) {
                return none(cpu, "only Intel family 6 cores are in the event table");
            }
            int m = cpu.model();
            if (INTEL_CONDITIONAL_MODELS.contains(m)) {
                return new Selection(INTEL_CONDITIONAL, null);
            }
            if (INTEL_COND_MODELS.contains(m)) {
                return new Selection(INTEL_COND, null);
            }
            if (INTEL_GOLDEN_COVE_MODELS.contains(m)) {
                return new Selection(INTEL_COND_GOLDEN_COVE, null);
            }
            if (INTEL_ATOM_MODELS.contains(m)) {
                return new Selection(INTEL_ATOM_JCC, null);
            }
            return none(cpu, "this Intel model is not in the event table (the conditional-branch umask differs "
                    + "between generations, so an unknown model is not guessed)");
        }
        if (CpuModel.AMD.equals(cpu.vendor())) {
            int f = cpu.family();
            if (f == 0x17 || f == 0x19 || f == 0x1a) {
                return new Selection(AMD_ZEN, null);
            }
            if (f < 0x17) {
                return none(cpu, "pre-Zen AMD has no retired-conditional-branch event (PMCx0C4 counts taken "
                        + "branches including far transfers such as injected interrupts)");
            }
            return none(cpu, "this AMD family is newer than the event table (Zen 1 to Zen 5)");
        }
        return none(cpu, "unknown CPU vendor");
    }

    private static Selection none(CpuModel cpu, String why) {
        return new Selection(null, "no guest conditional-branch event for " + cpu + ": " + why);
    }
}
