# Run by the lab's /init inside chroot /host (the build host's root, read-only): LoRe's own
# Java, recording and replaying guests on the lab's standard KVM with lore.ko loaded.
# $1 = the repository root. Writes only to /tmp (the lab's tmpfs).
echo "# java: nothing yet"
