#!/bin/bash
# AppCDS for start-up: train a dynamic archive on the demo, then time JVM start -> /health/ready 200,
# alternating with and without the archive. Usage: cds-measure.sh JAR RUNS
set -u
JAR=$1; RUNS=${2:-4}
W=$(mktemp -d /tmp/cds-XXXX); DATA=$W/data; JSA=$W/app.jsa; PORT=18080
ready() { for i in $(seq 1 3000); do curl -sf -o /dev/null http://127.0.0.1:$PORT/health/ready && return 0; sleep 0.02; done; return 1; }
# training (also creates the demo data dir)
java -XX:ArchiveClassesAtExit=$JSA -jar $JAR demo --data-dir $DATA --http-port $PORT > $W/train.log 2>&1 &
P=$!; ready; sleep 25; kill -TERM $P; wait $P
ls -la $JSA >&2
for r in $(seq 1 $RUNS); do
  for mode in plain cds; do
    opt=""; [ $mode = cds ] && opt="-XX:SharedArchiveFile=$JSA"
    t0=$(date +%s%N)
    java $opt -jar $JAR demo --data-dir $DATA --http-port $PORT > $W/$mode-$r.log 2>&1 &
    P=$!; ready; t1=$(date +%s%N)
    echo "$mode $(( (t1-t0)/1000000 )) ms"
    kill -TERM $P; wait $P
  done
done
grep -i "sharing\|cds\|archive" $W/cds-1.log | head -3 >&2
rm -rf $W
