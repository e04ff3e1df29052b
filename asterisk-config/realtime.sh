#!/bin/sh
# asterisk-realtime COMMAND...: runs COMMAND (Asterisk) with every thread at SCHED_RR priority 10,
# what Asterisk's own "highpriority = yes" does, when ASTERISK_REALTIME=yes (the default).
#
# Why: on a machine Asterisk shares (this application, PostgreSQL, anything else), Asterisk's
# threads otherwise wait for a core behind that work. With 60 recorded calls on 2 cores, Asterisk's
# threads waited 2-5 s per second for a core, and the pause of a payment segment waited with them;
# at SCHED_RR they waited about 0.1 s per second (README, Performance, "On a real Asterisk").
#
# Why not "highpriority = yes" in asterisk.conf: Asterisk applies it only when started as root
# (main/asterisk.c), and this container runs as the asterisk user from the start. chrt works for an
# unprivileged process whose RLIMIT_RTPRIO allows the priority: docker-compose.yml sets
# "ulimits: rtprio: 10". Without it (or CAP_SYS_NICE) Asterisk still starts, at normal priority,
# with a warning: this is a latency setting, and no call should be refused for want of it.
# The kernel's real-time throttling (sched_rt_runtime_us, 95% by default) keeps a runaway
# real-time Asterisk from taking every core for good.
set -eu

case "${ASTERISK_REALTIME:-yes}" in
    yes)
        if chrt -r 10 true 2>/dev/null; then
            echo "asterisk-realtime: running $1 at SCHED_RR priority 10" >&2
            exec chrt -r 10 "$@"
        fi
        echo "asterisk-realtime: WARNING: cannot use SCHED_RR priority 10 (needs \"ulimits: rtprio: 10\" as in docker-compose.yml, or CAP_SYS_NICE; under cgroup v1 real-time group scheduling also a cpu_rt_runtime budget); running $1 at normal priority, where other work on this machine delays its pauses" >&2
        exec "$@"
        ;;
    no)
        exec "$@"
        ;;
    *)
        echo "asterisk-realtime: ERROR: ASTERISK_REALTIME must be yes or no, not \"${ASTERISK_REALTIME}\"" >&2
        exit 64
        ;;
esac
