package io.lore.machine.devices;

import java.util.Objects;

/**
 * The x86 I/O port address space: routes each PIO exit to the device that owns the port.
 *
 * <p>Dispatch runs on every PIO exit, so it is a single array load indexed by port (65536
 * slots, 512 KiB of references) and allocates nothing. A multi-byte access goes to the device
 * that owns its first port; devices see absolute port numbers.
 *
 * <p>Unassigned ports behave like an empty ISA bus: reads float to all ones of the access size
 * and writes vanish. They are counted so a guest probing hardware we do not model shows up in
 * diagnostics. Port 0x80 (POST diagnostic codes, also used by old kernels as an I/O delay) is
 * written constantly and harmlessly, so writes to it are dropped without being counted.
 */
public final class PortBus implements PortDevice {
    public static final int PORT_COUNT = 0x10000;
    public static final int POST_PORT = 0x80;

    private final PortDevice[] devices = new PortDevice[PORT_COUNT];
    private long unassignedReads;
    private long unassignedWrites;
    private int lastUnassignedPort = -1;

    /**
     * Gives {@code count} consecutive ports starting at {@code first} to {@code device}.
     *
     * @throws IllegalArgumentException if the range leaves the 16-bit port space
     * @throws IllegalStateException if any port of the range is already taken (the bus is
     *         left unchanged)
     */
    public void register(int first, int count, PortDevice device) {
        Objects.requireNonNull(device, "device");
        if (first < 0 || count <= 0 || first + count > PORT_COUNT) {
            throw new IllegalArgumentException(String.format(
                    "port range 0x%x+%d outside 0..0xffff", first, count));
        }
        for (int p = first; p < first + count; p++) {
            if (devices[p] != null) {
                throw new IllegalStateException(String.format(
                        "port 0x%x already assigned to %s", p, devices[p]));
            }
        }
        for (int p = first; p < first + count; p++) {
            devices[p] = device;
        }
    }

    /** The device owning {@code port}, or null. */
    public PortDevice deviceAt(int port) {
        return devices[port & 0xffff];
    }

    /** Value of the low {@code size} bytes all set: what a read of an empty bus returns. */
    public static int allOnes(int size) {
        return size >= 4 ? -1 : (1 << (size << 3)) - 1;
    }

    @Override
    public int read(int port, int size) {
        PortDevice d = devices[port & 0xffff];
        if (d == null) {
            unassignedReads++;
            lastUnassignedPort = port & 0xffff;
            return allOnes(size);
        }
        // Mask here so whatever a device leaves in the high bits never reaches the guest or the log.
        return d.read(port, size) & allOnes(size);
    }

    @Override
    public void write(int port, int size, int value) {
        PortDevice d = devices[port & 0xffff];
        if (d != null) {
            d.write(port, size, value & allOnes(size));
        } else if ((port & 0xffff) != POST_PORT) {
            unassignedWrites++;
            lastUnassignedPort = port & 0xffff;
        }
    }

    public long unassignedReads() {
        return unassignedReads;
    }

    public long unassignedWrites() {
        return unassignedWrites;
    }

    /** Most recent unassigned port touched (POST writes excluded), or -1 if none yet. */
    public int lastUnassignedPort() {
        return lastUnassignedPort;
    }
}
