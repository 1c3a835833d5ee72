package io.lore.replay;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/** A test guest's symbols, read with binutils' nm (installed with the compiler that builds the guests). */
public final class GuestSymbols {
    private final Map<String, Long> byName = new TreeMap<>();
    private final TreeMap<Long, String> functions = new TreeMap<>();

    private GuestSymbols() {}

    /** The built test guest {@code name} (e.g. "demo.elf"). */
    public static Path guest(String name) {
        return Guests.path(name);
    }

    public static GuestSymbols of(String guest) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("nm", guest(guest).toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IOException("nm failed: " + out);
        }
        GuestSymbols s = new GuestSymbols();
        for (String line : out.split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length == 3) {
                long a = Long.parseUnsignedLong(f[0], 16);
                s.byName.put(f[2], a);
                if (f[1].equalsIgnoreCase("t")) {
                    s.functions.put(a, f[2]);
                }
            }
        }
        return s;
    }

    public long address(String symbol) {
        Long a = byName.get(symbol);
        if (a == null) {
            throw new IllegalArgumentException("no symbol " + symbol);
        }
        return a;
    }

    /** The function whose code contains {@code address} (the nearest text symbol at or below it). */
    public String functionAt(long address) {
        Map.Entry<Long, String> e = functions.floorEntry(address);
        return e == null ? null : e.getValue();
    }
}
