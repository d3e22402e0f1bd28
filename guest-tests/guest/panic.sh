# Group "panic": /init exits, so the kernel panics ("Attempted to kill
# init!"). The runner checks the emulator's exit status (non-zero; with
# pvpanic-pci and -action panic=exit-failure on QEMU) and the console text.
ok "exit/panic: userspace runs; /init now exits to panic the kernel"
tap_done
exec 3>&-
exit 1
