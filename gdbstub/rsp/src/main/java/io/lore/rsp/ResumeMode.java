package io.lore.rsp;

/** How GDB wants the target to run. */
public enum ResumeMode {
    CONTINUE, STEP, REVERSE_CONTINUE, REVERSE_STEP
}
