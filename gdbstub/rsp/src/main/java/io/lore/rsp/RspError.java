package io.lore.rsp;

/**
 * A request GDB sent that the stub answers with an error packet. Carries the exact reply:
 * {@code E.<text>} (GDB shows the text for some packets, e.g. register writes) or
 * {@code Enn} where GDB insists on two hex digits (memory reads, qRcmd).
 */
final class RspError extends RuntimeException {
    /** errno values gdbserver uses in Enn replies. */
    static final int EFAULT = 0x0e, EINVAL = 0x16, EPERM = 0x01;
    private static final long serialVersionUID = 1L;

    private final String reply;

    private RspError(String reply, String message) {
        super(message, null, false, false);
        this.reply = reply;
    }

    /** An {@code E.<text>} reply. */
    static RspError text(String message) {
        return new RspError("E." + sanitize(message), message);
    }

    /** An {@code Enn} reply. */
    static RspError code(int errno, String message) {
        StringBuilder sb = new StringBuilder("E");
        Hex.appendByte(sb, errno);
        return new RspError(sb.toString(), message);
    }

    static RspError malformed(String message) {
        return text("malformed packet: " + message);
    }

    String reply() {
        return reply;
    }

    /**
     * Makes text safe inside a non-binary reply: GDB does not unescape error text, '*' would be
     * taken as run-length encoding, and '$'/'#' are framing. Non-printable characters go too.
     */
    static String sanitize(String text) {
        if (text == null || text.isBlank()) {
            return "error";
        }
        StringBuilder sb = new StringBuilder(Math.min(text.length(), 200));
        for (int i = 0; i < text.length() && sb.length() < 200; i++) {
            char c = text.charAt(i);
            if (c == '$' || c == '#' || c == '*' || c == '}') {
                sb.append('?');
            } else if (c == '\n' || c == '\t' || c == '\r') {
                sb.append(' ');
            } else if (c >= 0x20 && c < 0x7f) {
                sb.append(c);
            } else {
                sb.append('?');
            }
        }
        return sb.toString().strip();
    }
}
