# Group "poweroff": reach userspace and power off; the runner checks that
# the emulator exits with status 0.
ok "exit/poweroff: userspace runs and calls poweroff -f"
