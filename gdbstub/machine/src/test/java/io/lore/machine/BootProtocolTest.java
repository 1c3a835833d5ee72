package io.lore.machine;

import static io.lore.machine.GuestRunner.assertLine;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lore.machine.boot.BootException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Both boot protocols end to end on the real /dev/kvm: the PVH ELF guests (hello, bzload) and
 * the Linux bzImage guest print what their loader handed them (command line, memory map,
 * modules/initrd), and kernels LoRe cannot boot are refused with a message that says why.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class BootProtocolTest {
    /** The initrd the QEMU cross-check script uses too: 28 known bytes. */
    static final byte[] INITRD = "LoRe-initrd-0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    static final String INITRD_FIRST_BYTES = "initrd: first bytes: 4c 6f 52 65 2d 69 6e 69 74 72 64 2d 30 31 32 33";

    @TempDir
    Path dir;

    private static void assertDebugExit(GuestRunner.Run r, int status) {
        assertEquals(RunResult.Outcome.DEBUG_EXIT, r.result().outcome(), r::describe);
        assertEquals(status, r.result().exitStatus(), r::describe);
        assertTrue(r.lines().stream().noneMatch(l -> l.startsWith("FAIL") || l.startsWith("PANIC")), r::describe);
    }

    /** The four-entry PC map LoRe reports (MemoryMap.forRam), as the guests print it. */
    static List<String> memmapLines(String prefix, int memMiB) {
        return List.of(
                prefix + " 0: 0x0000000000000000-0x000000000009fbff type 1 (RAM)",
                prefix + " 1: 0x000000000009fc00-0x000000000009ffff type 2 (reserved)",
                prefix + " 2: 0x00000000000f0000-0x00000000000fffff type 2 (reserved)",
                String.format("%s 3: 0x0000000000100000-0x%016x type 1 (RAM)", prefix, ((long) memMiB << 20) - 1));
    }

    @Test
    void helloPrintsCmdlineAndMemmapForTheChosenMemorySize() throws Exception {
        GuestRunner.Run r = GuestRunner.guest("hello").cmdline("lore test n=5 quoted=\"x y\"").mem(48).run();
        assertDebugExit(r, 1);
        List<String> lines = r.lines();
        assertEquals("Hello from LoRe guest", lines.get(0), r::describe);
        assertLine(r, "start_info: at 0x6000 version 1 flags 0x0");
        assertLine(r, "cmdline: \"lore test n=5 quoted=\"x y\"\"");
        assertLine(r, "memmap: 4 entries");
        for (String l : memmapLines("memmap", 48)) {
            assertLine(r, l);
        }
        assertTrue(lines.stream().noneMatch(l -> l.startsWith("module ")), "no initrd, no PVH module");
        assertEquals("hello: done", lines.get(lines.size() - 1), r::describe);
    }

    @Test
    void helloWithDefaultMemoryAndEmptyCmdline() throws Exception {
        GuestRunner.Run r = GuestRunner.guest("hello").run();
        assertDebugExit(r, 1);
        assertLine(r, "cmdline: \"\"");
        assertLine(r, memmapLines("memmap", MachineConfig.DEFAULT_MEMORY_MIB).get(3));
    }

    @Test
    void helloSeesTheInitrdAsPvhModuleZero() throws Exception {
        Path initrd = Files.write(dir.resolve("initrd.img"), INITRD);
        GuestRunner.Run r = GuestRunner.guest("hello").initrd(initrd).mem(64).run();
        assertDebugExit(r, 1);
        // page-aligned, as high as fits: the last page of the 64 MiB
        assertLine(r, "module 0: 0x3fff000 size 28");
    }

    @Test
    void bzImageGetsCmdlineE820AndInitrdThroughBootParams() throws Exception {
        Path initrd = Files.write(dir.resolve("initrd"), INITRD);
        GuestRunner.Run r = GuestRunner.guest("bzimage").cmdline("console=ttyS0 lore=1").initrd(initrd).mem(96).run();
        assertDebugExit(r, 1);
        assertEquals("Hello from bzImage", r.lines().get(0), r::describe);
        assertLine(r, "boot_params: at 0x7000, boot protocol 2.15, loader type 0xff");
        assertLine(r, "entry: startup_64 (64-bit boot protocol, payload + 0x200)");
        assertLine(r, "cmdline: \"console=ttyS0 lore=1\"");
        assertLine(r, "e820: 4 entries");
        for (String l : memmapLines("e820", 96)) {
            assertLine(r, l);
        }
        assertLine(r, "initrd: at 0x5fff000, 28 bytes");
        assertLine(r, INITRD_FIRST_BYTES);
        assertLine(r, "bzimage: done");
    }

    @Test
    void bzImageWithoutInitrd() throws Exception {
        GuestRunner.Run r = GuestRunner.guest("bzimage").run();
        assertDebugExit(r, 1);
        assertLine(r, "cmdline: \"\"");
        assertLine(r, "initrd: none");
    }

    /** bzload: a PVH guest that boots the bzImage (its PVH module) through the 64-bit protocol itself. */
    @Test
    void pvhModuleCarriesABzImageToTheBzloadHelper() throws Exception {
        GuestRunner.Run r = GuestRunner.guest("bzload").initrd(GuestRunner.guestPath("bzimage"))
                .cmdline("via 64-bit entry").run();
        assertDebugExit(r, 1);
        assertLine(r, "bzload: 64-bit boot protocol loader");
        assertLine(r, "entry: startup_64 (64-bit boot protocol, payload + 0x200)");
        assertLine(r, "cmdline: \"via 64-bit entry\"");
        assertLine(r, "initrd: first bytes: 4c 6f 52 65 2d 74 65 73 74 2d 69 6e 69 74 72 64");
        assertLine(r, "bzimage: done");
    }

    // ------------------------------------------------------------------ boot errors

    @Test
    void aFileThatIsNeitherElfNorBzImageIsRefused() throws Exception {
        Path junk = Files.writeString(dir.resolve("notes.txt"), "this is not a kernel\n".repeat(100));
        BootException e = assertThrows(BootException.class, () -> GuestRunner.kernel(junk).run());
        assertTrue(e.getMessage().contains("notes.txt"), e.getMessage());
        assertTrue(e.getMessage().contains("PVH ELF") && e.getMessage().contains("bzImage"), e.getMessage());
    }

    @Test
    void anEmptyKernelFileIsRefused() throws Exception {
        Path empty = Files.write(dir.resolve("empty"), new byte[0]);
        BootException e = assertThrows(BootException.class, () -> GuestRunner.kernel(empty).run());
        assertTrue(e.getMessage().contains("not a kernel"), e.getMessage());
    }

    @Test
    void aMissingKernelFileNamesTheFile() {
        Path missing = dir.resolve("no-such-kernel.elf");
        NoSuchFileException e = assertThrows(NoSuchFileException.class, () -> GuestRunner.kernel(missing).run());
        assertEquals(missing.toString(), e.getFile());
        assertTrue(e.getReason().contains("kernel"), e.getReason());
    }

    @Test
    void anElfWithoutThePvhNoteIsRefused() throws Exception {
        Path elf = Files.write(dir.resolve("plain.elf"), GuestRunner.tinyElf(new byte[] {(byte) 0xf4}, false));
        BootException e = assertThrows(BootException.class, () -> GuestRunner.kernel(elf).run());
        assertTrue(e.getMessage().contains("plain.elf"), e.getMessage());
        assertTrue(e.getMessage().contains("PVH entry note") && e.getMessage().contains("XEN_ELFNOTE_PHYS32_ENTRY"),
                e.getMessage());
    }

    @Test
    void hellosPvhNoteWithAnotherTypeIsNotAnEntryPoint() throws Exception {
        // The real hello.elf with its note's type changed from 18 (PHYS32_ENTRY) to 19.
        byte[] image = Files.readAllBytes(GuestRunner.guestPath("hello"));
        ByteBuffer b = ByteBuffer.wrap(image).order(ByteOrder.LITTLE_ENDIAN);
        long phoff = b.getLong(32);
        int phentsize = b.getShort(54) & 0xffff;
        int phnum = b.getShort(56) & 0xffff;
        int patched = 0;
        for (int i = 0; i < phnum; i++) {
            int o = (int) (phoff + (long) i * phentsize);
            if (b.getInt(o) == 4) { // PT_NOTE
                int off = (int) b.getLong(o + 8);
                int end = off + (int) b.getLong(o + 32);
                while (off + 12 <= end) {
                    int namesz = b.getInt(off);
                    int descsz = b.getInt(off + 4);
                    if (b.getInt(off + 8) == 18) {
                        b.putInt(off + 8, 19);
                        patched++;
                    }
                    off += 12 + ((namesz + 3) & ~3) + ((descsz + 3) & ~3);
                }
            }
        }
        assertEquals(1, patched, "hello.elf has one PVH entry note");
        Path elf = Files.write(dir.resolve("hello-no-note.elf"), image);
        BootException e = assertThrows(BootException.class, () -> GuestRunner.kernel(elf).run());
        assertTrue(e.getMessage().contains("PVH entry note"), e.getMessage());
    }

    @Test
    void aKernelBeyondGuestMemorySuggestsMoreMemory() {
        // bzload is linked at 8 MiB; a 4 MiB guest cannot hold it.
        BootException e = assertThrows(BootException.class, () -> GuestRunner.guest("bzload").mem(4).run());
        assertTrue(e.getMessage().contains("bzload.elf"), e.getMessage());
        assertTrue(e.getMessage().contains("--mem"), e.getMessage());
        assertTrue(e.getMessage().contains("4 MiB"), e.getMessage());
    }

    @Test
    void anInitrdThatDoesNotFitSuggestsMoreMemory() throws Exception {
        Path big = Files.write(dir.resolve("big-initrd"), new byte[3 << 20]);
        BootException e = assertThrows(BootException.class, () -> GuestRunner.guest("hello").initrd(big).mem(4).run());
        assertTrue(e.getMessage().contains("initrd") && e.getMessage().contains("--mem"), e.getMessage());
    }

    @Test
    void memoryOutsideTheSupportedRangeIsRejected() {
        IllegalArgumentException low = assertThrows(IllegalArgumentException.class,
                () -> GuestRunner.guest("hello").mem(1).config());
        assertTrue(low.getMessage().contains("between 2 and " + MachineConfig.MAX_MEMORY_MIB), low.getMessage());
        assertThrows(IllegalArgumentException.class, () -> GuestRunner.guest("hello").mem(MachineConfig.MAX_MEMORY_MIB + 1).config());
    }
}
