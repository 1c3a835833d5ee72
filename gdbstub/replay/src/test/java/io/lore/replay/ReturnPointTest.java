package io.lore.replay;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Which code bytes before an address make it a return address; how often an interrupt waits for one. */
class ReturnPointTest {
    /** The 7 bytes before an address: padding, then {@code tail}. */
    private static byte[] before(int... tail) {
        byte[] b = new byte[7];
        java.util.Arrays.fill(b, (byte) 0x90);
        for (int i = 0; i < tail.length; i++) {
            b[7 - tail.length + i] = (byte) tail[i];
        }
        return b;
    }

    @Test
    void directAndIndirectCallsAreRecognised() {
        assertTrue(ReturnPoint.followsCall(before(0xe8, 0x3d, 0xf6, 0xff, 0xff)), "call rel32");
        assertTrue(ReturnPoint.followsCall(before(0xff, 0xd0)), "call rax");
        assertTrue(ReturnPoint.followsCall(before(0x41, 0xff, 0xd3)), "call r11");
        assertTrue(ReturnPoint.followsCall(before(0xff, 0x50, 0x08)), "call [rax+8]");
        assertTrue(ReturnPoint.followsCall(before(0xff, 0x90, 0x00, 0x01, 0x00, 0x00)), "call [rax+0x100]");
        assertTrue(ReturnPoint.followsCall(before(0xff, 0x15, 0x10, 0x20, 0x00, 0x00)), "call [rip+disp32]");
        assertTrue(ReturnPoint.followsCall(before(0xff, 0x13)), "call [rbx]");
    }

    @Test
    void otherCodeIsNot() {
        assertFalse(ReturnPoint.followsCall(before()), "nops");
        assertFalse(ReturnPoint.followsCall(before(0xff, 0xe0)), "jmp rax (FF /4)");
        assertFalse(ReturnPoint.followsCall(before(0xff, 0xc0)), "inc eax (FF /0)");
        assertFalse(ReturnPoint.followsCall(before(0xe9, 0x00, 0x00, 0x00, 0x00)), "jmp rel32");
        assertFalse(ReturnPoint.followsCall(before(0x48, 0x89, 0xd8, 0x90, 0x90)), "mov rax, rbx");
    }

    @Test
    void twoWaitsThenALastChanceOnlyForAReturnNotMissedAlready() {
        ReturnPoint p = new ReturnPoint(null, null);
        long loop = 0x102813, callee = 0x101e6d;
        assertTrue(p.mayWaitFor(loop), "first wait");
        p.missedReturn(loop);
        assertTrue(p.mayWaitFor(loop), "second wait, even for the same return");
        p.missedReturn(loop);
        assertFalse(p.mayWaitFor(loop), "the same return a third time: a loop that does not return");
        assertTrue(p.mayWaitFor(callee), "a function not waited for yet: the last chance");
        p.missedReturn(callee);
        assertFalse(p.mayWaitFor(0x102959), "nothing after the last chance");
        p.injected();
        assertTrue(p.mayWaitFor(loop), "the next interrupt waits again");
    }
}
