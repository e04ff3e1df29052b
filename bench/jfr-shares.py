#!/usr/bin/env python3
"""Where the product's Java threads spent their sampled CPU, by thread group and by feature.

Usage: python3 bench/jfr-shares.py RECORDING.jfr [SAMPLES_CSV [SITUATION_PREFIX]]

RECORDING.jfr is a JFR recording of the product (e.g. from the Asterisk benchmark with
`--product-jvm -XX:FlightRecorderOptions:stackdepth=256
 --product-jvm -XX:StartFlightRecording=filename=DIR/,settings=profile,jdk.ExecutionSample#period=2ms`).
With a benchmark's samples CSV, only the execution samples between the first and the last trigger of the
situations whose name starts with SITUATION_PREFIX (default "60 concurrent") are counted.

A sample's feature is the product package of its outermost product frame (who started the work); samples with
no product frame are "netty-io" on an event loop (reading, writing, decoding before any handler of ours) or
"none". The stacks must be deep enough to reach the handler: record with stackdepth=256, as above.
Needs the JDK's `jfr` tool on the PATH.
"""
import collections
import csv
import json
import subprocess
import sys


def thread_group(name):
    if 'eventloop' in name:
        return 'event loop'
    for prefix in ('archive-codec', 'cr-archive-decrypt', 'cr-privacy-export', 'cr-password-hashing'):
        if name.startswith(prefix):
            return prefix
    if 'worker' in name:
        return 'vert.x worker'
    return name


def feature(frames):
    for frame in reversed(frames):
        name = frame['method']['type']['name']
        if name.startswith('org/consentrecorder/'):
            return name.split('/')[2]
    if any('SingleThreadIoEventLoop' in f['method']['type']['name'] for f in frames):
        return 'netty-io'
    return 'none'


def main(argv):
    if len(argv) < 2:
        print(__doc__.strip())
        return 2
    window = None
    if len(argv) >= 3:
        prefix = argv[3] if len(argv) >= 4 else '60 concurrent'
        with open(argv[2]) as f:
            times = [r['triggered_at'] for r in csv.DictReader(f) if r['situation'].startswith(prefix)]
        if not times:
            print('no samples of a situation starting with ' + repr(prefix))
            return 1
        window = (min(times)[:19], max(times)[:19])
    out = subprocess.run(['jfr', 'print', '--json', '--stack-depth', '256', '--events', 'jdk.ExecutionSample',
                          argv[1]], check=True, capture_output=True, text=True).stdout
    events = json.loads(out)['recording']['events']
    if window:
        events = [e for e in events if window[0] <= e['values']['startTime'][:19] <= window[1]]
        print('window (UTC, to the second): %s .. %s' % window)
    groups = collections.Counter()
    features = collections.Counter()
    archive_on_loops = collections.Counter()
    for e in events:
        v = e['values']
        group = thread_group(v['sampledThread']['javaName'] or v['sampledThread']['osName'] or '?')
        frames = v['stackTrace']['frames'] if v['stackTrace'] else []
        groups[group] += 1
        features[(group, feature(frames))] += 1
        if group == 'event loop' and any('org/consentrecorder/archive' in f['method']['type']['name'] for f in frames):
            ours = [f['method']['type']['name'].split('/')[-1] + '.' + f['method']['name'] for f in frames
                    if f['method']['type']['name'].startswith('org/consentrecorder/')]
            archive_on_loops[ours[0]] += 1
    total = sum(groups.values())
    print('execution samples: %d' % total)
    print('\n| thread group | samples | share |\n|---|---:|---:|')
    for g, n in groups.most_common():
        print('| %s | %d | %.0f%% |' % (g, n, 100.0 * n / total))
    print('\n| thread group | feature | samples |\n|---|---|---:|')
    for (g, f), n in features.most_common(20):
        print('| %s | %s | %d |' % (g, f, n))
    if archive_on_loops:
        print('\narchive work on event loops, by innermost product frame:')
        for m, n in archive_on_loops.most_common(12):
            print('  %4d  %s' % (n, m))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
