package io.lore.machine;

/**
 * Sees what the run loop does, in order; the recorder is one. Exits are reported twice: as
 * they arrive (before the platform handles them) and once handled (before the next entry).
 */
public interface LoopObserver {
    /** KVM_RUN returned with {@code reason}; the platform has not handled it yet. */
    default void onExit(int reason) {}

    /** The exit is handled; the guest has not been re-entered. */
    default void afterExit(int reason) {}

    /**
     * The loop wants to inject now. Returning false defers the injection (the loop kicks the
     * vCPU again shortly): a recorder refuses points that replay could not find again.
     */
    default boolean mayInjectNow() {
        return true;
    }

    /** After {@link #mayInjectNow} refused: how soon the loop kicks the vCPU to try again. */
    default long retryInjectionNanos() {
        return 100_000;
    }

    /** {@code vector} is about to be injected at the current point. */
    default void beforeInjection(int vector) {}

    LoopObserver NONE = new LoopObserver() {};
}
