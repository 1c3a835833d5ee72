package io.lore.rsp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/** target.xml and the register codec agree with each other and with GDB's amd64 numbering. */
class DescriptionAndCodecTest {
    private final TargetDescription td = TargetDescription.X86_64;
    private final RegisterCodec codec = new RegisterCodec(td);

    private Document parse() throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setValidating(false);
        f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
        return f.newDocumentBuilder().parse(new ByteArrayInputStream(td.xml().getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void xmlHasTheFeaturesAndRegistersInNumberOrder() throws Exception {
        Document doc = parse();
        assertEquals("i386:x86-64", doc.getElementsByTagName("architecture").item(0).getTextContent());
        NodeList features = doc.getElementsByTagName("feature");
        List<String> names = new ArrayList<>();
        for (int i = 0; i < features.getLength(); i++) {
            names.add(((Element) features.item(i)).getAttribute("name"));
        }
        assertEquals(List.of("org.gnu.gdb.i386.core", "org.gnu.gdb.i386.sse", "org.gnu.gdb.i386.segments",
                "org.lore.x86.system"), names);
        NodeList regs = doc.getElementsByTagName("reg");
        assertEquals(td.registers().size(), regs.getLength());
        for (int i = 0; i < regs.getLength(); i++) {
            Element r = (Element) regs.item(i);
            assertEquals(String.valueOf(i), r.getAttribute("regnum"));
            assertEquals(td.registers().get(i).name(), r.getAttribute("name"));
        }
        // GDB's amd64 numbering for the standard part.
        assertEquals(0, td.register("rax").number());
        assertEquals(6, td.register("rbp").number());
        assertEquals(16, td.register("rip").number());
        assertEquals(17, td.register("eflags").number());
        assertEquals(23, td.register("gs").number());
        assertEquals(24, td.register("st0").number());
        assertEquals(39, td.register("fop").number());
        assertEquals(40, td.register("xmm0").number());
        assertEquals(56, td.register("mxcsr").number());
        assertEquals(57, td.register("fs_base").number());
        for (String n : List.of("cr0", "cr2", "cr3", "cr4", "cr8", "efer")) {
            assertEquals(64, td.register(n).bitsize(), n);
            assertEquals(TargetDescription.SYSTEM, td.register(n).feature(), n);
        }
    }

    @Test
    void xmlNeedsNoEscapingOnTheWire() {
        for (char c : td.xml().toCharArray()) {
            assertFalse(Frames.needsEscape(c), "character " + c);
        }
    }

    @Test
    void gPacketIsAllRegistersLittleEndianInOrder() {
        X86Registers r = new X86Registers();
        r.gpr[0] = 0x1122334455667788L;
        r.rip = 0xffffffff81000000L;
        r.eflags = 0x246;
        r.segments[0] = 0x10;
        r.st[0] = 1;
        r.st[79] = (byte) 0xff;
        r.fop = 0x55;
        r.xmm[0] = (byte) 0xaa;
        r.xmm[255] = (byte) 0xbb;
        r.mxcsr = 0x1f80;
        r.fsBase = 0x7f00;
        r.gsBase = -1;
        r.cr3 = 0x1234000;
        r.efer = 0xd01;
        String g = codec.encodeAll(r);
        assertEquals(2 * (16 * 8 + 8 + 4 + 6 * 4 + 80 + 8 * 4 + 256 + 4 + 2 * 8 + 6 * 8), g.length());
        assertEquals(g.length(), codec.gPacketLength());
        assertTrue(g.startsWith("8877665544332211"));
        assertEquals("00000081ffffffff", g.substring(256, 272));   // rip after 16 gprs
        assertEquals("46020000", g.substring(272, 280));
        assertEquals("10000000", g.substring(280, 288));           // cs
        // p agrees with the slice of g for every register.
        int offset = 0;
        for (TargetDescription.Register reg : td.registers()) {
            String p = codec.encode(r, reg.number());
            assertEquals(reg.bytes() * 2, p.length(), reg.name());
            assertEquals(g.substring(offset, offset + p.length()), p, reg.name());
            offset += p.length();
        }
        assertEquals("0040230100000000", codec.encode(r, td.register("cr3").number()));
        assertEquals("010d000000000000", codec.encode(r, td.register("efer").number()));
        assertEquals("ffffffffffffffff", codec.encode(r, td.register("gs_base").number()));
        assertEquals("aa" + "00".repeat(15), codec.encode(r, td.register("xmm0").number()));
        assertEquals("00".repeat(15) + "bb", codec.encode(r, td.register("xmm15").number()));
        assertThrows(RspError.class, () -> codec.encode(r, td.registers().size()));
        assertThrows(RspError.class, () -> codec.encode(r, -1));
    }

    @Test
    void xferChunksCoverTheDocumentAndMarkTheLastPart() {
        String doc = td.xml();
        StringBuilder got = new StringBuilder();
        int offset = 0;
        while (true) {
            String part = TargetDescription.xferChunk(doc, offset, 1000);
            got.append(part, 1, part.length());
            offset += part.length() - 1;
            if (part.charAt(0) == 'l') {
                break;
            }
            assertEquals('m', part.charAt(0));
        }
        assertEquals(doc, got.toString());
        assertEquals("l", TargetDescription.xferChunk(doc, doc.length() + 5, 100));
        assertEquals("l" + doc.substring(doc.length() - 3), TargetDescription.xferChunk(doc, doc.length() - 3, 100));
    }

    @Test
    void stopReplies() {
        assertEquals("T05thread:1;", StopReplies.encode(StopReason.of(StopReason.Kind.STEP), true, true));
        assertEquals("T05thread:1;swbreak:;", StopReplies.encode(StopReason.of(StopReason.Kind.SOFTWARE_BREAKPOINT), true, true));
        assertEquals("T05thread:1;", StopReplies.encode(StopReason.of(StopReason.Kind.SOFTWARE_BREAKPOINT), false, false));
        assertEquals("T05thread:1;hwbreak:;", StopReplies.encode(StopReason.of(StopReason.Kind.HARDWARE_BREAKPOINT), true, true));
        assertEquals("T05thread:1;watch:2000;", StopReplies.encode(StopReason.watchpoint(BreakpointType.WRITE_WATCH, 0x2000), true, true));
        assertEquals("T05thread:1;rwatch:ffff888000001000;",
                StopReplies.encode(StopReason.watchpoint(BreakpointType.READ_WATCH, 0xffff888000001000L), true, true));
        assertEquals("T05thread:1;awatch:10;", StopReplies.encode(StopReason.watchpoint(BreakpointType.ACCESS_WATCH, 0x10), true, true));
        assertEquals("T05thread:1;replaylog:begin;", StopReplies.encode(StopReason.of(StopReason.Kind.HISTORY_BEGIN), true, true));
        assertEquals("T05thread:1;replaylog:end;", StopReplies.encode(StopReason.of(StopReason.Kind.HISTORY_END), true, true));
        assertEquals("T02thread:1;", StopReplies.encode(StopReason.of(StopReason.Kind.INTERRUPTED), true, true));
        assertEquals("W00", StopReplies.encode(StopReason.exited(0), true, true));
        assertEquals("W2a", StopReplies.encode(StopReason.exited(42), true, true));
    }

    @Test
    void errorTextIsSanitized() {
        assertEquals("E.a?b?c?d? e", RspError.text("a$b#c*d}\ne").reply());
        assertEquals("E16", RspError.code(RspError.EINVAL, "x").reply());
        assertEquals("error", RspError.sanitize(null));
        assertEquals(200, RspError.sanitize("x".repeat(1000)).length());
    }

    @Test
    void hexParsingIsStrict() {
        assertEquals(0xffffffffffffffffL, Hex.parseLong("ffffffffffffffff"));
        assertThrows(RspError.class, () -> Hex.parseLong(""));
        assertThrows(RspError.class, () -> Hex.parseLong("12345678901234567"));
        assertThrows(RspError.class, () -> Hex.parseLong("12g"));
        assertThrows(RspError.class, () -> Hex.parseInt("100000000", Integer.MAX_VALUE));
        assertThrows(RspError.class, () -> Hex.decode("abc"));
        assertEquals("68656c70", Hex.encodeText("help"));
    }
}
