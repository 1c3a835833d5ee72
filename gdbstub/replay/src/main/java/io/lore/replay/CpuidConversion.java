package io.lore.replay;

import io.lore.kvm.Cpuid;
import io.lore.log.CpuidEntry;
import java.util.ArrayList;
import java.util.List;

/** Between the KVM CPUID table and the recording header's copy of it. */
final class CpuidConversion {
    private CpuidConversion() {}

    static List<CpuidEntry> toHeader(Cpuid c) {
        List<CpuidEntry> out = new ArrayList<>();
        for (Cpuid.Entry e : c.entries()) {
            out.add(new CpuidEntry(e.function, e.index, e.flags, e.eax, e.ebx, e.ecx, e.edx));
        }
        return out;
    }

    static Cpuid fromHeader(List<CpuidEntry> entries) {
        List<Cpuid.Entry> out = new ArrayList<>();
        for (CpuidEntry e : entries) {
            out.add(new Cpuid.Entry(e.function(), e.index(), e.flags(), e.eax(), e.ebx(), e.ecx(), e.edx()));
        }
        return new Cpuid(out);
    }
}
