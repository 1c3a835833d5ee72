package io.lore.ui.launch;

import java.nio.charset.StandardCharsets;
import org.eclipse.debug.core.model.IStreamMonitor;
import org.eclipse.debug.core.model.IStreamsProxy2;

/** Output (guest serial / server messages), errors and LoRe's notes, and input to the guest. */
public final class LoreStreamsProxy implements IStreamsProxy2 {
    private final TextStreamMonitor out = new TextStreamMonitor();
    private final TextStreamMonitor err = new TextStreamMonitor();
    private final ConsoleInput input;

    /** @param input where typed text goes, or null when the process takes no input */
    public LoreStreamsProxy(ConsoleInput input) {
        this.input = input;
    }

    public TextStreamMonitor out() {
        return out;
    }

    public TextStreamMonitor err() {
        return err;
    }

    @Override
    public IStreamMonitor getErrorStreamMonitor() {
        return err;
    }

    @Override
    public IStreamMonitor getOutputStreamMonitor() {
        return out;
    }

    @Override
    public void write(String text) {
        if (input != null) {
            input.offer(text.getBytes(StandardCharsets.UTF_8));
        }
    }

    @Override
    public void closeInputStream() {
        if (input != null) {
            input.close();
        }
    }
}
