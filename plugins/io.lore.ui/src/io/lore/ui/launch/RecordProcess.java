package io.lore.ui.launch;

import io.lore.log.Codec;
import io.lore.machine.RunResult;
import io.lore.replay.RecordSession;
import io.lore.ui.LorePlugin;
import io.lore.ui.model.RecordingsModel;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import org.eclipse.debug.core.ILaunch;

/**
 * A recording running in the IDE: the guest's serial output is the console's output, what the
 * user types there is the guest's serial input, and Terminate ends the recording cleanly at the
 * next VM exit (the file gets its footer and summary, as with Ctrl-C in {@code lore record}).
 */
public final class RecordProcess extends LoreProcess {
    private final RecordSettings settings;
    private final RecordSession session;
    private final ConsoleInput input;
    private volatile RecordSession.Result result;
    private volatile Throwable failure;

    private RecordProcess(ILaunch launch, RecordSettings settings, ConsoleInput input) {
        super(launch, "LoRe record " + settings.kernel().getFileName() + " \u2192 " + settings.output().getFileName(), input);
        this.settings = settings;
        this.input = input;
        this.session = new RecordSession(settings.machine(), settings.output(), Codec.ZSTD);
        setAttribute(ATTR_CMDLINE, "lore record --kernel " + settings.kernel()
                + (settings.initrd() == null ? "" : " --initrd " + settings.initrd())
                + (settings.cmdline().isEmpty() ? "" : " --cmdline '" + settings.cmdline() + "'")
                + " --mem " + settings.memoryMiB() + " --out " + settings.output());
    }

    /** Starts recording on its own thread and returns at once. */
    public static RecordProcess start(ILaunch launch, RecordSettings settings) {
        RecordProcess p = new RecordProcess(launch, settings, new ConsoleInput());
        p.register();
        Thread t = new Thread(p::run, "lore-record " + settings.output().getFileName());
        t.setDaemon(true);
        t.start();
        return p;
    }

    private void run() {
        int exit = 1;
        OutputStream serial = new OutputStream() {
            @Override
            public void write(int b) {
                streams.out().append(String.valueOf((char) (b & 0xff)));
            }

            @Override
            public void write(byte[] b, int off, int len) {
                streams.out().append(new String(b, off, len, StandardCharsets.ISO_8859_1));
            }
        };
        try {
            note("lore: recording " + settings.kernel() + " into " + settings.output());
            RecordSession.Result r = session.run(serial, input);
            result = r;
            RunResult run = r.run();
            exit = run.exitStatus();
            note(String.format(Locale.ROOT, "lore: recorded %s: %s; %.2f s, %,d exits, %,d events, %,d bytes",
                    settings.output(), run.detail(), run.nanos() / 1e9, r.exits(), r.events(), r.bytes()));
            note("lore: interrupts between exits positioned by " + r.positioning() + " (" + r.positioningNote() + ")");
            if (r.failure() != null) {
                note("lore: " + r.failure());
                exit = 1;
            }
        } catch (Throwable e) {
            failure = e;
            note("lore: recording failed: " + (e.getMessage() == null ? e.toString() : e.getMessage()));
            LorePlugin.log("LoRe recording failed", e);
        } finally {
            RecordingsModel.get().recorded(settings.output());
            ended(exit);
        }
    }

    @Override
    protected void requestStop() {
        note("lore: stopping the recording at the next VM exit");
        session.stop();
    }

    /** How the recording ended, once it has (null before, or when it failed to start). */
    public RecordSession.Result result() {
        return result;
    }

    public Throwable failure() {
        return failure;
    }

    public RecordSettings settings() {
        return settings;
    }

    public RecordSession.Status status() {
        return session.status();
    }
}
