package io.lore.ui.model;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.eclipse.core.resources.IFile;
import org.eclipse.core.resources.IResource;
import org.eclipse.core.resources.IResourceChangeEvent;
import org.eclipse.core.resources.IResourceChangeListener;
import org.eclipse.core.resources.IWorkspaceRoot;
import org.eclipse.core.resources.ResourcesPlugin;
import org.eclipse.core.runtime.CoreException;
import org.eclipse.core.runtime.IProgressMonitor;

/**
 * The recordings the IDE knows: every {@code *.lore} file in the workspace, plus recordings
 * made by LoRe Record launches outside it. Summaries are read once per file version (path,
 * size, modification time) and cached.
 */
public final class RecordingsModel {
    public static final String EXTENSION = "lore";
    private static final RecordingsModel INSTANCE = new RecordingsModel();

    private final Set<Path> external = new LinkedHashSet<>();
    private final Map<Path, Cached> cache = new ConcurrentHashMap<>();
    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
    private IResourceChangeListener workspaceListener;

    private record Cached(long size, long modified, RecordingInfo info) {}

    public static RecordingsModel get() {
        return INSTANCE;
    }

    private RecordingsModel() {}

    /** Called on any change (a recording added, deleted, rewritten); from any thread. */
    public synchronized void addListener(Runnable l) {
        listeners.add(l);
        if (workspaceListener == null) {
            workspaceListener = e -> {
                if (e.getDelta() != null && touchesRecordings(e)) {
                    changed();
                }
            };
            ResourcesPlugin.getWorkspace().addResourceChangeListener(workspaceListener, IResourceChangeEvent.POST_CHANGE);
        }
    }

    public synchronized void removeListener(Runnable l) {
        listeners.remove(l);
    }

    private static boolean touchesRecordings(IResourceChangeEvent e) {
        boolean[] found = {false};
        try {
            e.getDelta().accept(d -> {
                if (d.getResource().getType() == IResource.FILE && EXTENSION.equals(d.getResource().getFileExtension())) {
                    found[0] = true;
                }
                return !found[0];
            });
        } catch (CoreException ex) {
            return true;
        }
        return found[0];
    }

    private void changed() {
        for (Runnable l : listeners) {
            l.run();
        }
    }

    /** A LoRe Record launch finished writing {@code file}: show it, and let the workspace see it. */
    public void recorded(Path file) {
        IFile[] inWorkspace = workspaceFiles(file);
        if (inWorkspace.length == 0) {
            synchronized (this) {
                external.add(file.toAbsolutePath().normalize());
            }
        }
        for (IFile f : inWorkspace) {
            try {
                f.getParent().refreshLocal(IResource.DEPTH_ONE, (IProgressMonitor) null);
            } catch (CoreException e) {
                // the view still lists it through the file system
            }
        }
        cache.remove(file.toAbsolutePath().normalize());
        changed();
    }

    private static IFile[] workspaceFiles(Path file) {
        return ResourcesPlugin.getWorkspace().getRoot().findFilesForLocationURI(file.toAbsolutePath().toUri());
    }

    /** Every known recording file that exists now, workspace ones first, in a stable order. */
    public List<Path> files() {
        Set<Path> all = new LinkedHashSet<>();
        IWorkspaceRoot root = ResourcesPlugin.getWorkspace().getRoot();
        try {
            root.accept(r -> {
                if (r.getType() == IResource.FILE && EXTENSION.equals(r.getFileExtension()) && r.getLocation() != null) {
                    all.add(r.getLocation().toFile().toPath().toAbsolutePath().normalize());
                }
                return true;
            });
        } catch (CoreException e) {
            // list what could be visited
        }
        synchronized (this) {
            external.removeIf(p -> !Files.isRegularFile(p));
            all.addAll(external);
        }
        return new ArrayList<>(all);
    }

    /** The summary of {@code file}, read now unless the cached one is still current. */
    public RecordingInfo info(Path file) {
        Path key = file.toAbsolutePath().normalize();
        File f = key.toFile();
        long size = f.length();
        long modified = f.lastModified();
        Cached c = cache.get(key);
        if (c != null && c.size == size && c.modified == modified) {
            return c.info;
        }
        RecordingInfo info = RecordingInfo.read(key);
        cache.put(key, new Cached(size, modified, info));
        return info;
    }

    /** Deletes a recording (through the workspace when it is in it); returns a one-line error or null. */
    public String delete(Path file) {
        try {
            IFile[] ws = workspaceFiles(file);
            if (ws.length > 0) {
                for (IFile w : ws) {
                    w.delete(true, null);
                }
            } else {
                Files.deleteIfExists(file);
            }
            synchronized (this) {
                external.remove(file.toAbsolutePath().normalize());
            }
            cache.remove(file.toAbsolutePath().normalize());
            changed();
            return null;
        } catch (Exception e) {
            return "cannot delete " + file + ": " + (e.getMessage() == null ? e : e.getMessage());
        }
    }
}
