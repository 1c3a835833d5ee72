# guest: demo.elf
# Write, read and access watchpoints, found forwards and backwards, more than four at once.
run("rwatch total_words")
run("continue")
check(gdb.selected_frame().name() == "stats_note_record", "read watch: %s" % gdb.selected_frame().name())
first = run("monitor when")
run("continue")
second = run("monitor when")
check(second != first and gdb.selected_frame().name() == "stats_note_record", "the next read")
# backwards, a watchpoint stops before the access: the last one before here is the second read
run("reverse-continue")
check(gdb.selected_frame().name() == "stats_note_record", "reverse read watch")
run("stepi")
check(run("monitor when") == second, "one step from there is the second read's stop")
run("reverse-stepi")
run("reverse-continue")
run("stepi")
check(run("monitor when") == first, "then the first read's")
run("delete")
run("awatch ring_slots[0]")
run("continue")
f = gdb.selected_frame().name()
check(f in ("ring_put", "ring_get", "memcpy"), "access watch: %s" % f)
run("delete")
# a read watchpoint on the page of the IDT is refused (KVM must read that page for interrupts)
run("rwatch ring_ctl.nslots")
expect_error("continue", "Command aborted")   # "Could not insert hardware watchpoint"; the server says why
run("delete")
# five write watchpoints at once (more than the four debug registers)
names = ["ring_ctl.head", "ring_ctl.tail", "kind_count[0]", "kind_count[1]", "kind_count[2]"]
for n in names:
    run("watch -l " + n)
before = {n: int(gdb.parse_and_eval(n)) for n in names}
seen = set()
for i in range(80):
    if seen == set(names):
        break
    run("continue")
    for n in names:
        if int(gdb.parse_and_eval(n)) != before[n]:
            seen.add(n)
            before[n] = int(gdb.parse_and_eval(n))
check(seen == set(names), "every one of the five watchpoints triggered: %s" % sorted(seen))
