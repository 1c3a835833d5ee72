package io.lore.engine.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.InputStream;
import java.net.URL;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.JarInputStream;

import org.junit.jupiter.api.Test;
import org.osgi.framework.Bundle;
import org.osgi.framework.FrameworkUtil;
import org.osgi.framework.Version;

import com.sun.jna.Native;
import com.sun.jna.Platform;

import io.lore.kvm.GuestMemory;
import io.lore.kvm.Kvm;
import io.lore.log.Codec;
import io.lore.machine.devices.Clock;
import io.lore.machine.devices.DebugExit;
import io.lore.machine.devices.PortBus;
import io.lore.machine.devices.PortDevice;

/**
 * Runs headless inside OSGi (tycho-surefire) and checks that the engine jars embedded in
 * io.lore.engine are usable from another bundle: classes load from the engine bundle, JNA is
 * the platform's bundle, and native calls made by the embedded engine work.
 */
class EngineEmbeddingTest {

    private static Bundle engine() {
        Bundle b = FrameworkUtil.getBundle(GuestMemory.class);
        assertNotNull(b, "engine classes are not loaded by an OSGi bundle");
        return b;
    }

    @Test
    void engineClassesComeFromTheEngineBundle() {
        assertEquals("io.lore.engine", engine().getSymbolicName());
        assertSame(engine(), FrameworkUtil.getBundle(PortDevice.class));
        assertSame(engine(), FrameworkUtil.getBundle(Kvm.class));
    }

    @Test
    void everyBundleClassPathJarIsEmbedded() throws Exception {
        String header = engine().getHeaders().get("Bundle-ClassPath");
        assertNotNull(header, "io.lore.engine has no Bundle-ClassPath");
        List<String> jars = new ArrayList<>();
        for (String entry : header.split(",")) {
            String path = entry.trim();
            if (path.endsWith(".jar")) {
                jars.add(path);
            }
        }
        assertTrue(jars.contains("lib/lore-kvm.jar"), "lore-kvm is not on Bundle-ClassPath: " + header);
        // and the other way round: a jar copied into lib/ but left off Bundle-ClassPath is dead
        // weight at best, a NoClassDefFoundError at worst (e.g. a new transitive dependency)
        java.util.Enumeration<String> inLib = engine().getEntryPaths("lib/");
        while (inLib != null && inLib.hasMoreElements()) {
            String path = inLib.nextElement();
            assertTrue(jars.contains(path), path + " is in the bundle but not on Bundle-ClassPath in "
                    + "plugins/io.lore.engine/META-INF/MANIFEST.MF: " + header);
        }
        for (String jar : jars) {
            URL url = engine().getEntry(jar);
            assertNotNull(url, jar + " is on Bundle-ClassPath but not in the bundle");
            int entries = 0;
            try (InputStream in = url.openStream(); JarInputStream jin = new JarInputStream(in)) {
                assertNotNull(jin.getManifest(), jar + " is not a jar");
                while (jin.getNextJarEntry() != null) {
                    entries++;
                }
            }
            assertTrue(entries > 0, jar + " is empty");
        }
    }

    @Test
    void privateDependenciesAreEmbeddedButNotExported() throws Exception {
        // commons-cli is on the engine's Bundle-ClassPath, not in the target platform
        Class<?> options = engine().loadClass("org.apache.commons.cli.Options");
        assertSame(engine(), FrameworkUtil.getBundle(options));
        Bundle self = FrameworkUtil.getBundle(getClass());
        assertThrows(ClassNotFoundException.class, () -> self.loadClass("org.apache.commons.cli.Options"));
    }

    @Test
    void jnaIsThePlatformBundleForEngineAndCaller() throws Exception {
        Bundle jna = FrameworkUtil.getBundle(Native.class);
        assertNotNull(jna);
        assertEquals("com.sun.jna", jna.getSymbolicName());
        assertEquals(5, jna.getVersion().getMajor(), "JNA " + jna.getVersion());
        assertTrue(jna.getVersion().compareTo(new Version(5, 15, 0)) >= 0, "JNA " + jna.getVersion());
        // the engine must see the very same class, not a private copy
        assertSame(Native.class, engine().loadClass("com.sun.jna.Native"));
        assertTrue(Platform.isLinux());
        assertEquals(8, Native.POINTER_SIZE);
    }

    @Test
    void embeddedEngineMakesNativeCalls() {
        // GuestMemory mmaps anonymous memory through the engine's JNA direct mapping of libc
        try (GuestMemory mem = new GuestMemory(64 * 1024)) {
            byte[] data = "LoRe inside OSGi".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            mem.write(0x1000, data);
            mem.writeLong(0x2000, 0x1122334455667788L);
            assertArrayEquals(data, mem.read(0x1000, data.length));
            assertEquals(0x1122334455667788L, mem.readLong(0x2000));
            assertEquals(0, mem.readInt(0x8000), "fresh anonymous memory is zero");
            assertThrows(IndexOutOfBoundsException.class, () -> mem.readByte(64 * 1024));
        }
    }

    @Test
    void embeddedZstdLoadsItsNativeLibrary() {
        // zstd-jni is embedded (lib/zstd-jni.jar) and extracts its JNI library itself
        byte[] raw = new byte[64 * 1024];
        for (int i = 0; i < raw.length; i++) {
            raw[i] = (byte) (i % 251 < 200 ? 0 : i);
        }
        byte[] packed = Codec.ZSTD.compress(raw, raw.length);
        assertTrue(packed.length < raw.length / 4, "zstd did not compress: " + packed.length);
        assertArrayEquals(raw, Codec.ZSTD.decompress(packed, raw.length));
    }

    @Test
    void machineDevicesWork() {
        PortBus bus = new PortBus();
        DebugExit exit = new DebugExit();
        bus.register(DebugExit.DEFAULT_PORT, DebugExit.PORT_COUNT, exit);
        assertSame(exit, bus.deviceAt(DebugExit.DEFAULT_PORT));
        assertEquals(0xff, bus.read(0x3e0, 1), "an empty ISA port floats high");
        bus.write(DebugExit.DEFAULT_PORT, 1, 0x10);
        assertEquals(0x21, exit.requestedExitStatus().orElse(-1));
        long t0 = Clock.HOST.nanos();
        assertFalse(Clock.HOST.nanos() < t0, "host clock went backwards");
    }

    /** Every package of the embedded lore-*.jar files must be in Export-Package. */
    @Test
    void everyEnginePackageIsExported() throws Exception {
        Set<String> exported = new TreeSet<>();
        for (String clause : splitClauses(engine().getHeaders().get("Export-Package"))) {
            exported.add(clause.split(";", 2)[0].trim());
        }
        Set<String> packages = new TreeSet<>();
        for (String entry : splitClauses(engine().getHeaders().get("Bundle-ClassPath"))) {
            String jar = entry.trim();
            if (!jar.startsWith("lib/lore-")) {
                continue;
            }
            try (InputStream in = engine().getEntry(jar).openStream(); JarInputStream jin = new JarInputStream(in)) {
                for (java.util.jar.JarEntry e; (e = jin.getNextJarEntry()) != null;) {
                    String name = e.getName();
                    if (name.endsWith(".class") && name.startsWith("io/lore/") && name.lastIndexOf('/') > 0) {
                        packages.add(name.substring(0, name.lastIndexOf('/')).replace('/', '.'));
                    }
                }
            }
        }
        assertTrue(packages.contains("io.lore.kvm"), "no engine packages found: " + packages);
        packages.removeAll(exported);
        assertTrue(packages.isEmpty(), "engine packages missing from Export-Package in "
                + "plugins/io.lore.engine/META-INF/MANIFEST.MF: " + packages);
    }

    /** Splits a manifest header at commas that are not inside quotes. */
    private static List<String> splitClauses(String header) {
        List<String> out = new ArrayList<>();
        if (header == null) {
            return out;
        }
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        for (char c : header.toCharArray()) {
            if (c == '"') {
                quoted = !quoted;
            }
            if (c == ',' && !quoted) {
                out.add(cur.toString().trim());
                cur.setLength(0);
            } else {
                cur.append(c);
            }
        }
        if (cur.length() > 0) {
            out.add(cur.toString().trim());
        }
        return out;
    }

    @Test
    void kvmOpensWhereAvailable() {
        File dev = new File(Kvm.DEVICE);
        assumeTrue(dev.canRead() && dev.canWrite(), "no usable " + Kvm.DEVICE + " on this host");
        try (Kvm kvm = Kvm.open()) {
            assertTrue(kvm.checkExtension(Kvm.CAP_USER_MEMORY) > 0);
        }
    }
}
