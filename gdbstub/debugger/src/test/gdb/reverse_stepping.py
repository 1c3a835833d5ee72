# guest: spin.elf
# reverse-stepi retraces stepi exactly, also across the delivery of a timer interrupt, and
# source-level reverse-step / reverse-next / reverse-finish work.
def regs():
    return tuple(reg(r) for r in ("rip", "rsp", "rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "eflags"))

def position():
    return run("monitor when").split(":")[0]

run("break pit_tick_handler")
run("continue")
check(gdb.selected_frame().name() == "pit_tick_handler", "at the tick handler")
run("delete")
handler_rsp = reg("rsp")
# back out of the interrupt, to instants before it was delivered
trail = []
for i in range(60):
    trail.append((regs(), position()))
    run("reverse-stepi")
trail.append((regs(), position()))
check(any(gdb.block_for_pc(t[0][0]).function is not None and gdb.block_for_pc(t[0][0]).function.name in ("spin", "step") for t in trail), "the reverse steps went back before the interrupt")
# forward over the same instants: same registers, same positions
for i in range(60, 0, -1):
    run("stepi")
    check(regs() == trail[i - 1][0], "stepi back to %d: registers differ" % (i - 1))
    check(position() == trail[i - 1][1], "stepi back to %d: not the same position" % (i - 1))
# source level, in the handler: pit_ticks++; pic_eoi(0);
line0 = gdb.selected_frame().find_sal().line
run("next")
check(gdb.selected_frame().find_sal().line == line0 + 1, "next: to pic_eoi")
run("reverse-next")
check(gdb.selected_frame().find_sal().line == line0, "reverse-next came back to the line")
run("next")
run("step")
check(gdb.selected_frame().name() == "pic_eoi", "step into pic_eoi")
run("reverse-step")
check(gdb.selected_frame().name() == "pit_tick_handler", "reverse-step back into the caller")
run("reverse-finish")
check(gdb.selected_frame().name() == "trap_dispatch", "reverse-finish to the call site: %s" % gdb.selected_frame().name())
