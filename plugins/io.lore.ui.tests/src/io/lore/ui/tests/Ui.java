package io.lore.ui.tests;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.BooleanSupplier;
import org.eclipse.core.resources.IProject;
import org.eclipse.core.resources.ResourcesPlugin;
import org.eclipse.core.runtime.CoreException;
import org.eclipse.swt.SWT;
import org.eclipse.swt.graphics.GC;
import org.eclipse.swt.graphics.Image;
import org.eclipse.swt.graphics.ImageData;
import org.eclipse.swt.graphics.ImageLoader;
import org.eclipse.swt.graphics.Rectangle;
import org.eclipse.swt.widgets.Control;
import org.eclipse.swt.widgets.Display;
import org.eclipse.ui.IViewPart;
import org.eclipse.ui.IWorkbenchPage;
import org.eclipse.ui.PartInitException;
import org.eclipse.ui.PlatformUI;

/** Helpers for tests that run on the workbench's UI thread. */
final class Ui {
    private Ui() {}

    static Display display() {
        return PlatformUI.getWorkbench().getDisplay();
    }

    /** Runs the event loop until {@code done} holds, or fails after {@code seconds}. */
    static void waitUntil(String what, double seconds, BooleanSupplier done) {
        long end = System.nanoTime() + (long) (seconds * 1e9);
        Display d = display();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > end) {
                fail("timed out after " + seconds + " s waiting for " + what);
            }
            if (!d.readAndDispatch()) {
                try {
                    Thread.sleep(10);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /** Runs the event loop for a while (lets async UI updates land). */
    static void spin(long millis) {
        long end = System.currentTimeMillis() + millis;
        waitUntil("time", millis / 1000.0 + 5, () -> System.currentTimeMillis() >= end);
    }

    static IWorkbenchPage page() {
        return PlatformUI.getWorkbench().getActiveWorkbenchWindow().getActivePage();
    }

    @SuppressWarnings("unchecked")
    static <T extends IViewPart> T show(String id) throws PartInitException {
        IViewPart v = page().showView(id);
        spin(100);
        return (T) v;
    }

    /** The repository's root (the build passes it), for the guest kernels. */
    static Path root() {
        String r = System.getProperty("lore.root");
        if (r == null) {
            fail("system property lore.root is not set (run through Maven)");
        }
        return Path.of(r);
    }

    static Path guest(String name) {
        Path p = root().resolve("guests/build").resolve(name);
        if (!Files.isRegularFile(p)) {
            fail("guest kernel " + p + " is missing: run make -C guests");
        }
        return p;
    }

    /** An open workspace project for the test's recordings. */
    static IProject project(String name) throws CoreException {
        IProject p = ResourcesPlugin.getWorkspace().getRoot().getProject(name);
        if (!p.exists()) {
            p.create(null);
        }
        if (!p.isOpen()) {
            p.open(null);
        }
        return p;
    }

    /** Brings the view to front, maximized, and saves a screenshot of its content. */
    static Path screenshotView(IViewPart view, Control content, String name) throws IOException {
        IWorkbenchPage page = page();
        spin(700); // let pending activations (a console showing new output) happen first
        page.activate(view);
        page.setPartState(page.getReference(view), IWorkbenchPage.STATE_MAXIMIZED);
        try {
            spin(500);
            page.activate(view);
            return screenshot(content, name);
        } finally {
            page.setPartState(page.getReference(view), IWorkbenchPage.STATE_RESTORED);
            spin(100);
        }
    }

    /** Saves what {@code control} shows, as a PNG under the screenshots directory; returns the file. */
    static Path screenshot(Control control, String name) throws IOException {
        spin(300);
        Display d = control.getDisplay();
        Rectangle size = control.getBounds();
        Image image = new Image(d, Math.max(1, size.width), Math.max(1, size.height));
        GC gc = new GC(image);
        boolean printed;
        try {
            printed = control.print(gc); // renders the control itself, whatever covers it on screen
        } finally {
            gc.dispose();
        }
        if (!printed) { // fall back to what the screen shows there
            image.dispose();
            Rectangle r = d.map(control.getParent(), null, control.getBounds()).intersection(d.getBounds());
            image = new Image(d, r.width, r.height);
            GC screen = new GC(d);
            try {
                screen.copyArea(image, r.x, r.y);
            } finally {
                screen.dispose();
            }
        }
        Path dir = Path.of(System.getProperty("lore.screenshots", "target/screenshots"));
        Files.createDirectories(dir);
        Path file = dir.resolve(name + ".png");
        try {
            ImageLoader loader = new ImageLoader();
            loader.data = new ImageData[] {image.getImageData()};
            loader.save(file.toString(), SWT.IMAGE_PNG);
        } finally {
            image.dispose();
        }
        return file;
    }
}
