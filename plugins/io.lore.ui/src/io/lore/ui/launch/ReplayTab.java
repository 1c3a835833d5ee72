package io.lore.ui.launch;

import org.eclipse.core.runtime.CoreException;
import org.eclipse.debug.core.ILaunchConfiguration;
import org.eclipse.debug.core.ILaunchConfigurationWorkingCopy;
import org.eclipse.swt.SWT;
import org.eclipse.swt.layout.GridData;
import org.eclipse.swt.widgets.Button;
import org.eclipse.swt.widgets.Composite;

/** Recording, symbol file, port, and whether Debug starts a CDT session. */
public final class ReplayTab extends FieldsTab {
    private Button startCdt;

    @Override
    public void createControl(Composite parent) {
        Composite c = grid(parent);
        field(c, "&Recording:", LaunchAttributes.RECORDING, "A .lore file made by LoRe Record or 'lore record'",
                new String[] {"*.lore", "*"}, false);
        field(c, "&Symbol file:", LaunchAttributes.SYMBOLS,
                "The guest kernel with symbols; empty: the kernel stored in the recording, when it is an ELF",
                new String[] {"*.elf", "*"}, false);
        field(c, "&Port:", LaunchAttributes.PORT, "The GDB server port on 127.0.0.1; empty: the LoRe preference (0: any free port)",
                null, false);
        startCdt = new Button(c, SWT.CHECK);
        startCdt.setText("In &Debug mode, start a CDT debug session on the replay (needs CDT's GDB Hardware Debugging)");
        startCdt.setLayoutData(new GridData(SWT.FILL, SWT.CENTER, true, false, 3, 1));
        startCdt.addListener(SWT.Selection, e -> updateLaunchConfigurationDialog());
    }

    @Override
    protected void initializeMore(ILaunchConfiguration configuration) throws CoreException {
        startCdt.setSelection(configuration.getAttribute(LaunchAttributes.START_CDT, true));
    }

    @Override
    public void performApply(ILaunchConfigurationWorkingCopy configuration) {
        super.performApply(configuration);
        configuration.setAttribute(LaunchAttributes.START_CDT, startCdt.getSelection());
    }

    @Override
    public void setDefaults(ILaunchConfigurationWorkingCopy configuration) {
        super.setDefaults(configuration);
        configuration.setAttribute(LaunchAttributes.START_CDT, true);
    }

    @Override
    public boolean isValid(ILaunchConfiguration launchConfig) {
        setErrorMessage(null);
        try {
            String port = value(LaunchAttributes.PORT);
            ReplaySettings.parse(RecordTab.expand(value(LaunchAttributes.RECORDING)), RecordTab.expand(value(LaunchAttributes.SYMBOLS)),
                    port.isEmpty() ? "0" : port, startCdt.getSelection());
            return true;
        } catch (IllegalArgumentException | CoreException e) {
            setErrorMessage(e.getMessage());
            return false;
        }
    }

    @Override
    public String getName() {
        return "Replay";
    }
}
