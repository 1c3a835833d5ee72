package io.lore.ui.views;

import io.lore.debugger.DebugSession;
import io.lore.debugger.TimelineEntry;
import io.lore.replay.travel.Position;
import io.lore.ui.model.ReplaySession;
import io.lore.ui.model.ReplaySessions;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import org.eclipse.core.runtime.IProgressMonitor;
import org.eclipse.core.runtime.IStatus;
import org.eclipse.core.runtime.Status;
import org.eclipse.core.runtime.jobs.Job;
import org.eclipse.swt.SWT;
import org.eclipse.swt.graphics.Color;
import org.eclipse.swt.graphics.GC;
import org.eclipse.swt.graphics.Point;
import org.eclipse.swt.graphics.RGB;
import org.eclipse.swt.layout.GridData;
import org.eclipse.swt.layout.GridLayout;
import org.eclipse.swt.widgets.Canvas;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Display;
import org.eclipse.swt.widgets.Event;
import org.eclipse.swt.widgets.Label;
import org.eclipse.ui.part.ViewPart;

/**
 * The active replay over guest time: a lane per kind of event (interrupts by vector, port I/O,
 * serial output, ...) and one for the checkpoints held, the current position as a red line.
 * Double-click seeks there (to the event under the pointer, else to that guest time). The view
 * follows every move of the replay, including GDB's forward and reverse execution.
 */
public final class TimelineView extends ViewPart {
    public static final String ID = "io.lore.ui.views.timeline";

    private static final String NO_REPLAY = "No replay is running. Start a LoRe Replay launch (or Replay in the Recordings view).";
    private Label header;
    private Canvas canvas;
    private volatile ReplaySession session;
    private volatile List<TimelineEntry> entries = List.of();
    private volatile List<Double> checkpoints = List.of();
    private volatile double nowSeconds = Double.NaN;
    private volatile double duration;
    private volatile String when = "";
    private volatile Job lastSeek;
    private final Runnable onSessions = () -> asyncExec(this::follow);
    private final Job refresher = new Job("Timeline position") {
        @Override
        protected IStatus run(IProgressMonitor monitor) {
            positionChanged();
            return Status.OK_STATUS;
        }
    };
    /** GDB's thread calls this: hand the reads to a job so GDB's stop reply is not delayed. */
    private final Consumer<Position> onMove = p -> refresher.schedule();

    @Override
    public void createPartControl(Composite parent) {
        Composite c = new Composite(parent, SWT.NONE);
        GridLayout gl = new GridLayout(1, false);
        gl.marginWidth = gl.marginHeight = 0;
        c.setLayout(gl);
        header = new Label(c, SWT.NONE);
        header.setLayoutData(new GridData(SWT.FILL, SWT.CENTER, true, false));
        canvas = new Canvas(c, SWT.DOUBLE_BUFFERED);
        canvas.setLayoutData(new GridData(SWT.FILL, SWT.FILL, true, true));
        canvas.setBackground(canvas.getDisplay().getSystemColor(SWT.COLOR_WHITE));
        canvas.addPaintListener(e -> paint(e.gc));
        canvas.addListener(SWT.MouseDoubleClick, this::doubleClicked);
        canvas.addListener(SWT.Resize, e -> canvas.redraw());
        refresher.setSystem(true);
        ReplaySessions.get().addListener(onSessions);
        header.setText(NO_REPLAY);
        follow();
    }

    /** Shows the newest replay (or none). */
    private void follow() {
        if (canvas == null || canvas.isDisposed()) {
            return;
        }
        ReplaySession next = ReplaySessions.get().active();
        ReplaySession old = session;
        if (next == old) {
            return;
        }
        if (old != null) {
            try {
                old.debug().removePositionListener(onMove);
            } catch (RuntimeException e) {
                // closed already
            }
        }
        session = next;
        entries = List.of();
        checkpoints = List.of();
        nowSeconds = Double.NaN;
        duration = 0;
        when = "";
        if (next == null) {
            header.setText(NO_REPLAY);
            canvas.redraw();
            return;
        }
        header.setText(next.label() + ": loading the timeline...");
        Job load = new Job("Timeline of " + next.recording().getFileName()) {
            @Override
            protected IStatus run(IProgressMonitor monitor) {
                DebugSession d = next.debug();
                List<TimelineEntry> list = d.timeline();
                double length = d.durationSeconds();
                if (session != next) {
                    return Status.OK_STATUS;
                }
                duration = length;
                entries = list;
                d.addPositionListener(onMove);
                positionChanged();
                return Status.OK_STATUS;
            }
        };
        load.setSystem(true);
        load.schedule();
    }

    /** Reads the replay's position (on any thread) and redraws. */
    private void positionChanged() {
        ReplaySession s = session;
        if (s == null) {
            return;
        }
        try {
            nowSeconds = s.debug().guestSeconds();
            checkpoints = List.copyOf(s.debug().checkpointSeconds());
            when = s.debug().when();
        } catch (RuntimeException e) {
            when = "replay unavailable: " + e.getMessage();
        }
        asyncExec(() -> {
            if (!header.isDisposed()) {
                header.setText(s.label() + ": " + when);
                header.getParent().layout();
                canvas.redraw();
            }
        });
    }

    private void asyncExec(Runnable r) {
        Display d = canvas == null || canvas.isDisposed() ? null : canvas.getDisplay();
        if (d != null && !d.isDisposed()) {
            d.asyncExec(() -> {
                if (canvas != null && !canvas.isDisposed()) {
                    r.run();
                }
            });
        }
    }

    /** The layout for the canvas' current size. */
    public TimelineLayout layout() {
        Point size = canvas.getSize();
        return new TimelineLayout(entries, checkpoints, duration, size.x);
    }

    private void paint(GC gc) {
        Display d = canvas.getDisplay();
        TimelineLayout l = layout();
        Point size = canvas.getSize();
        gc.setForeground(d.getSystemColor(SWT.COLOR_DARK_GRAY));
        if (session == null) {
            return;
        }
        // time axis
        double end = l.endSeconds();
        gc.drawLine(TimelineLayout.LABEL_WIDTH, TimelineLayout.HEADER - 4, TimelineLayout.LABEL_WIDTH + l.plotWidth(), TimelineLayout.HEADER - 4);
        for (int i = 0; i <= 4; i++) {
            double t = end * i / 4;
            int x = l.x(t);
            gc.drawLine(x, TimelineLayout.HEADER - 8, x, TimelineLayout.HEADER - 4);
            String label = String.format(Locale.ROOT, "%.3f s", t);
            int w = gc.textExtent(label).x;
            gc.drawText(label, Math.min(Math.max(x - w / 2, TimelineLayout.LABEL_WIDTH), size.x - w - 2), 2, true);
        }
        List<String> lanes = l.lanes();
        for (int i = 0; i < lanes.size(); i++) {
            String lane = lanes.get(i);
            int top = l.laneTop(i);
            if (i % 2 == 0) {
                gc.setBackground(d.getSystemColor(SWT.COLOR_WIDGET_LIGHT_SHADOW));
                gc.fillRectangle(0, top, size.x, TimelineLayout.LANE_HEIGHT);
            }
            gc.setForeground(d.getSystemColor(SWT.COLOR_BLACK));
            gc.drawText(lane, 4, top + 3, true);
            Color color = new Color(d, colorOf(lane));
            gc.setForeground(color);
            gc.setBackground(color);
            boolean[] drawn = new boolean[size.x + 1];
            if (TimelineLayout.CHECKPOINT_LANE.equals(lane)) {
                for (double c : checkpoints) {
                    int x = l.x(c);
                    gc.fillPolygon(new int[] {x, top + 4, x + 5, top + 11, x, top + 18, x - 5, top + 11});
                }
            } else {
                for (TimelineEntry e : l.entries(lane)) {
                    int x = l.x(e.guestSeconds());
                    if (x >= 0 && x < drawn.length && !drawn[x]) {
                        drawn[x] = true;
                        gc.drawLine(x, top + 4, x, top + TimelineLayout.LANE_HEIGHT - 4);
                    }
                }
            }
            color.dispose();
        }
        if (!Double.isNaN(nowSeconds)) {
            int x = l.x(nowSeconds);
            gc.setForeground(d.getSystemColor(SWT.COLOR_RED));
            gc.setLineWidth(2);
            gc.drawLine(x, TimelineLayout.HEADER - 8, x, l.height());
            gc.setLineWidth(1);
        }
    }

    private static RGB colorOf(String lane) {
        if (lane.startsWith("interrupt")) {
            return new RGB(40, 90, 200);
        }
        switch (lane) {
            case "port I/O": return new RGB(110, 110, 110);
            case "serial": return new RGB(30, 140, 60);
            case "mmio": return new RGB(150, 90, 20);
            case TimelineLayout.CHECKPOINT_LANE: return new RGB(230, 140, 0);
            default: return new RGB(120, 40, 140);
        }
    }

    private void doubleClicked(Event e) {
        seekAt(e.x, e.y);
    }

    /** Seeks the replay to what is drawn at (x, y); returns the seek job, or null with no replay. */
    public Job seekAt(int x, int y) {
        ReplaySession s = session;
        if (s == null || entries.isEmpty()) {
            return null;
        }
        String target = layout().seekTarget(x, y);
        Job job = new Job("Seek replay to " + target) {
            @Override
            protected IStatus run(IProgressMonitor monitor) {
                try {
                    s.debug().seek(target);
                } catch (RuntimeException ex) {
                    String msg = ex.getMessage() == null ? ex.toString() : ex.getMessage();
                    asyncExec(() -> header.setText(s.label() + ": cannot seek to " + target + ": " + msg));
                    return Status.OK_STATUS;
                }
                positionChanged();
                for (var p : s.launch().getProcesses()) {
                    if (p instanceof io.lore.ui.launch.ReplayProcess rp) {
                        rp.info("lore: Timeline seek to " + target + ": now at " + when.strip()
                                + " (a connected GDB shows it after its next step, or after 'maint flush register-cache')");
                    }
                }
                return Status.OK_STATUS;
            }
        };
        job.setSystem(true);
        lastSeek = job;
        job.schedule();
        return job;
    }

    /** The replay the view shows, or null. */
    public ReplaySession session() {
        return session;
    }

    /** The entries shown (empty until loaded). */
    public List<TimelineEntry> entries() {
        return entries;
    }

    /** The guest time of the position marker (NaN when none). */
    public double markerSeconds() {
        return nowSeconds;
    }

    /** The header text: the replay and its position as `monitor when` says it. */
    public String headerText() {
        return header.getText();
    }

    public Canvas canvas() {
        return canvas;
    }

    public Job lastSeek() {
        return lastSeek;
    }

    @Override
    public void setFocus() {
        canvas.setFocus();
    }

    @Override
    public void dispose() {
        ReplaySessions.get().removeListener(onSessions);
        ReplaySession s = session;
        if (s != null) {
            try {
                s.debug().removePositionListener(onMove);
            } catch (RuntimeException e) {
                // closed
            }
        }
        super.dispose();
    }
}
