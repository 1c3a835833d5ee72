package io.lore.log;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * What a replay needs besides the events: the machine configuration and the CPU the guest
 * saw, plus how the recording was made (how asynchronous events are positioned, how they
 * were captured, which codec the chunks use).
 */
public record RecordingHeader(
        String producer,
        long createdEpochMillis,
        int memoryMiB,
        String cmdline,
        String kernelName,
        String initrdName,
        String positioning,
        String capture,
        Codec codec,
        String host,
        List<CpuidEntry> cpuid) {

    /** Asynchronous events located by full-state signature (no PMU needed). */
    public static final String POSITIONING_STATE_SIGNATURE = "state-signature";
    /** Asynchronous events located by a guest retired-branch counter (hosts with a PMU). */
    public static final String POSITIONING_BRANCH_COUNTER = "branch-counter";
    public static final String CAPTURE_USER_SPACE = "user-space";
    public static final String CAPTURE_KERNEL = "kernel-assisted";

    public RecordingHeader {
        cpuid = List.copyOf(cpuid);
        initrdName = initrdName == null ? "" : initrdName;
    }

    byte[] encode() {
        ByteSink s = new ByteSink(1024);
        str(s, producer);
        s.u64(createdEpochMillis).u32(memoryMiB);
        str(s, cmdline);
        str(s, kernelName);
        str(s, initrdName);
        str(s, positioning);
        str(s, capture);
        s.u8(codec.code);
        str(s, host);
        s.u32(cpuid.size());
        for (CpuidEntry e : cpuid) {
            s.u32(e.function()).u32(e.index()).u32(e.flags()).u32(e.eax()).u32(e.ebx()).u32(e.ecx()).u32(e.edx());
        }
        return s.toByteArray();
    }

    static RecordingHeader decode(ByteBuffer b) {
        try {
            String producer = str(b);
            long created = b.getLong();
            int mem = b.getInt();
            String cmdline = str(b);
            String kernel = str(b);
            String initrd = str(b);
            String positioning = str(b);
            String capture = str(b);
            Codec codec = Codec.ofCode(b.get() & 0xff);
            String host = str(b);
            int n = b.getInt();
            if (n < 0 || n > 4096) {
                throw new RecordingFormatException("header lists " + n + " CPUID entries");
            }
            List<CpuidEntry> cpuid = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                cpuid.add(new CpuidEntry(b.getInt(), b.getInt(), b.getInt(), b.getInt(), b.getInt(), b.getInt(), b.getInt()));
            }
            return new RecordingHeader(producer, created, mem, cmdline, kernel, initrd, positioning, capture, codec, host, cpuid);
        } catch (BufferUnderflowException e) {
            throw new RecordingFormatException("header is cut short");
        }
    }

    private static void str(ByteSink s, String v) {
        byte[] b = (v == null ? "" : v).getBytes(StandardCharsets.UTF_8);
        s.varint(b.length).bytes(b, 0, b.length);
    }

    private static String str(ByteBuffer b) {
        long len = 0;
        for (int shift = 0; ; shift += 7) {
            if (shift > 28) {
                throw new RecordingFormatException("header string length is malformed");
            }
            int x = b.get() & 0xff;
            len |= (long) (x & 0x7f) << shift;
            if ((x & 0x80) == 0) {
                break;
            }
        }
        if (len > b.remaining()) {
            throw new RecordingFormatException("header string runs past the header");
        }
        byte[] v = new byte[(int) len];
        b.get(v);
        return new String(v, StandardCharsets.UTF_8);
    }
}
