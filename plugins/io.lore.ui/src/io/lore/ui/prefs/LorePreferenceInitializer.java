package io.lore.ui.prefs;

import io.lore.ui.LorePlugin;
import org.eclipse.core.runtime.preferences.AbstractPreferenceInitializer;
import org.eclipse.jface.preference.IPreferenceStore;

public final class LorePreferenceInitializer extends AbstractPreferenceInitializer {
    @Override
    public void initializeDefaultPreferences() {
        IPreferenceStore s = LorePlugin.get().getPreferenceStore();
        s.setDefault(LorePreferences.PORT, LorePreferences.DEFAULT_PORT);
        s.setDefault(LorePreferences.CHECKPOINT_MIB, LorePreferences.DEFAULT_CHECKPOINT_MIB);
        s.setDefault(LorePreferences.GDB_PATH, LorePreferences.DEFAULT_GDB_PATH);
    }
}
