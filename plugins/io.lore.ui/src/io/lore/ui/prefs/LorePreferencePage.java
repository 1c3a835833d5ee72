package io.lore.ui.prefs;

import io.lore.ui.LorePlugin;
import org.eclipse.jface.preference.FieldEditorPreferencePage;
import org.eclipse.jface.preference.IntegerFieldEditor;
import org.eclipse.jface.preference.StringFieldEditor;
import org.eclipse.ui.IWorkbench;
import org.eclipse.ui.IWorkbenchPreferencePage;

/** Window > Preferences > LoRe. */
public final class LorePreferencePage extends FieldEditorPreferencePage implements IWorkbenchPreferencePage {
    public LorePreferencePage() {
        super(GRID);
        setPreferenceStore(LorePlugin.get().getPreferenceStore());
        setDescription("Replay server and debugger settings. A LoRe Replay launch configuration may override the port.");
    }

    @Override
    protected void createFieldEditors() {
        IntegerFieldEditor port = new IntegerFieldEditor(LorePreferences.PORT,
                "Default replay server &port (0: any free port):", getFieldEditorParent());
        port.setValidRange(0, 65535);
        addField(port);
        IntegerFieldEditor budget = new IntegerFieldEditor(LorePreferences.CHECKPOINT_MIB,
                "&Checkpoint memory budget (MiB, 0: engine default):", getFieldEditorParent());
        budget.setValidRange(0, 1 << 20);
        addField(budget);
        addField(new StringFieldEditor(LorePreferences.GDB_PATH, "&GDB executable:", getFieldEditorParent()));
    }

    @Override
    public void init(IWorkbench workbench) {
        // nothing to do
    }
}
