package io.lore.log;

/** One CPUID leaf as the guest saw it, kept in the header so replay presents the same CPU. */
public record CpuidEntry(int function, int index, int flags, int eax, int ebx, int ecx, int edx) {}
