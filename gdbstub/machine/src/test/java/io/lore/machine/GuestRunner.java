package io.lore.machine;

import io.lore.machine.devices.Clock;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Test helper: boots one of the built test guests (guests/build) on the real /dev/kvm through
 * the machine API, the way `lore run` does, and captures its COM1 output. Every run is bounded
 * by a time limit (60 s unless set), so a broken guest or run loop fails a test instead of
 * hanging the build.
 *
 * <pre>
 *   GuestRunner.Run r = GuestRunner.guest("hello").cmdline("a b").mem(64).run();
 *   r.result().outcome(); r.output();
 * </pre>
 */
public final class GuestRunner {
    public static final Duration DEFAULT_TIME_LIMIT = Duration.ofSeconds(60);

    /** How a run ended and everything the guest wrote to COM1 (decoded as ISO-8859-1, byte for byte). */
    public record Run(RunResult result, byte[] serial) {
        public String output() {
            return new String(serial, StandardCharsets.ISO_8859_1);
        }

        public List<String> lines() {
            return List.of(output().split("\n", -1)).stream().filter(l -> !l.isEmpty()).toList();
        }

        /** For assertion messages: the outcome, the detail and the whole serial output. */
        public String describe() {
            return result.outcome() + " status " + result.exitStatus() + " (" + result.detail() + ", " + result.exits()
                    + " exits)\n--- serial output ---\n" + output();
        }
    }

    private final Path kernel;
    private String cmdline = "";
    private Path initrd;
    private int memoryMiB = MachineConfig.DEFAULT_MEMORY_MIB;
    private Duration timeLimit = DEFAULT_TIME_LIMIT;
    private byte[] input;
    private InputStream inputStream;
    private ByteArrayOutputStream serial;
    private final List<Function<Machine, LoopObserver>> observers = new ArrayList<>();

    private GuestRunner(Path kernel) {
        this.kernel = kernel;
    }

    /** A built guest by name: "hello" is guests/build/hello.elf, "bzimage" is guests/build/bzimage.bin. */
    public static GuestRunner guest(String name) {
        return new GuestRunner(guestPath(name));
    }

    /** Any kernel file (for error-path tests). */
    public static GuestRunner kernel(Path kernel) {
        return new GuestRunner(kernel);
    }

    /** The directory with the built guests: system property lore.guests.dir, else ../../guests/build. */
    public static Path guestsDir() {
        return Path.of(System.getProperty("lore.guests.dir", "../../guests/build"));
    }

    public static Path guestPath(String name) {
        String file = name.contains(".") ? name : name.equals("bzimage") ? "bzimage.bin" : name + ".elf";
        Path p = guestsDir().resolve(file);
        if (!Files.isRegularFile(p)) {
            throw new IllegalStateException(p.toAbsolutePath() + " is missing: build the guests first (make -C guests)");
        }
        return p;
    }

    public GuestRunner cmdline(String s) {
        this.cmdline = s;
        return this;
    }

    public GuestRunner initrd(Path p) {
        this.initrd = p;
        return this;
    }

    public GuestRunner mem(int mib) {
        this.memoryMiB = mib;
        return this;
    }

    /** Must be positive: no test run is unbounded. */
    public GuestRunner timeLimit(Duration d) {
        if (d == null || d.isZero() || d.isNegative()) {
            throw new IllegalArgumentException("a test run needs a positive time limit, not " + d);
        }
        this.timeLimit = d;
        return this;
    }

    /** Bytes the guest can read from COM1; without this the machine has no serial input at all. */
    public GuestRunner input(byte[] bytes) {
        this.input = bytes;
        return this;
    }

    public GuestRunner input(String s) {
        return input(s.getBytes(StandardCharsets.ISO_8859_1));
    }

    /** A live input source (e.g. a pipe a test thread writes to while the guest runs). */
    public GuestRunner input(InputStream in) {
        this.inputStream = in;
        return this;
    }

    /**
     * Where COM1 output goes (default: a fresh buffer). ByteArrayOutputStream is synchronized,
     * so another thread may watch the output grow while the guest runs.
     */
    public GuestRunner serialOut(ByteArrayOutputStream out) {
        this.serial = out;
        return this;
    }

    /** Sees every exit and injection of the run loop (on the vCPU thread). */
    public GuestRunner observer(LoopObserver o) {
        Objects.requireNonNull(o);
        observers.add(m -> o);
        return this;
    }

    /** An observer that needs the booted machine (e.g. to read vCPU registers at an injection). */
    public GuestRunner observerFor(Function<Machine, LoopObserver> factory) {
        observers.add(Objects.requireNonNull(factory));
        return this;
    }

    public MachineConfig config() {
        MachineConfig c = MachineConfig.of(kernel).withCmdline(cmdline).withMemoryMiB(memoryMiB).withTimeLimit(timeLimit);
        return initrd == null ? c : c.withInitrd(initrd);
    }

    /** Boots and runs the guest to its end (or the time limit). Boot errors propagate. */
    public Run run() throws IOException {
        MachineConfig config = config();
        ByteArrayOutputStream serial = this.serial != null ? this.serial : new ByteArrayOutputStream();
        InputStream in = inputStream != null ? inputStream : input != null ? new ByteArrayInputStream(input) : null;
        try (Machine machine = Machine.boot(config)) {
            PcPlatform pc = new PcPlatform(Clock.HOST, machine.memory().size(), serial, in);
            VcpuLoop loop = new VcpuLoop(machine.vcpu(), pc, Clock.HOST, config.timeLimit().toNanos(),
                    new CrashReporter(machine.vcpu(), machine.memory()));
            if (!observers.isEmpty()) {
                loop.setObserver(fanOut(observers.stream().map(f -> f.apply(machine)).toList()));
            }
            pc.startInput(loop::wake);
            Watchdog watchdog = new Watchdog(loop, config.timeLimit().plus(WATCHDOG_GRACE));
            RunResult result;
            try {
                result = loop.runToEnd();
            } finally {
                watchdog.cancel();
            }
            Run run = new Run(result, serial.toByteArray());
            if (watchdog.fired()) {
                throw new AssertionError("the run loop ignored its time limit of " + config.timeLimit().toMillis()
                        + " ms: stopped from outside after " + config.timeLimit().plus(WATCHDOG_GRACE).toMillis()
                        + " ms\n" + run.describe());
            }
            return run;
        }
    }

    /** How long past its time limit a run may go before the test stops it from outside. */
    static final Duration WATCHDOG_GRACE = Duration.ofSeconds(5);

    /**
     * The hard bound on every test run, independent of the run loop's own time limit (which is
     * what is under test): past the deadline it asks the loop to stop, once a second, until it has.
     */
    private static final class Watchdog {
        private final Thread thread;
        private volatile boolean fired;
        private volatile boolean cancelled;

        Watchdog(VcpuLoop loop, Duration after) {
            long deadline = System.nanoTime() + after.toNanos();
            thread = new Thread(() -> {
                while (!cancelled) {
                    long wait = deadline - System.nanoTime();
                    if (wait > 0) {
                        LockSupport.parkNanos(wait);
                        continue;
                    }
                    fired = true;
                    loop.requestStop();
                    LockSupport.parkNanos(1_000_000_000L);
                }
            }, "guest-runner-watchdog");
            thread.setDaemon(true);
            thread.start();
        }

        void cancel() {
            cancelled = true;
            LockSupport.unpark(thread);
        }

        boolean fired() {
            return fired;
        }
    }

    /**
     * Asserts the conventions of a self-checking guest (guests/lib/runtime.c): it ended by writing
     * 0 to the debug-exit port (status 1), printed no "FAIL" or "PANIC" line, and its summary
     * "GUEST: all N checks passed" agrees with the number of "ok" lines, N at least {@code minChecks}.
     * Returns N.
     */
    public static int assertChecksPassed(Run r, String guest, int minChecks) {
        String out = r.output();
        List<String> bad = r.lines().stream().filter(l -> l.startsWith("FAIL") || l.startsWith("PANIC")).toList();
        if (!bad.isEmpty()) {
            throw new AssertionError(guest + ": failed checks " + bad + "\n" + r.describe());
        }
        if (r.result().outcome() != RunResult.Outcome.DEBUG_EXIT || r.result().exitStatus() != 1) {
            throw new AssertionError(guest + ": expected debug-exit status 1\n" + r.describe());
        }
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(guest) + ": all (\\d+) checks passed$").matcher(out);
        if (!m.find()) {
            throw new AssertionError(guest + ": no \"" + guest + ": all N checks passed\" line\n" + r.describe());
        }
        int n = Integer.parseInt(m.group(1));
        long ok = r.lines().stream().filter(l -> l.startsWith("ok ")).count();
        if (n != ok || n < minChecks) {
            throw new AssertionError(guest + ": summary says " + n + " checks, " + ok + " \"ok\" lines, expected at least "
                    + minChecks + "\n" + r.describe());
        }
        return n;
    }

    /** Asserts that the serial output has {@code line} as a whole line. */
    public static void assertLine(Run r, String line) {
        if (!r.lines().contains(line)) {
            throw new AssertionError("missing line: " + line + "\n" + r.describe());
        }
    }

    /** [start, end) of symbol {@code name} (function or object) in an ELF64 guest's symbol table. */
    public static long[] symbol(Path elf, String name) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(elf)).order(ByteOrder.LITTLE_ENDIAN);
        long shoff = b.getLong(0x28);
        int shentsize = b.getShort(0x3a) & 0xffff;
        int shnum = b.getShort(0x3c) & 0xffff;
        for (int i = 0; i < shnum; i++) {
            int sh = (int) (shoff + (long) i * shentsize);
            if (b.getInt(sh + 4) != 2) { // SHT_SYMTAB
                continue;
            }
            int symOff = (int) b.getLong(sh + 0x18);
            int symSize = (int) b.getLong(sh + 0x20);
            int strSh = (int) (shoff + (long) b.getInt(sh + 0x28) * shentsize);
            int strOff = (int) b.getLong(strSh + 0x18);
            for (int o = symOff; o + 24 <= symOff + symSize; o += 24) {
                int n = strOff + b.getInt(o);
                int end = n;
                while (b.get(end) != 0) {
                    end++;
                }
                if (new String(b.array(), n, end - n, StandardCharsets.US_ASCII).equals(name)) {
                    long value = b.getLong(o + 8);
                    return new long[] {value, value + b.getLong(o + 16)};
                }
            }
        }
        throw new IllegalArgumentException(elf + " has no symbol " + name);
    }

    /**
     * A hand-made x86-64 ELF executable: one PT_LOAD segment with {@code code} at 1 MiB and, if
     * {@code pvhNote}, a PT_NOTE with the Xen PVH entry note (type 18) naming 1 MiB as the
     * 32-bit entry point. The code starts in 32-bit protected mode (PVH), paging off, IF=0.
     */
    public static byte[] tinyElf(byte[] code, boolean pvhNote) {
        long load = 0x100000;
        int phnum = pvhNote ? 2 : 1;
        int noteOffset = 0x100;
        int codeOffset = 0x1000;
        ByteBuffer b = ByteBuffer.allocate(codeOffset + code.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {0x7f, 'E', 'L', 'F', 2, 1, 1, 0});
        b.putShort(16, (short) 2);          // ET_EXEC
        b.putShort(18, (short) 62);         // EM_X86_64
        b.putInt(20, 1);                    // EV_CURRENT
        b.putLong(24, load);                // e_entry
        b.putLong(32, 64);                  // e_phoff
        b.putShort(52, (short) 64);         // e_ehsize
        b.putShort(54, (short) 56);         // e_phentsize
        b.putShort(56, (short) phnum);
        b.putInt(64, 1);                    // PT_LOAD
        b.putInt(64 + 4, 5);                // R+X
        b.putLong(64 + 8, codeOffset);
        b.putLong(64 + 16, load);
        b.putLong(64 + 24, load);
        b.putLong(64 + 32, code.length);
        b.putLong(64 + 40, code.length);
        b.putLong(64 + 48, 0x1000);
        if (pvhNote) {
            int ph = 64 + 56;
            b.putInt(ph, 4);                // PT_NOTE
            b.putInt(ph + 4, 4);
            b.putLong(ph + 8, noteOffset);
            b.putLong(ph + 32, 20);
            b.putLong(ph + 40, 20);
            b.putLong(ph + 48, 4);
            b.putInt(noteOffset, 4);        // namesz ("Xen\0")
            b.putInt(noteOffset + 4, 4);    // descsz
            b.putInt(noteOffset + 8, 18);   // XEN_ELFNOTE_PHYS32_ENTRY
            b.put(noteOffset + 12, (byte) 'X').put(noteOffset + 13, (byte) 'e').put(noteOffset + 14, (byte) 'n');
            b.putInt(noteOffset + 16, (int) load);
        }
        b.position(codeOffset);
        b.put(code);
        return b.array();
    }

    private static LoopObserver fanOut(List<LoopObserver> all) {
        if (all.size() == 1) {
            return all.get(0);
        }
        return new LoopObserver() {
            @Override public void onExit(int reason) { all.forEach(o -> o.onExit(reason)); }
            @Override public void afterExit(int reason) { all.forEach(o -> o.afterExit(reason)); }
            @Override public boolean mayInjectNow() { return all.stream().allMatch(LoopObserver::mayInjectNow); }
            @Override public void beforeInjection(int vector) { all.forEach(o -> o.beforeInjection(vector)); }
        };
    }
}
