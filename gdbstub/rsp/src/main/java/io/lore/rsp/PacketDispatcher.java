package io.lore.rsp;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The packet table: exact packet names and packet prefixes mapped to handlers. An exact match
 * wins, then the longest matching prefix; anything else gets the empty reply, which tells GDB
 * the packet is not supported.
 */
final class PacketDispatcher {
    /** Handles one packet; returns the reply, or null for none (e.g. after 'k'). */
    @FunctionalInterface
    interface Handler {
        String handle(String packet) throws IOException;
    }

    static final Handler UNSUPPORTED = packet -> "";

    private final Map<String, Handler> exact = new HashMap<>();
    private final List<Map.Entry<String, Handler>> prefixes = new ArrayList<>();

    PacketDispatcher exact(String name, Handler handler) {
        exact.put(name, handler);
        return this;
    }

    PacketDispatcher prefix(String prefix, Handler handler) {
        prefixes.add(Map.entry(prefix, handler));
        prefixes.sort(Comparator.comparingInt((Map.Entry<String, Handler> e) -> e.getKey().length()).reversed());
        return this;
    }

    Handler lookup(String packet) {
        Handler h = exact.get(packet);
        if (h != null) {
            return h;
        }
        for (Map.Entry<String, Handler> e : prefixes) {
            if (packet.startsWith(e.getKey())) {
                return e.getValue();
            }
        }
        return UNSUPPORTED;
    }
}
