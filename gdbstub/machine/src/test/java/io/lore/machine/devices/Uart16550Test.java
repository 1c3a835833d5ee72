package io.lore.machine.devices;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class Uart16550Test {
    private static final int BASE = 0x3f8;
    private static final int RBR = BASE;
    private static final int THR = BASE;
    private static final int IER = BASE + 1;
    private static final int IIR = BASE + 2;
    private static final int FCR = BASE + 2;
    private static final int LCR = BASE + 3;
    private static final int MCR = BASE + 4;
    private static final int LSR = BASE + 5;
    private static final int MSR = BASE + 6;
    private static final int SCR = BASE + 7;

    /** Counts the calls the UART makes on its stream. */
    static final class CountingStream extends OutputStream {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int writeCalls;
        int flushes;

        @Override
        public void write(int b) {
            writeCalls++;
            bytes.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            writeCalls++;
            bytes.write(b, off, len);
        }

        @Override
        public void flush() {
            flushes++;
        }

        String text() {
            return bytes.toString(StandardCharsets.ISO_8859_1);
        }
    }

    private CountingStream stream;
    private RecordingIrqSink sink;
    private Uart16550 uart;

    @BeforeEach
    void setUp() {
        stream = new CountingStream();
        sink = new RecordingIrqSink();
        uart = new Uart16550(sink, stream);
    }

    private void out(int port, int v) {
        uart.write(port, 1, v);
    }

    private int in(int port) {
        return uart.read(port, 1);
    }

    private void print(String s) {
        for (char c : s.toCharArray()) {
            out(THR, c);
        }
    }

    @Test
    void resetState() {
        assertEquals(0x00, in(IER));
        assertEquals(0x01, in(IIR));
        assertEquals(0x60, in(LSR));
        assertEquals(0xb0, in(MSR));
        assertEquals(12, uart.divisor());
        assertFalse(uart.irqLevel());
        assertTrue(sink.calls.isEmpty());
    }

    @Test
    void outputIsBufferedUntilNewline() {
        print("hello");
        assertEquals("", stream.text());
        assertEquals(0, stream.writeCalls);
        print(" world\n");
        assertEquals("hello world\n", stream.text());
        assertEquals(1, stream.writeCalls, "one write per line, not per byte");
        assertEquals(1, stream.flushes);
    }

    @Test
    void flushHandsOverAPartialLine() {
        print("login: ");
        uart.flush();
        assertEquals("login: ", stream.text());
        assertEquals(1, stream.flushes);
        uart.flush(); // nothing pending: no empty write
        assertEquals(1, stream.writeCalls);
    }

    @Test
    void aFullBufferIsWrittenWithoutANewline() {
        for (int i = 0; i < 4096; i++) {
            out(THR, 'x');
        }
        assertEquals(4096, stream.bytes.size());
        out(THR, 'y');
        assertEquals(4096, stream.bytes.size());
        uart.flush();
        assertEquals(4097, stream.bytes.size());
    }

    @Test
    void binaryBytesPassThroughUnchanged() {
        out(THR, 0x00);
        out(THR, 0xff);
        out(THR, 0x1b);
        uart.flush();
        assertArrayEquals(new byte[] {0, (byte) 0xff, 0x1b}, stream.bytes.toByteArray());
    }

    @Test
    void streamFailuresAreReported() {
        Uart16550 broken = new Uart16550(sink, new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                throw new IOException("closed");
            }
        });
        broken.write(THR, 1, 'a');
        assertThrows(UncheckedIOException.class, broken::flush);
    }

    @Test
    void divisorLatchIsReachedWithDlab() {
        out(IER, 0x05);
        out(LCR, 0x83);
        out(BASE, 0x01);
        out(BASE + 1, 0x00);
        assertEquals(1, uart.divisor());
        assertEquals(0x01, in(BASE));
        assertEquals(0x00, in(BASE + 1));
        out(BASE + 1, 0x03);
        assertEquals(0x0301, uart.divisor());
        assertEquals("", stream.text(), "a DLL write is not a THR write");
        out(LCR, 0x03);
        assertEquals(0x05, in(IER), "IER untouched by the DLM writes");
        assertEquals(0x03, in(LCR));
    }

    @Test
    void receivedBytesAreReadInOrderAndSetDataReady() {
        out(FCR, 0x01);
        assertTrue(uart.receive('a'));
        assertTrue(uart.receive('b'));
        assertEquals(0x61, in(LSR));
        assertEquals('a', in(RBR));
        assertEquals('b', in(RBR));
        assertEquals(0x60, in(LSR));
    }

    @Test
    void fifoHoldsSixteenBytesAndRefusesMoreWithoutOverrun() {
        out(FCR, 0x07);
        assertEquals(0xc1, in(IIR), "FIFO-enabled bits, no interrupt");
        for (int i = 0; i < 16; i++) {
            assertTrue(uart.canReceive());
            assertTrue(uart.receive(i));
        }
        assertFalse(uart.canReceive());
        assertFalse(uart.receive(99));
        assertEquals(0x61, in(LSR), "no overrun: the byte was refused, not lost");
        for (int i = 0; i < 16; i++) {
            assertEquals(i, in(RBR));
        }
        assertTrue(uart.receive(16));
        assertEquals(16, in(RBR));
    }

    @Test
    void withoutFifoTheReceiverHoldsOneByte() {
        assertTrue(uart.receive('x'));
        assertFalse(uart.receive('y'));
        assertEquals('x', in(RBR));
        assertTrue(uart.receive('y'));
    }

    @Test
    void fifoResetAndModeChangeEmptyTheReceiver() {
        out(FCR, 0x01);
        uart.receive(1);
        uart.receive(2);
        out(FCR, 0x03); // reset RX FIFO
        assertEquals(0, uart.rxCount());
        uart.receive(3);
        out(FCR, 0x00); // FIFO off
        assertEquals(0, uart.rxCount());
        assertEquals(0x01, in(IIR), "no FIFO bits in 16450 mode");
        assertFalse(uart.fifoEnabled());
    }

    @Test
    void triggerLevelFourteen() {
        out(FCR, 0xc1);
        out(IER, 0x01);
        for (int i = 0; i < 13; i++) {
            uart.receive(i);
        }
        assertEquals(0xcc, in(IIR));
        uart.receive(13);
        assertEquals(0xc4, in(IIR));
    }

    @Test
    void loopbackSendsThrToTheReceiverAndNotTheOutput() {
        out(MCR, 0x10);
        out(THR, 'Z');
        uart.flush();
        assertEquals("", stream.text());
        assertEquals(0x61, in(LSR));
        assertEquals('Z', in(RBR));
        out(MCR, 0x00);
        out(THR, 'Q');
        uart.flush();
        assertEquals("Q", stream.text());
    }

    @Test
    void loopbackRefusesHostInput() {
        out(MCR, 0x10);
        assertFalse(uart.canReceive());
        assertFalse(uart.receive('a'));
        assertEquals(0, uart.rxCount());
    }

    @Test
    void loopbackOverflowSetsOverrunAndKeepsTheFifo() {
        out(FCR, 0x01);
        out(MCR, 0x10);
        for (int i = 0; i < 17; i++) {
            out(THR, 'a' + i);
        }
        assertEquals(0x63, in(LSR), "DR + OE");
        assertEquals(0x61, in(LSR), "OE clears on read");
        for (int i = 0; i < 16; i++) {
            assertEquals('a' + i, in(RBR));
        }
        assertEquals(0x60, in(LSR));
    }

    @Test
    void loopbackModemLinesFollowModemControl() {
        out(MCR, 0x10);
        assertEquals(0x00 | 0x0b, in(MSR), "CTS, DSR, DCD dropped: deltas set");
        assertEquals(0x00, in(MSR), "deltas clear on read");
        out(MCR, 0x1f); // DTR, RTS, OUT1, OUT2
        assertEquals(0xf0 | 0x0b, in(MSR));
        out(MCR, 0x1b); // OUT1 (RI) off: trailing edge of RI
        assertEquals(0xb0 | 0x04, in(MSR));
        out(MCR, 0x12); // only RTS
        assertEquals(0x10 | 0x0a, in(MSR), "DSR and DCD changed");
    }

    @Test
    void scratchRegister() {
        out(SCR, 0x5a);
        assertEquals(0x5a, in(SCR));
    }

    @Test
    void receiveInterruptFollowsData() {
        out(IER, 0x01);
        assertFalse(uart.irqLevel());
        uart.receive('k');
        assertTrue(uart.irqLevel());
        assertEquals(0x04, in(IIR));
        assertEquals('k', in(RBR));
        assertFalse(uart.irqLevel());
        assertEquals(0x01, in(IIR));
        assertEquals(List.of("4+", "4-"), sink.calls);
    }

    @Test
    void belowTheTriggerLevelDataReportsCharacterTimeout() {
        out(FCR, 0x41); // FIFO, trigger 4
        out(IER, 0x01);
        uart.receive(1);
        uart.receive(2);
        assertEquals(0xcc, in(IIR));
        uart.receive(3);
        uart.receive(4);
        assertEquals(0xc4, in(IIR));
    }

    @Test
    void enablingThreInterruptRaisesItAndReadingIirClearsIt() {
        out(IER, 0x02);
        assertTrue(uart.irqLevel());
        assertEquals(0x02, in(IIR));
        assertFalse(uart.irqLevel());
        assertEquals(0x01, in(IIR));
        out(IER, 0x03); // THRE stays enabled: no new interrupt
        assertFalse(uart.irqLevel());
        assertEquals(List.of("4+", "4-"), sink.calls);
    }

    @Test
    void eachThrWriteGivesTheEdgeTriggeredPicANewEdge() {
        out(IER, 0x02);
        print("ab");
        assertEquals(3, sink.risingEdges(4));
        assertTrue(uart.irqLevel());
        assertEquals(List.of("4+", "4-", "4+", "4-", "4+"), sink.calls);
    }

    @Test
    void disablingThreInterruptDropsIt() {
        out(IER, 0x02);
        out(IER, 0x00);
        assertFalse(uart.irqLevel());
        out(IER, 0x02);
        assertTrue(uart.irqLevel(), "re-enabling with THR empty raises it again");
    }

    @Test
    void iirReportsSourcesInDatasheetPriorityOrder() {
        out(FCR, 0x01);
        out(MCR, 0x10); // loopback, to make an overrun; MSR deltas set by the mode change
        for (int i = 0; i < 17; i++) {
            out(THR, i);
        }
        out(IER, 0x0f);
        assertEquals(0xc6, in(IIR), "line status first");
        in(LSR);
        assertEquals(0xc4, in(IIR), "then received data (16 bytes >= trigger 1)");
        for (int i = 0; i < 16; i++) {
            in(RBR);
        }
        assertEquals(0xc2, in(IIR), "then THR empty, cleared by this read");
        assertEquals(0xc0, in(IIR), "then modem status");
        assertTrue(uart.irqLevel());
        in(MSR);
        assertEquals(0xc1, in(IIR));
        assertFalse(uart.irqLevel());
    }

    @Test
    void lineStatusInterruptNeedsItsEnableBit() {
        out(FCR, 0x01);
        out(MCR, 0x10);
        for (int i = 0; i < 17; i++) {
            out(THR, i);
        }
        out(IER, 0x01);
        assertEquals(0xc4, in(IIR));
    }

    @Test
    void irqIsOnlyDrivenOnChanges() {
        out(IER, 0x01);
        uart.receive(1);
        out(SCR, 0);
        out(IER, 0x01);
        in(IIR);
        in(LSR);
        assertEquals(List.of("4+"), sink.calls);
    }

    @Test
    void otherBaseAndIrq() {
        Uart16550 com2 = new Uart16550(0x2f8, 3, sink, stream);
        com2.write(0x2f9, 1, 0x02);
        assertEquals(List.of("3+"), sink.calls);
        assertEquals(0x02, com2.read(0x2fa, 1));
    }
}
