#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Compare what the kernel's YNL client (cli.py with kmod/uapi/twmon.yaml)
decoded with what tw-stat -j printed, figure by figure.

usage: compare.py DIR NETNS_INUM
DIR holds cli.py's outputs (y-*.json) and tw-stat's (t-*.json, taken
before: -a, and after: -b, the cli.py calls; nothing is born or dies in
between, so every figure must be equal, except ages, which only grow:
for those, cli.py's must lie between tw-stat's before and after).
Prints one line per check, exits 1 on the first difference."""
import ipaddress
import json
import sys

D = sys.argv[1]
INUM = int(sys.argv[2])
ENDS = ['unspec', 'expired', 'rst', 'syn', 'reuse', 'abort', 'purge', 'other']
checks = 0


def load(name):
    with open(f'{D}/{name}') as f:
        return json.load(f)


def lines(name):
    with open(f'{D}/{name}') as f:
        return [json.loads(x) for x in f if x.strip().startswith('{')]


def fail(what, ynl, tw):
    print(f'FAIL: {what}: ynl {ynl!r}, tw-stat {tw!r}')
    sys.exit(1)


def eq(what, ynl, tw):
    global checks
    checks += 1
    if ynl != tw:
        fail(what, ynl, tw)


def addr(hexstr):
    return str(ipaddress.ip_address(bytes.fromhex(hexstr)))


def tails(buckets):
    """Sockets at least as old as bucket i, for every i"""
    out, acc = [], 0
    for c in reversed(buckets):
        acc += c
        out.append(acc)
    return out[::-1]


def between(what, ynl, a, b):
    """cli.py's histogram was taken between tw-stat's a and b: each tail
    sum grew monotonically (sockets only get older)"""
    global checks
    checks += 1
    ty, ta, tb = tails(ynl), tails(a), tails(b)
    if len(ynl) != len(a) or not all(x <= y <= z for x, y, z in zip(ta, ty, tb)):
        fail(what + ' (between before and after)', ynl, (a, b))


def tw_ages(lst):
    return [x['count'] for x in lst]


def rows(obj):
    """tw-stat's table: a list, or the one list inside an object"""
    if isinstance(obj, list):
        return obj
    for v in obj.values():
        if isinstance(v, list):
            return v
    raise ValueError('no rows in %r' % obj)


def stats(what, y, ta, tb, lifetime=True):
    """y: cli.py's stats nest; ta, tb: tw-stat -j before and after"""
    for k in ['live', 'live-timewait', 'live-finwait2', 'seeded', 'entered',
              'entered-timewait', 'entered-finwait2', 'overflow',
              'connect-eaddrnotavail', 'linger-abort', 'max-tw-buckets',
              'dests', 'services', 'untracked']:
        eq(f'{what} {k}', y[k], ta[k.replace('-', '_')])
        eq(f'{what} {k} (after)', y[k], tb[k.replace('-', '_')])
    eq(f'{what} port range', [y['port-low'], y['port-high']], ta['port_range'])
    for r in ENDS[1:]:
        eq(f'{what} ended {r}', y['ended'][r], ta['ended'][r])
    eq(f'{what} ages: buckets', len(y['ages']['age-bucket']), 61)
    eq(f'{what} ages sum = live', sum(y['ages']['age-bucket']), y['live'])
    between(f'{what} ages', y['ages']['age-bucket'], tw_ages(ta['ages']), tw_ages(tb['ages']))
    if lifetime:
        got = {}
        for item in y['lifetime']:
            for idx, nest in item.items():
                got[ENDS[int(idx)]] = nest['age-bucket']
        for r in ENDS[1:]:
            eq(f'{what} lifetime {r}', got.get(r), tw_ages(ta['lifetime'][r]))


def main():
    ta, tb = load('t-show-a.json'), load('t-show-b.json')
    eq('netns inum (tw-stat)', INUM, ta['netns_inum'])

    # GET_STATS do
    y = load('y-stats-do.json')
    eq('get-stats netns-inum', y['netns-inum'], INUM)
    hooks = sorted(h.replace('twmon-hook-', '') for h in y['hooks'])
    eq('get-stats hooks', hooks, sorted(ta['hooks']))
    stats('get-stats', y['stats'], ta, tb)

    # GET_STATS dump (all-netns): ours among them, the same figures
    ys = [m for m in load('y-stats-dump.json') if m['netns-inum'] == INUM]
    eq('get-stats dump: messages for our namespace', len(ys), 1)
    stats('get-stats dump', ys[0]['stats'], ta, tb, lifetime=False)  # do only

    # GET_DESTS, GET_SERVICES: same rows
    for name, key in (('dests', 'remote'), ('services', 'local')):
        yr = load(f'y-{name}.json')
        tr_a, tr_b = rows(load(f't-{name}-a.json')), rows(load(f't-{name}-b.json'))
        eq(f'{name}: rows before and after (tw-stat)', tr_a, tr_b)
        eq(f'{name}: rows', len(yr), len(tr_a))
        eq(f'{name}: rows are not empty', len(yr) > 0, True)
        if name == 'dests':
            yk = sorted((addr(r['entry']['local-addr']), addr(r['entry']['remote-addr']),
                         r['entry']['remote-port'], r['entry']['count']) for r in yr)
            tk = sorted((r['local'], r['remote'], r['rport'], r['count']) for r in tr_a)
        else:
            yk = sorted((addr(r['entry']['local-addr']), r['entry']['local-port'],
                         r['entry']['count']) for r in yr)
            tk = sorted((r['local'], r['lport'], r['count']) for r in tr_a)
        eq(f'{name}: (addresses, port, count) of every row', yk, tk)
    eq('dests rows vs stats dests', len(load('y-dests.json')), y['stats']['dests'])
    eq('services rows vs stats services', len(load('y-services.json')), y['stats']['services'])

    # GET_SOCKS: the same sockets; age_ms between before and after
    ys = load('y-socks.json')
    sa = {(s['local'], s['lport'], s['remote'], s['rport']): s for s in rows(load('t-socks-a.json'))}
    sb = {(s['local'], s['lport'], s['remote'], s['rport']): s for s in rows(load('t-socks-b.json'))}
    eq('socks: count', len(ys), len(sa))
    eq('socks: count = live', len(ys), y['stats']['live'])
    sub = {6: 'time-wait', 5: 'fin-wait-2'}
    for m in ys:
        s = m['sock']
        k = (addr(s['local-addr']), s['local-port'], addr(s['remote-addr']), s['remote-port'])
        if k not in sa or k not in sb:
            fail('socks: a socket tw-stat does not list', k, None)
        eq(f'socks {k} substate', sub.get(s['substate']), sa[k]['substate'])
        global checks
        checks += 1
        if not sa[k]['age_ms'] <= s['age-ms'] <= sb[k]['age_ms']:
            fail(f'socks {k} age_ms (between before and after)', s['age-ms'],
                 (sa[k]['age_ms'], sb[k]['age_ms']))
        if not sa[k]['remaining_ms'] >= s['remaining-ms'] >= sb[k]['remaining_ms']:
            fail(f'socks {k} remaining_ms (between before and after)', s['remaining-ms'],
                 (sa[k]['remaining_ms'], sb[k]['remaining_ms']))

    # GET_CONFIG: against the module's own /sys and what was set
    c = load('y-config.json')
    sysm = load('t-sys.json')
    eq('get-config version', c['version'], sysm['version'])
    for p in ('max-dests', 'max-services', 'max-entries'):
        eq(f'get-config {p}', c[p], sysm[p.replace('-', '_')])
    eq('get-config stats-interval-ms (set by cli.py set-config)', c['stats-interval-ms'], sysm['interval'])
    eq('get-config hooks', sorted(h.replace('twmon-hook-', '') for h in c['hooks']), sorted(ta['hooks']))
    eq('get-config missed', c['missed'], 0)

    # The groups: the same messages (by seq) as tw-stat events --stats
    te = lines('t-events.json')
    tstats = {e['seq']: e for e in te if e.get('type') == 'stats' and e.get('netns_inum') == INUM}
    yst = [m['msg'] for m in load('y-ntf-stats.json') if m['name'] == 'stats-notify'
           and m['msg']['netns-inum'] == INUM]
    common = [m for m in yst if m['seq'] in tstats]
    eq('stats-notify: messages seen by both (at least 4)', len(common) >= 4, True)
    for m in common:
        t = tstats[m['seq']]
        for k in ('live', 'max-tw-buckets', 'entered', 'overflow', 'connect-eaddrnotavail',
                  'linger-abort', 'untracked'):
            eq(f'stats-notify seq {m["seq"]} {k}', m['stats'][k], t[k.replace('-', '_')])
        eq(f'stats-notify seq {m["seq"]} ages sum = live', sum(m['stats']['ages']['age-bucket']),
           m['stats']['live'])
    seqs = [m['seq'] for m in yst]
    eq('stats-notify: seq without gaps', seqs, list(range(seqs[0], seqs[0] + len(seqs))))
    eq('stats-notify: the flood overflowed', max(m['stats']['overflow'] for m in yst) > 0, True)

    tev = {}
    for e in te:
        if e.get('netns_inum') == INUM and e.get('type') not in ('stats', 'lost', None):
            tev.setdefault(e['seq'], []).append((e['type'], e['value'], e['threshold']))
    yev = {}
    for m in load('y-ntf-events.json'):
        if m['name'] == 'event' and m['msg']['netns-inum'] == INUM:
            yev[m['msg']['seq']] = [(v['type'].replace('twmon-ev-', ''), v['value'], v['threshold'])
                                    for v in m['msg']['event']]
    eq('events: messages (seq) of cli.py and tw-stat', sorted(yev), sorted(tev))
    for s in yev:
        eq(f'events seq {s}', yev[s], tev[s])
    types = [t for s in sorted(yev) for t, _, _ in yev[s]]
    eq('events: overflow-begin then overflow-end',
       'overflow-begin' in types and 'overflow-end' in types[types.index('overflow-begin'):], True)
    print(f'{checks} figures of cli.py equal to tw-stat -j (or /sys)')


main()
