#!/usr/bin/env python3
"""Splits the benchmark's poll lag (the poll's figure minus the wire's) using the loopback capture of a run of
the real-Asterisk benchmark: was the `GET /recordings/live/{name}` that first read "paused" sent late by the
benchmark, or answered late by Asterisk?

    python3 bench/poll-lag.py target/bench-asterisk/wire-<pid>.pcap \
        bench/results/asterisk-<date>-<label>-samples.csv

For each pause of the 20- and 60-call cells (a recording has two pauses, user event then DTMF; each sample is
matched to the first pause answer after its trigger), in ms, p50 / p99 per cell:
- send: from Asterisk's answer to the pause leaving it until the poll GET that read "paused" arrived;
- answer: that GET until Asterisk's answer to it left (Asterisk's own time);
- read: the poll's figure minus the wire's figure minus (send + answer), i.e. the benchmark reading the answer;
- lag: the poll's figure minus the wire's.

Reads an Ethernet-framed pcap (what tcpdump writes for `lo`) of ARI's port 8088, HTTP/1.1 without pipelining.
"""
import csv
import re
import struct
import sys
from datetime import datetime, timezone

from benchstats import nearest_rank

ARI_PORT = 8088
GET = re.compile(rb"^GET /ari/recordings/live/([^ /?]+) ")
PAUSE = re.compile(rb"^POST /ari/recordings/live/([^ /?]+)/pause")


def packets(path):
    with open(path, "rb") as f:
        f.read(24)
        while True:
            header = f.read(16)
            if len(header) < 16:
                return
            seconds, micros, length, _ = struct.unpack("<IIII", header)
            frame = f.read(length)
            if len(frame) < 54 or frame[12:14] != b"\x08\x00" or frame[23] != 6:
                continue
            tcp = 14 + (frame[14] & 15) * 4
            source, destination = struct.unpack(">HH", frame[tcp:tcp + 4])
            payload = frame[tcp + (frame[tcp + 12] >> 4) * 4:]
            if payload:
                yield seconds + micros / 1e6, source, destination, payload


def exchanges(path):
    """Poll GETs per recording as (sent, answered, paused), and the times Asterisk answered each pause."""
    pending, polls, pauses = {}, {}, {}
    for t, source, destination, payload in packets(path):
        if destination == ARI_PORT:
            for kind, pattern in (("get", GET), ("pause", PAUSE)):
                m = pattern.match(payload)
                if m:
                    pending.setdefault(source, []).append((kind, m.group(1).decode(), t))
                    break
            else:
                if payload[:4] in (b"GET ", b"POST", b"DELE", b"PUT "):
                    pending.setdefault(source, []).append(("other", "", t))
        elif source == ARI_PORT and payload.startswith(b"HTTP/1.1"):
            queue = pending.get(destination)
            if not queue:
                continue
            kind, name, sent = queue.pop(0)
            if kind == "get":
                polls.setdefault(name, []).append((sent, t, b'"state":"paused"' in payload))
            elif kind == "pause":
                pauses.setdefault(name, []).append(t)
    return polls, pauses


def epoch(iso):
    base, _, fraction = iso.rstrip("Z").partition(".")
    return datetime.fromisoformat(base).replace(tzinfo=timezone.utc).timestamp() + float("0." + (fraction or "0"))



def main(pcap, samples):
    polls, pauses = exchanges(pcap)
    cells = {}
    with open(samples, newline="") as f:
        for row in csv.DictReader(f):
            if row["error"] or not row["wire_ms"] or "concurrent" not in row["situation"]:
                continue
            name = row["recording"]
            trigger = epoch(row["triggered_at"])
            answered = next((a for a in pauses.get(name, []) if a >= trigger - 0.001), None)
            if answered is None:
                continue
            first = next((p for p in polls.get(name, []) if p[2] and p[1] >= answered), None)
            if first is None:
                continue
            send = (first[0] - answered) * 1000
            answer = (first[1] - first[0]) * 1000
            lag = float(row["latency_ms"]) - float(row["wire_ms"])
            cells.setdefault((row["situation"], row["trigger"], row["subject"]), []).append(
                (send, answer, lag - send - answer, lag))
    print("| situation | trigger | subject | pauses | send | answer (Asterisk) | read | lag |")
    print("|---|---|---|---:|---:|---:|---:|---:|")
    for (situation, trigger, subject), values in cells.items():
        columns = list(zip(*values))
        print(f"| {situation} | {trigger} | {subject} | {len(values)} | "
              + " | ".join(f"{nearest_rank(c, 50):.2f} / {nearest_rank(c, 99):.2f}" for c in columns) + " |")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
