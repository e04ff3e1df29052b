#!/usr/bin/env python3
"""Safepoints that took long to reach, and the threads that kept them waiting.

Usage: python3 bench/safepoints.py [--over MS] SAFEPOINT_LOG...

Each SAFEPOINT_LOG is what a product JVM wrote with
  -Xlog:safepoint=info:file=DIR/sp-%p.log:uptime,tid
  -XX:+UnlockDiagnosticVMOptions -XX:+SafepointTimeout -XX:SafepointTimeoutDelay=5
(the Asterisk benchmark passes them with --product-jvm). While a safepoint is being reached, every thread that
already reached it is stopped, the event loops among them: a pause's trigger waits. HotSpot names the threads
that had not reached it after SafepointTimeoutDelay ms, with their nice value (os_prio). Prints, per log, the
number of safepoints, those whose "Reaching safepoint" passed --over ms (default 5), and the threads named.
"""
import re
import sys

LINE = re.compile(r'\[([\d.]+)s\].*Safepoint "(\w+)".*Reaching safepoint: (\d+) ns.*Total: (\d+) ns')
LATE = re.compile(r'# "([^"]+)".*os_prio=(-?\d+)')


def summarise(path, over_ms):
    count = 0
    slow = []
    late = []
    waiting = None
    with open(path, errors='replace') as f:
        for line in f:
            m = LINE.search(line)
            if m:
                count += 1
                reach = int(m.group(3)) / 1e6
                if reach > over_ms:
                    slow.append('%s at %.1f s: reached in %.1f ms, %.1f ms in all'
                                % (m.group(2), float(m.group(1)), reach, int(m.group(4)) / 1e6))
                continue
            if 'Threads which did not reach the safepoint' in line:
                waiting = []
                late.append(waiting)
                continue
            if waiting is not None:
                t = LATE.search(line)
                if t:
                    waiting.append('%s (nice %s)' % (t.group(1), t.group(2)))
                elif 'End of list' in line:
                    waiting = None
    print('%s: %d safepoints, %d reached in more than %g ms' % (path, count, len(slow), over_ms))
    for s in slow:
        print('  ' + s)
    for i, threads in enumerate(late):
        print('  not there after the timeout (%d): %s' % (i + 1, ', '.join(threads) or 'none named'))


def main(argv):
    args = argv[1:]
    over = 5.0
    if args[:1] == ['--over']:
        over = float(args[1])
        args = args[2:]
    if not args:
        print(__doc__.strip())
        return 2
    for path in args:
        summarise(path, over)
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
