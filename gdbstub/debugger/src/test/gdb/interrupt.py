# guest: demo.elf
# Ctrl-C stops a long forward run and a long reverse search; the session goes on.
UNUSED = 0x7000000  # guest RAM the demo never touches: its watchpoint never triggers
run("rwatch *(int*)%d" % UNUSED)
sigint_after(0.3)
run("continue")
check(last_stop().get("signal") == "SIGINT", "forward run interrupted: %s" % last_stop())
run("delete")
run("continue")
check(gdb.selected_frame().name() == "lore_exit", "then on to the end")
run("watch *(int*)%d" % UNUSED)
sigint_after(0.3)
run("reverse-continue")
check(last_stop().get("signal") == "SIGINT", "reverse search interrupted: %s" % last_stop())
run("delete")
out = run("monitor when")
check(out.startswith("position"), "the session goes on: %r" % out)
for cmd in ("reverse-stepi", "stepi"):
    out = run(cmd)  # a failed move is a console line and a SIGTRAP stop, not a gdb error
    check("failed" not in out, "%s: %r" % (cmd, out))
