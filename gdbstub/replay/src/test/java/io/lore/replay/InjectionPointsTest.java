package io.lore.replay;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class InjectionPointsTest {
    private static byte[] b(int... v) {
        byte[] out = new byte[15];
        for (int i = 0; i < v.length; i++) {
            out[i] = (byte) v[i];
        }
        return out;
    }

    @Test
    void repStringInstructionsAreRecognised() {
        assertTrue(InjectionPoints.isRepString(b(0xf3, 0xa4), true));             // rep movsb
        assertTrue(InjectionPoints.isRepString(b(0xf3, 0x48, 0xab), true));       // rep stosq
        assertTrue(InjectionPoints.isRepString(b(0x66, 0xf3, 0x6f), false));      // rep outsw
        assertTrue(InjectionPoints.isRepString(b(0xf2, 0xae), true));             // repne scasb
    }

    @Test
    void otherInstructionsAreNot() {
        assertFalse(InjectionPoints.isRepString(b(0xa4), true));                  // movsb without rep
        assertFalse(InjectionPoints.isRepString(b(0xf3, 0x90), true));            // pause
        assertFalse(InjectionPoints.isRepString(b(0xf3, 0x0f, 0xb8), true));      // popcnt
        assertFalse(InjectionPoints.isRepString(b(0x48, 0xab), false));           // dec eax; stosd in 32-bit: REX is not a prefix there
        assertFalse(InjectionPoints.isRepString(b(0xeb, 0xfe), true));            // jmp $
    }
}
