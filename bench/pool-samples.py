#!/usr/bin/env python3
"""Pools the samples of several runs of the real-Asterisk benchmark per build, and prints p99 per
situation, reference / product and the ratio, for each build side by side.

A single run has 8 to 16 samples in its one-call cells, so its "p99" is the slowest of them and one
late pause decides a cell. Runs of the same build in the same hour, pooled, give more samples per
cell; runs of different builds should alternate (A B A B) so that both see the same machine.

    python3 bench/pool-samples.py \
        shipped=bench/results/asterisk-2026-11-28-ab1-shipped-samples.csv,bench/results/asterisk-2026-11-28-ab2-shipped-samples.csv \
        socket=bench/results/asterisk-2026-11-28-ab1-socket-samples.csv,bench/results/asterisk-2026-11-28-ab2-socket-samples.csv

With --reference SUBJECT first, the product is set beside that subject instead of "reference", e.g.
--reference "reference (in-jvm)" for a run's second reference (--second-reference in-jvm).

Columns read (the samples CSV the benchmark writes): situation, subject, trigger, error,
latency_ms (by the poll), wire_ms (on the wire: trigger leaving Asterisk to its answer to the
pause), wire_subject_ms (the subject's part of it) and wire_reaction_ms (the subject's own: its event
frame leaving Asterisk until its pause request arrived; runs before 2026-11-29 have none). p99 is the
nearest-rank percentile.
"""
import csv
import sys

from benchstats import nearest_rank

COLUMNS = [("wire_ms", "on the wire"), ("wire_subject_ms", "the subject's part on the wire"),
           ("wire_reaction_ms", "the subject's own reaction on the wire"), ("latency_ms", "by the poll")]
GOAL_RATIO = 1.5



def load(spec):
    label, files = spec.split("=", 1)
    rows = []
    for path in files.split(","):
        with open(path, newline="") as f:
            rows.extend(csv.DictReader(f))
    return label, rows


def cells(rows, column):
    grouped = {}
    for r in rows:
        if r["error"] or not r.get(column):
            continue
        grouped.setdefault((r["situation"], r["trigger"], r["subject"]), []).append(float(r[column]))
    return grouped


def main(specs):
    yardstick = "reference"
    if specs[:1] == ["--reference"] and len(specs) > 1:
        yardstick, specs = specs[1], specs[2:]
    if not specs:
        sys.exit(__doc__)
    builds = [load(s) for s in specs]
    for column, meaning in COLUMNS:
        print(f"\n### p99 {meaning} ({column}), ms: {yardstick} / product = ratio (product samples)\n")
        print("| situation | trigger | " + " | ".join(label for label, _ in builds) + " |")
        print("|---|---|" + "---:|" * len(builds))
        grouped = [cells(rows, column) for _, rows in builds]
        keys = [k for k in grouped[0] if k[2] == "product"]
        for situation, trigger, _ in keys:
            line = f"| {situation} | {trigger} |"
            for g in grouped:
                product = g.get((situation, trigger, "product"), [])
                reference = g.get((situation, trigger, yardstick), [])
                if product and reference:
                    r, p = nearest_rank(reference, 99), nearest_rank(product, 99)
                    ratio = p / r if r > 0 else float("inf")
                    mark = "**" if ratio > GOAL_RATIO else ""
                    line += f" {r:.1f} / {p:.1f} = {mark}{ratio:.2f}{mark} ({len(product)}) |"
                elif product:
                    line += f" — / {nearest_rank(product, 99):.1f} ({len(product)}) |"
                else:
                    line += " |"
            print(line)


if __name__ == "__main__":
    main(sys.argv[1:])
