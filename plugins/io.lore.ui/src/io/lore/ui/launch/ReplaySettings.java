package io.lore.ui.launch;

import io.lore.ui.prefs.LorePreferences;
import java.nio.file.Path;
import org.eclipse.core.runtime.CoreException;
import org.eclipse.debug.core.ILaunchConfiguration;

/** A LoRe Replay launch configuration, checked. {@code port} 0 means any free port. */
public record ReplaySettings(Path recording, Path symbols, int port, boolean startCdt) {

    public static ReplaySettings of(ILaunchConfiguration c) throws CoreException {
        try {
            String port = c.getAttribute(LaunchAttributes.PORT, "");
            return parse(RecordSettings.text(c, LaunchAttributes.RECORDING), RecordSettings.text(c, LaunchAttributes.SYMBOLS),
                    port.isBlank() ? String.valueOf(LorePreferences.port()) : port,
                    c.getAttribute(LaunchAttributes.START_CDT, true));
        } catch (IllegalArgumentException e) {
            throw LorePluginStatus.fail(e.getMessage());
        }
    }

    public static ReplaySettings parse(String recording, String symbols, String port, boolean startCdt) {
        Path r = RecordSettings.existingFile(recording, "recording");
        Path s = symbols == null || symbols.isBlank() ? null : RecordSettings.existingFile(symbols, "symbol");
        int p;
        try {
            p = Integer.parseInt(port.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("port must be a number 0-65535, not '" + port + "'");
        }
        if (p < 0 || p > 65535) {
            throw new IllegalArgumentException("port must be 0-65535 (0: any free port), not " + p);
        }
        return new ReplaySettings(r, s, p, startCdt);
    }
}
