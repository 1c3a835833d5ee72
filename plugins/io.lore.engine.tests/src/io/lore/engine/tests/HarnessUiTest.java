package io.lore.engine.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.osgi.framework.Bundle;
import org.osgi.framework.FrameworkUtil;

import io.lore.kvm.GuestMemory;

/**
 * Runs only under the UI harness (-Dlore.skipUiTests=false, with a display): checks that a
 * workbench is running and the engine bundle works inside it. Uses the workbench reflectively so
 * this bundle needs no UI dependency; real UI tests come with the UI bundle.
 */
class HarnessUiTest {

    @Test
    void workbenchIsRunningWithTheEngine() throws Exception {
        Bundle self = FrameworkUtil.getBundle(getClass());
        Bundle ui = null;
        for (Bundle b : self.getBundleContext().getBundles()) {
            if (b.getSymbolicName().equals("org.eclipse.ui")) {
                ui = b;
            }
        }
        assertNotNull(ui, "org.eclipse.ui is not in the test runtime");
        Class<?> platformUi = ui.loadClass("org.eclipse.ui.PlatformUI");
        assertTrue((Boolean) platformUi.getMethod("isWorkbenchRunning").invoke(null), "no workbench");
        Object workbench = platformUi.getMethod("getWorkbench").invoke(null);
        Object window = ui.loadClass("org.eclipse.ui.IWorkbench").getMethod("getActiveWorkbenchWindow").invoke(workbench);
        assertNotNull(window, "no active workbench window");
        try (GuestMemory mem = new GuestMemory(4096)) {
            mem.writeInt(0, 42);
            assertEquals(42, mem.readInt(0));
        }
    }
}
