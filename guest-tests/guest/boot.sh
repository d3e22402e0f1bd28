# Group "boot": nothing; /init powers off at once (scripts/bench/boot times
# process start -> "userspace up" -> exit).
