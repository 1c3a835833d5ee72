package io.lore.ui.launch;

import java.util.LinkedHashMap;
import java.util.Map;
import org.eclipse.core.runtime.CoreException;
import org.eclipse.debug.core.ILaunchConfiguration;
import org.eclipse.debug.core.ILaunchConfigurationWorkingCopy;
import org.eclipse.debug.ui.AbstractLaunchConfigurationTab;
import org.eclipse.swt.SWT;
import org.eclipse.swt.layout.GridData;
import org.eclipse.swt.layout.GridLayout;
import org.eclipse.swt.widgets.Button;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.FileDialog;
import org.eclipse.swt.widgets.Label;
import org.eclipse.swt.widgets.Text;

/** A tab of labelled text fields, each stored under one attribute, some with a Browse button. */
abstract class FieldsTab extends AbstractLaunchConfigurationTab {
    protected final Map<String, Text> fields = new LinkedHashMap<>();
    private boolean initializing;

    protected Composite grid(Composite parent) {
        Composite c = new Composite(parent, SWT.NONE);
        c.setLayout(new GridLayout(3, false));
        setControl(c);
        return c;
    }

    protected Text field(Composite c, String label, String key, String tip, String[] browseExtensions, boolean save) {
        new Label(c, SWT.NONE).setText(label);
        Text t = new Text(c, SWT.BORDER | SWT.SINGLE);
        t.setToolTipText(tip);
        t.setLayoutData(new GridData(SWT.FILL, SWT.CENTER, true, false, browseExtensions == null ? 2 : 1, 1));
        t.setData("key", key);
        t.addModifyListener(e -> {
            if (!initializing) {
                updateLaunchConfigurationDialog();
            }
        });
        if (browseExtensions != null) {
            Button b = new Button(c, SWT.PUSH);
            b.setText("Browse...");
            b.addListener(SWT.Selection, e -> {
                FileDialog d = new FileDialog(getShell(), save ? SWT.SAVE : SWT.OPEN);
                d.setFilterExtensions(browseExtensions);
                String chosen = d.open();
                if (chosen != null) {
                    t.setText(chosen);
                }
            });
        }
        fields.put(key, t);
        return t;
    }

    protected String value(String key) {
        return fields.get(key).getText().trim();
    }

    @Override
    public void initializeFrom(ILaunchConfiguration configuration) {
        initializing = true;
        try {
            for (Map.Entry<String, Text> e : fields.entrySet()) {
                e.getValue().setText(configuration.getAttribute(e.getKey(), defaultValue(e.getKey())));
            }
            initializeMore(configuration);
        } catch (CoreException e) {
            setErrorMessage(e.getMessage());
        } finally {
            initializing = false;
        }
    }

    protected void initializeMore(ILaunchConfiguration configuration) throws CoreException {}

    protected String defaultValue(String key) {
        return "";
    }

    @Override
    public void performApply(ILaunchConfigurationWorkingCopy configuration) {
        for (Map.Entry<String, Text> e : fields.entrySet()) {
            configuration.setAttribute(e.getKey(), e.getValue().getText().trim());
        }
    }

    @Override
    public void setDefaults(ILaunchConfigurationWorkingCopy configuration) {
        for (String key : fields.keySet()) {
            configuration.setAttribute(key, defaultValue(key));
        }
    }
}
