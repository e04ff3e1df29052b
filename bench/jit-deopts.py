#!/usr/bin/env python3
"""How often C2 threw compiled code away after the product's warm-up, per start, beside that start's pauses.

Usage: jit-deopts.py SAMPLES_CSV JIT_LOG...
  SAMPLES_CSV  a bench-asterisk run's *-samples.csv (product starts only: --subjects product)
  JIT_LOG      one per product process, written with
               --product-jvm -Xlog:jit+compilation=debug:file=DIR/jit-%p.log:time,uptime,tid

A line of that log ending "made not entrant" at tier 4 is C2 code thrown away: after a trap (a branch or a
receiver class the profile had not seen) or an invalidated assumption. The warm-up ends well before the
first call (its log line, "hot path warmed"); --after (seconds of JVM uptime, default 9) counts past it.
Prints one Markdown row per process: its first call's and its next calls' slowest trigger-to-paused, and
its C2 compiles and throw-aways after the warm-up.
"""
import csv, datetime, re, sys

def stamp(s):
    return datetime.datetime.strptime(s[:23], '%Y-%m-%dT%H:%M:%S.%f').replace(tzinfo=datetime.timezone.utc)

def main(argv):
    after = 9.0
    if argv and argv[0] == '--after':
        after, argv = float(argv[1]), argv[2:]
    if len(argv) < 2:
        sys.exit(__doc__)
    samples, logs = argv[0], argv[1:]
    line = re.compile(r'\[(\S+)\]\[(\S+)s\]\[\d+\]\s+\d+\s+[%sbn!]*\s*(\d)\s+\S+')
    processes = []
    for path in logs:
        first, compiled, thrown = None, 0, 0
        for text in open(path):
            m = line.match(text)
            if not m:
                continue
            first = first or stamp(m.group(1))
            if m.group(3) == '4' and float(m.group(2)) > after:
                if 'made not entrant' in text:
                    thrown += 1
                elif 'made zombie' not in text:
                    compiled += 1
        processes.append((first, path, compiled, thrown))
    processes.sort()
    worst = {}
    for r in csv.DictReader(open(samples)):
        t = datetime.datetime.fromisoformat(r['triggered_at'][:26]).replace(tzinfo=datetime.timezone.utc)
        owner = [p for p in processes if p[0] <= t]
        if not owner or not r['latency_ms']:
            continue
        key = (owner[-1][1], r['situation'])
        worst[key] = max(worst.get(key, 0.0), float(r['latency_ms']))
    print('| process log | first call after start, max ms | calls 2-3 after start, max ms | C2 compiles after the warm-up | C2 code thrown away after it |')
    print('|---|---:|---:|---:|---:|')
    for first, path, compiled, thrown in processes:
        mine = {s: v for (p, s), v in worst.items() if p == path}
        cold = next((v for s, v in mine.items() if s.startswith('first call')), float('nan'))
        nxt = next((v for s, v in mine.items() if s.startswith('calls 2')), float('nan'))
        print('| %s | %.1f | %.1f | %d | %d |' % (path.split('/')[-1], cold, nxt, compiled, thrown))

if __name__ == '__main__':
    main(sys.argv[1:])
