#!/usr/bin/env python3
"""The slowest pauses taken alone, pooled over runs, with the threads that waited for a core in them.

    python3 bench/alone-waits.py [--top N] SAMPLES_CSV...

Reads the Asterisk benchmark's samples CSVs (runs since 2026-11-29 carry wire_reaction_ms and the wait_* and ran_*
columns: ThreadWaits, the run-queue wait and run time of each thread of the subject and of Asterisk from just before
the trigger until the poll read "paused"). Per situation, trigger and subject, among the pauses taken alone: how
many, the subject's reaction (its event frame leaving Asterisk until its pause request arrived) p50 / p99, the
subject's longest thread wait p50; then its N slowest pauses on the wire (default 3) with their reaction, the
window's length, the subject's longest-waiting and longest-running threads and Asterisk's longest-waiting one. A
slow reaction with a thread of the subject kept from a core for most of it is the OS's; one whose thread ran
instead is the subject's own work.
"""
import csv
import sys

from benchstats import nearest_rank


def number(row, column):
    value = row.get(column) or ""
    return float(value) if value else None


def main(args):
    top = 3
    if args[:1] == ["--top"] and len(args) > 1:
        top, args = int(args[1]), args[2:]
    if not args:
        sys.exit(__doc__)
    cells = {}
    for path in args:
        with open(path, newline="") as f:
            for r in csv.DictReader(f):
                if r["error"] or not r.get("wait_asterisk_ms") and not r.get("wait_subject_ms"):
                    continue
                cells.setdefault((r["situation"], r["trigger"], r["subject"]), []).append(r)
    print("| situation | trigger | subject | pauses | reaction p50 / p99 ms | subject's longest wait p50 ms | "
          "slowest on the wire: wire ms, reaction ms, window ms, subject waited ms (thread) and ran ms (thread), "
          "Asterisk waited ms (thread) |")
    print("|---|---|---|---:|---:|---:|---|")
    for (situation, trigger, subject), rows in cells.items():
        reactions = [x for x in (number(r, "wire_reaction_ms") for r in rows) if x is not None]
        waits = [x for x in (number(r, "wait_subject_ms") for r in rows) if x is not None]
        reaction = (f"{nearest_rank(reactions, 50):.2f} / {nearest_rank(reactions, 99):.2f}" if reactions else "–")
        wait = f"{nearest_rank(waits, 50):.2f}" if waits else "–"
        ranked = sorted(rows, key=lambda r: number(r, "wire_ms") or number(r, "latency_ms"), reverse=True)[:top]
        slowest = []
        for r in ranked:
            wire = number(r, "wire_ms")
            react = number(r, "wire_reaction_ms")
            sw = number(r, "wait_subject_ms")
            aw = number(r, "wait_asterisk_ms")
            ran = number(r, "ran_subject_ms")
            window = number(r, "wait_window_ms")
            slowest.append("%s, %s, %s, %s %s, %s" % (
                "%.2f" % wire if wire is not None else "poll %.2f" % float(r["latency_ms"]),
                "%.2f" % react if react is not None else "–",
                "%.1f" % window if window is not None else "–",
                "%.2f (%s)" % (sw, r["wait_subject_thread"]) if sw is not None else "–",
                "%.2f (%s)" % (ran, r["ran_subject_thread"]) if ran is not None else "",
                "%.2f (%s)" % (aw, r["wait_asterisk_thread"]) if aw is not None else "–"))
        print(f"| {situation} | {trigger} | {subject} | {len(rows)} | {reaction} | {wait} | {'; '.join(slowest)} |")


if __name__ == "__main__":
    main(sys.argv[1:])
