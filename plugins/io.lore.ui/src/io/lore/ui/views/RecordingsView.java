package io.lore.ui.views;

import io.lore.ui.launch.Launches;
import io.lore.ui.model.RecordingInfo;
import io.lore.ui.model.RecordingsModel;
import io.lore.ui.model.Verification;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.eclipse.core.runtime.CoreException;
import org.eclipse.core.runtime.IProgressMonitor;
import org.eclipse.core.runtime.IStatus;
import org.eclipse.core.runtime.Status;
import org.eclipse.core.runtime.jobs.Job;
import org.eclipse.debug.core.ILaunchManager;
import org.eclipse.jface.action.Action;
import org.eclipse.jface.action.IMenuManager;
import org.eclipse.jface.action.IToolBarManager;
import org.eclipse.jface.action.MenuManager;
import org.eclipse.jface.dialogs.MessageDialog;
import org.eclipse.jface.viewers.ArrayContentProvider;
import org.eclipse.jface.viewers.ColumnLabelProvider;
import org.eclipse.jface.viewers.IStructuredSelection;
import org.eclipse.jface.viewers.TableViewer;
import org.eclipse.jface.viewers.TableViewerColumn;
import org.eclipse.swt.SWT;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Display;
import org.eclipse.swt.widgets.Table;
import org.eclipse.ui.part.ViewPart;

/**
 * The recordings in the workspace (and those recorded outside it from this IDE), with their
 * summary: guest, duration, events, size, whether the file is whole. Actions: replay (serve to
 * GDB), debug (replay + CDT session), verify (replay and check it reproduces exactly), delete.
 */
public final class RecordingsView extends ViewPart {
    public static final String ID = "io.lore.ui.views.recordings";

    private TableViewer viewer;
    private final Map<Path, String> verified = new ConcurrentHashMap<>();
    private final Runnable onChange = this::refreshLater;
    private volatile List<RecordingInfo> rows = List.of();
    private Job loader;

    @Override
    public void createPartControl(Composite parent) {
        viewer = new TableViewer(parent, SWT.MULTI | SWT.FULL_SELECTION | SWT.H_SCROLL | SWT.V_SCROLL);
        Table table = viewer.getTable();
        table.setHeaderVisible(true);
        table.setLinesVisible(true);
        column("Recording", 170, RecordingInfo::name);
        column("Guest", 110, RecordingInfo::kernel);
        column("Duration", 75, RecordingInfo::duration);
        column("Events", 75, i -> String.format("%,d", i.events()));
        column("Size", 75, RecordingInfo::size);
        column("Integrity", 300, RecordingInfo::integrity);
        column("Verification", 340, i -> verified.getOrDefault(i.path(), ""));
        column("Folder", 260, i -> String.valueOf(i.path().getParent()));
        viewer.setContentProvider(ArrayContentProvider.getInstance());
        viewer.setInput(rows);
        viewer.addDoubleClickListener(e -> replay(selected(), ILaunchManager.RUN_MODE));
        createActions();
        RecordingsModel.get().addListener(onChange);
        refresh();
    }

    private void column(String title, int width, Function<RecordingInfo, String> text) {
        TableViewerColumn c = new TableViewerColumn(viewer, SWT.LEFT);
        c.getColumn().setText(title);
        c.getColumn().setWidth(width);
        c.setLabelProvider(new ColumnLabelProvider() {
            @Override
            public String getText(Object element) {
                return text.apply((RecordingInfo) element);
            }
        });
    }

    private void createActions() {
        Action replay = action("Replay", "Replay the recording and serve it to GDB", () -> replay(selected(), ILaunchManager.RUN_MODE));
        Action debug = action("Debug", "Replay it and debug it with CDT (reverse stepping)", () -> replay(selected(), ILaunchManager.DEBUG_MODE));
        Action verify = action("Verify", "Replay it without devices and check that it reproduces exactly", () -> selected().forEach(this::verify));
        Action delete = action("Delete", "Delete the recording file", this::deleteSelected);
        Action refresh = action("Refresh", "Read the recordings again", this::refresh);
        IToolBarManager tb = getViewSite().getActionBars().getToolBarManager();
        for (Action a : new Action[] {replay, debug, verify, delete, refresh}) {
            tb.add(a);
        }
        MenuManager menu = new MenuManager();
        menu.setRemoveAllWhenShown(true);
        menu.addMenuListener((IMenuManager m) -> {
            boolean any = !selected().isEmpty();
            for (Action a : new Action[] {replay, debug, verify, delete}) {
                a.setEnabled(any);
                m.add(a);
            }
            m.add(refresh);
        });
        viewer.getTable().setMenu(menu.createContextMenu(viewer.getTable()));
    }

    private static Action action(String text, String tip, Runnable run) {
        Action a = new Action(text) {
            @Override
            public void run() {
                run.run();
            }
        };
        a.setToolTipText(tip);
        return a;
    }

    private List<Path> selected() {
        List<Path> out = new ArrayList<>();
        for (Object o : ((IStructuredSelection) viewer.getSelection()).toList()) {
            out.add(((RecordingInfo) o).path());
        }
        return out;
    }

    /**
     * Starts LoRe Replay launches of these recordings in {@code mode} (run or debug) in a
     * background job; a failure is shown as the view's description (one line), not a dialog.
     */
    public Job replay(List<Path> files, String mode) {
        Job job = new Job("Replay " + files.size() + " recording(s)") {
            @Override
            protected IStatus run(IProgressMonitor monitor) {
                for (Path p : files) {
                    try {
                        Launches.replayConfiguration(p).launch(mode, monitor);
                        status(null);
                    } catch (CoreException e) {
                        status("Cannot replay " + p.getFileName() + ": " + e.getStatus().getMessage());
                    }
                }
                return Status.OK_STATUS;
            }
        };
        job.setUser(true);
        job.schedule();
        return job;
    }

    private volatile String lastError;

    private void status(String error) {
        lastError = error;
        Display d = display();
        if (d != null) {
            d.asyncExec(() -> {
                if (viewer != null && !viewer.getTable().isDisposed()) {
                    setContentDescription(error == null ? "" : error);
                }
            });
        }
    }

    /** The last replay failure shown in the view, or null. */
    public String lastError() {
        return lastError;
    }

    /** Verifies a recording in a background job; the result appears in the Verification column. */
    public Job verify(Path file) {
        verified.put(file, "verifying...");
        viewer.refresh();
        Job job = new Job("Verify " + file.getFileName()) {
            @Override
            protected IStatus run(IProgressMonitor monitor) {
                Verification.Outcome o = Verification.run(file);
                verified.put(file, (o.exact() ? "\u2714 " : "\u2718 ") + o.line());
                refreshLater();
                return Status.OK_STATUS;
            }
        };
        job.setUser(true);
        job.schedule();
        return job;
    }

    /** The Verification column's text for a recording. */
    public String verification(Path file) {
        return verified.getOrDefault(file, "");
    }

    private void deleteSelected() {
        List<Path> files = selected();
        if (files.isEmpty() || !MessageDialog.openConfirm(getSite().getShell(), "Delete recordings",
                "Delete " + (files.size() == 1 ? files.get(0).getFileName() : files.size() + " recordings") + "?")) {
            return;
        }
        for (Path p : files) {
            String error = RecordingsModel.get().delete(p);
            if (error != null) {
                MessageDialog.openError(getSite().getShell(), "LoRe", error);
            }
        }
    }

    /** Reads the recordings (in a background job) and shows them. */
    public void refresh() {
        if (loader != null) {
            loader.cancel();
        }
        loader = new Job("Read LoRe recordings") {
            @Override
            protected IStatus run(IProgressMonitor monitor) {
                List<RecordingInfo> list = new ArrayList<>();
                for (Path p : RecordingsModel.get().files()) {
                    if (monitor.isCanceled()) {
                        return Status.CANCEL_STATUS;
                    }
                    list.add(RecordingsModel.get().info(p));
                }
                rows = List.copyOf(list);
                Display d = display();
                if (d != null) {
                    d.asyncExec(() -> {
                        if (viewer != null && !viewer.getTable().isDisposed()) {
                            viewer.setInput(rows);
                        }
                    });
                }
                return Status.OK_STATUS;
            }
        };
        loader.setSystem(true);
        loader.schedule();
    }

    /** The loading job of the last refresh (tests join it). */
    public Job loader() {
        return loader;
    }

    /** The table (tests take screenshots of it). */
    public org.eclipse.swt.widgets.Control control() {
        return viewer.getTable();
    }

    /** What the table shows now. */
    public List<RecordingInfo> rows() {
        return rows;
    }

    private void refreshLater() {
        Display d = display();
        if (d != null) {
            d.asyncExec(() -> {
                if (viewer != null && !viewer.getTable().isDisposed()) {
                    refresh();
                }
            });
        }
    }

    private Display display() {
        try {
            return getSite().getShell().getDisplay();
        } catch (RuntimeException e) {
            return null;
        }
    }

    @Override
    public void setFocus() {
        viewer.getControl().setFocus();
    }

    @Override
    public void dispose() {
        RecordingsModel.get().removeListener(onChange);
        super.dispose();
    }
}
