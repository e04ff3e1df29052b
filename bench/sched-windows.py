#!/usr/bin/env python3
"""Who had the cores while the product handled a pause: a kernel scheduler trace cut at pause windows.

Inputs (a diagnostic, not part of the build; README Performance, "What is left"):
  * /tmp/probe-<pid>.log: one line per pause from temporary nanosecond probes in the product (not kept in the
    repository), "abs <frame ns> <request written ns> tids <reader tid> <handler tid> up <uptime ms> ... total <us> us";
    the two ns values are System.nanoTime(), i.e. CLOCK_MONOTONIC;
  * /tmp/sched.trace: the text of tracefs's trace_pipe with sched_switch and sched_wakeup enabled and
    trace_clock set to mono, taken over the same run.
Prints a Markdown table: per pause, the core time (ms, both cores) each kind of thread ran inside the window
from the trigger's frame to the pause request written, and what preempted the product's event loop.
Threads are told apart by name and priority: the product's JIT threads run at nice 19 (prio 139), the
benchmark's at nice 0; Asterisk at SCHED_RR 10 (prio 89).
"""
import glob,re,sys,collections
wins=[]
for f in sorted(glob.glob('/tmp/probe-*.log')):
    for i,l in enumerate(open(f)):
        m=re.match(r'abs (\d+) (\d+) tids (\S+) (\S+) up (\d+)',l)
        if not m: continue
        tot=int(re.search(r'total (-?\d+)',l).group(1))
        wins.append(dict(f=f.split('probe-')[1].split('.')[0],i=i,t0=int(m.group(1))/1e9,t1=int(m.group(2))/1e9,tot=tot,run=collections.Counter(),pre=collections.Counter()))
wins.sort(key=lambda w:w['t0'])
def cat(comm,prio):
    prio=int(prio)
    if comm.startswith('vert.x-eventloo'): return 'product event loops'
    if comm.startswith(('C1 ','C2 ','C1','C2')) and prio==139: return 'product JIT (nice 19)'
    if comm.startswith('Shenandoah') or comm in('VM Thread','VM Periodic Tas'): return 'product GC/VM'
    if comm.startswith('asterisk'): return 'Asterisk (RT)'
    if comm.startswith(('C1','C2')): return 'benchmark JIT'
    if comm.startswith(('HttpClient','instrument','bench')): return 'benchmark (poll, callers)'
    if comm.startswith('postgres'): return 'PostgreSQL'
    if comm=='cat': return 'trace reader'
    if comm.startswith('swapper'): return 'idle'
    return 'other:'+comm
cur={}
lo=min(w['t0'] for w in wins)-0.1; hi=max(w['t1'] for w in wins)+0.1
rx=re.compile(r'\[(\d+)\] \S+ ([\d.]+): sched_switch: (.*)')
for line in open('/tmp/sched.trace',errors='replace'):
    if 'sched_switch' not in line: continue
    m=rx.search(line)
    if not m: continue
    cpu=int(m.group(1)); ts=float(m.group(2))
    if ts>hi: break
    d=dict(kv.split('=',1) for kv in m.group(3).replace(' ==> ',' ').split(' ') if '=' in kv)
    prev=cur.get(cpu)
    if ts>=lo and prev:
        for w in wins:
            if w['t1']<prev[2] or w['t0']>ts: continue
            a=max(prev[2],w['t0']); b=min(ts,w['t1'])
            if b>a: w['run'][cat(prev[0],prev[1])]+=b-a
            if w['t0']<=ts<=w['t1'] and d['prev_comm'].startswith('vert.x-eventloo') and d['prev_state'].startswith('R'):
                w['pre'][cat(d['next_comm'],d['next_prio'])]+=1
    cur[cpu]=(d['next_comm'],d['next_prio'],ts)
cats=['product event loops','product JIT (nice 19)','product GC/VM','Asterisk (RT)','benchmark (poll, callers)','benchmark JIT','PostgreSQL','trace reader','idle']
print('| start (pid) | pause | frame to request µs | '+' | '.join(cats)+' | event loop preempted by |')
print('|---|---:|---:|'+'---:|'*len(cats)+'---|')
tot=collections.Counter(); n=0
for w in wins:
    other=sum(v for k,v in w['run'].items() if k not in cats)
    print(f"| {w['f']} | {w['i']+1} | {w['tot']} | "+' | '.join(f"{w['run'][c]*1e3:.2f}" for c in cats)+' | '+', '.join(f"{k} ×{v}" for k,v in w['pre'].most_common())+' |')
    if w['i']<2:
        n+=1; tot['_total']+=w['tot']/1e3
        for c in cats: tot[c]+=w['run'][c]*1e3
print()
print('first-call pauses:',n,'; sums (ms of core time over their windows):',', '.join(f"{k} {v:.1f}" for k,v in tot.items()))
