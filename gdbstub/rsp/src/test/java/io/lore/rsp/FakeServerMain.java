package io.lore.rsp;

/** Manual experiments: a GdbServer on a FakeTarget (port from args, default 12345), packet trace on. */
public final class FakeServerMain {
    public static void main(String[] args) throws Exception {
        FakeTarget target = new FakeTarget().writeAt(0x40, FakeTarget.DATA, 0xabcdef);
        if (args.length > 1 && args[1].equals("block")) {
            target.blockRuns = true;
        }
        try (GdbServer server = new GdbServer(target, "127.0.0.1", args.length > 0 ? Integer.parseInt(args[0]) : 12345)) {
            server.setPacketTrace(true);
            server.serveForever();
        }
    }
}
