# guest: demo.elf
# The demo's planted bug, found the way the README tells a kernel developer to: run to the end
# (the checker reports the corrupted magic), watch the magic, reverse-continue to the culprit.
run("continue")
frame = gdb.selected_frame()
check(frame.name() == "lore_exit", "the recording ends in lore_exit, not %s" % frame.name())
magic = int(gdb.parse_and_eval("ring_ctl.magic"))
check(magic != 0x52494e47, "the magic is corrupted at the end: 0x%x" % magic)
run("watch -l ring_ctl.magic")
run("reverse-continue")
check(last_stop()["type"] == "BreakpointEvent", "a watchpoint stop: %s" % last_stop())
check(gdb.selected_frame().name() == "stats_note_record",
      "stopped in the culprit, not in the checker: %s" % gdb.selected_frame().name())
check(int(gdb.parse_and_eval("ring_ctl.magic")) == 0x52494e47, "stopped before the write: magic intact")
check(int(gdb.parse_and_eval("r->kind")) == 3, "the out-of-range kind is visible: %s" % gdb.parse_and_eval("r->kind"))
caller = gdb.selected_frame().older().name()
check(caller == "producer", "called from the producer: %s" % caller)
run("delete")
run("stepi")
check(int(gdb.parse_and_eval("ring_ctl.magic")) == 0x52494e48, "one step forward: the write happened")
