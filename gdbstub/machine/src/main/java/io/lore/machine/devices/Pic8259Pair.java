package io.lore.machine.devices;

/**
 * The PC/AT pair of Intel 8259A interrupt controllers: master at ports 0x20/0x21 (IRQ 0-7),
 * slave at 0xa0/0xa1 (IRQ 8-15) cascaded into master input 2. With a user-space irqchip this
 * is the only source of injected vectors, so it decides what the recorder logs.
 *
 * <p>Supported: ICW1-ICW4 initialisation (vector base from ICW2, auto-EOI from ICW4), OCW1
 * masks, OCW2 non-specific and specific EOI, OCW3 IRR/ISR read select and poll mode,
 * edge-triggered latching, fixed priority (lower IRQ wins; an in-service IRQ blocks itself and
 * everything of lower priority), spurious IRQ 7/15.
 *
 * <p>Not supported (documented deviations): level-triggered mode (ICW1 LTIM is ignored: ISA
 * devices on a PC are edge-triggered, and there is no ELCR at 0x4d0); priority rotation (OCW2
 * rotate-on-EOI commands act as the plain EOI they include, set-priority and the AEOI-rotate
 * commands are ignored); special mask mode and special fully nested mode; buffered mode; a
 * single 8259 (ICW1 SNGL only skips ICW3, the wiring stays cascaded). IRQ 2 is the cascade
 * input and cannot be raised by a device ({@link #setIrq} rejects it); ISA IRQ 2 devices are
 * wired to IRQ 9 on an AT.
 *
 * <p>Before the guest initialises the chips they behave as a BIOS leaves them (vector bases
 * 0x08 and 0x70) but with every input masked, so nothing is injected into a guest that never
 * set the PIC up.
 */
public final class Pic8259Pair implements InterruptController, PortDevice {
    public static final int MASTER = 0;
    public static final int SLAVE = 1;
    public static final int MASTER_COMMAND = 0x20;
    public static final int MASTER_DATA = 0x21;
    public static final int SLAVE_COMMAND = 0xa0;
    public static final int SLAVE_DATA = 0xa1;
    /** Master input the slave's INT output is wired to. */
    public static final int CASCADE_IRQ = 2;
    private static final int CASCADE_BIT = 1 << CASCADE_IRQ;

    /** One 8259A. */
    private static final class Chip {
        int irr;
        int isr;
        int imr = 0xff;
        /** Current level of each input, to detect the rising edges that latch IRR. */
        int lines;
        int base;
        boolean autoEoi;
        boolean readIsr;
        boolean poll;
        /** 0 when operational, else the number (2..4) of the ICW the data port expects next. */
        int initStep;
        boolean needIcw4;
        boolean single;

        Chip(int base) {
            this.base = base;
        }

        /** The request this chip would signal on INT now, or -1. */
        int pendingIrq() {
            int requests = irr & ~imr;
            if (requests == 0) {
                return -1;
            }
            int irq = Integer.numberOfTrailingZeros(requests);
            // Fixed priority: bit 0 highest. An in-service bit blocks itself and lower priorities.
            int inService = Integer.numberOfTrailingZeros(isr); // 32 when isr == 0
            return irq < inService ? irq : -1;
        }

        /** Interrupt acknowledge for {@code irq}: IRR to ISR (ISR skipped in auto-EOI mode). */
        void ack(int irq) {
            irr &= ~(1 << irq);
            if (!autoEoi) {
                isr |= 1 << irq;
            }
        }

        void setLine(int bit, boolean level) {
            if (level) {
                if ((lines & bit) == 0) {
                    irr |= bit;
                }
                lines |= bit;
            } else {
                // Edge mode: lowering the line does not withdraw a latched request.
                lines &= ~bit;
            }
        }
    }

    private final Chip master = new Chip(0x08);
    private final Chip slave = new Chip(0x70);

    @Override
    public void setIrq(int irq, boolean level) {
        if (irq < 0 || irq > 15 || irq == CASCADE_IRQ) {
            throw new IllegalArgumentException("not a device IRQ line: " + irq);
        }
        if (irq < 8) {
            master.setLine(1 << irq, level);
        } else {
            slave.setLine(1 << (irq - 8), level);
            updateCascade();
        }
    }

    /** Propagates the slave's INT output to master input 2 (latching on its rising edge). */
    private void updateCascade() {
        master.setLine(CASCADE_BIT, slave.pendingIrq() >= 0);
    }

    @Override
    public boolean hasPendingInterrupt() {
        return master.pendingIrq() >= 0;
    }

    @Override
    public int acknowledge() {
        int irq = master.pendingIrq();
        if (irq < 0) {
            // The request went away before INTA: the 8259 answers with IRQ7 and sets no ISR bit.
            return master.base + 7;
        }
        master.ack(irq);
        if (irq != CASCADE_IRQ) {
            return master.base + irq;
        }
        int sirq = slave.pendingIrq();
        int vector;
        if (sirq < 0) {
            // Slave spurious: the master has already put IR2 in service, the slave sets nothing.
            vector = slave.base + 7;
        } else {
            slave.ack(sirq);
            vector = slave.base + sirq;
        }
        // The slave's INT is sampled afresh after INTA: if it still requests (e.g. auto-EOI with
        // another request queued), the master must see a new edge or that request would be lost.
        master.setLine(CASCADE_BIT, false);
        updateCascade();
        return vector;
    }

    @Override
    public int read(int port, int size) {
        Chip c = chipFor(port);
        if (c == null) {
            return PortBus.allOnes(size);
        }
        if ((port & 1) != 0) {
            return c.imr;
        }
        if (c.poll) {
            c.poll = false;
            return pollRead(c);
        }
        return c.readIsr ? c.isr : c.irr;
    }

    /** OCW3 poll: the read acts as INTA for this chip alone and reports what it took. */
    private int pollRead(Chip c) {
        int irq = c.pendingIrq();
        if (irq < 0) {
            return 0;
        }
        c.ack(irq);
        if (c == slave) {
            updateCascade();
        }
        return 0x80 | irq;
    }

    @Override
    public void write(int port, int size, int value) {
        Chip c = chipFor(port);
        if (c == null) {
            return;
        }
        int v = value & 0xff;
        if ((port & 1) == 0) {
            writeCommand(c, v);
        } else {
            writeData(c, v);
        }
        if (c == slave) {
            updateCascade();
        }
    }

    private void writeCommand(Chip c, int v) {
        if ((v & 0x10) != 0) {
            // ICW1 restarts initialisation. Line levels are kept, so an input that is already
            // high must go low and high again to request (the datasheet's edge-sense reset).
            c.initStep = 2;
            c.needIcw4 = (v & 0x01) != 0;
            c.single = (v & 0x02) != 0;
            c.irr = 0;
            c.isr = 0;
            c.imr = 0;
            c.autoEoi = false;
            c.readIsr = false;
            c.poll = false;
        } else if ((v & 0x08) != 0) {
            // OCW3: RR (bit 1) enables the RIS select (bit 0); P (bit 2) arms a poll read.
            if ((v & 0x02) != 0) {
                c.readIsr = (v & 0x01) != 0;
            }
            c.poll = (v & 0x04) != 0;
        } else {
            // OCW2: bits 7-5 are R, SL, EOI.
            switch (v >> 5) {
                case 1, 5 -> c.isr &= c.isr - 1;          // non-specific EOI: clear highest priority
                case 3, 7 -> c.isr &= ~(1 << (v & 7));    // specific EOI
                default -> { }                            // rotation / set priority: unsupported
            }
        }
    }

    private void writeData(Chip c, int v) {
        switch (c.initStep) {
            case 2 -> {
                c.base = v & 0xf8;
                c.initStep = !c.single ? 3 : c.needIcw4 ? 4 : 0;
            }
            // ICW3 describes the wiring, which is fixed here (slave on master IR2, slave ID 2).
            case 3 -> c.initStep = c.needIcw4 ? 4 : 0;
            case 4 -> {
                c.autoEoi = (v & 0x02) != 0;
                c.initStep = 0;
            }
            default -> c.imr = v;
        }
    }

    private Chip chipFor(int port) {
        return switch (port) {
            case MASTER_COMMAND, MASTER_DATA -> master;
            case SLAVE_COMMAND, SLAVE_DATA -> slave;
            default -> null;
        };
    }

    private Chip chip(int which) {
        if (which == MASTER) {
            return master;
        }
        if (which == SLAVE) {
            return slave;
        }
        throw new IllegalArgumentException("chip must be MASTER or SLAVE: " + which);
    }

    /** Interrupt request register of {@link #MASTER} or {@link #SLAVE} (for tests/debugging). */
    public int irr(int which) {
        return chip(which).irr;
    }

    /** In-service register. */
    public int isr(int which) {
        return chip(which).isr;
    }

    /** Interrupt mask register. */
    public int imr(int which) {
        return chip(which).imr;
    }

    /** Vector of the chip's input 0, as programmed by ICW2. */
    public int vectorBase(int which) {
        return chip(which).base;
    }

    public boolean autoEoi(int which) {
        return chip(which).autoEoi;
    }

    /** True while the chip is between ICW1 and its last ICW. */
    public boolean initialising(int which) {
        return chip(which).initStep != 0;
    }
}
