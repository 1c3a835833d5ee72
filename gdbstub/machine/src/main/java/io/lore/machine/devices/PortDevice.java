package io.lore.machine.devices;

/**
 * A device on the x86 I/O port bus. Called only from the vCPU thread, so implementations need
 * no locking. Ports are absolute; {@code size} is 1, 2 or 4 bytes.
 */
public interface PortDevice {
    /** Value the guest reads; only the low {@code size} bytes are used. */
    int read(int port, int size);

    void write(int port, int size, int value);
}
