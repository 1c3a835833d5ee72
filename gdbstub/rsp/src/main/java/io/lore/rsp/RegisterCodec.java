package io.lore.rsp;

import java.util.List;

/** Register values to hex, in the order and sizes of the {@link TargetDescription}. */
final class RegisterCodec {
    private final List<TargetDescription.Register> registers;
    private final int gPacketLength;

    RegisterCodec(TargetDescription description) {
        this.registers = description.registers();
        this.gPacketLength = registers.stream().mapToInt(r -> r.bytes() * 2).sum();
    }

    /** The 'g' reply: every register, in register-number order. */
    String encodeAll(X86Registers regs) {
        StringBuilder sb = new StringBuilder(gPacketLength);
        for (TargetDescription.Register r : registers) {
            r.writer().append(regs, sb);
        }
        return sb.toString();
    }

    /** The 'p' reply for one register. */
    String encode(X86Registers regs, int number) {
        StringBuilder sb = new StringBuilder(32);
        register(number).writer().append(regs, sb);
        return sb.toString();
    }

    TargetDescription.Register register(int number) {
        if (number < 0 || number >= registers.size()) {
            throw RspError.text("no register number " + number);
        }
        return registers.get(number);
    }

    int count() {
        return registers.size();
    }

    int gPacketLength() {
        return gPacketLength;
    }
}
