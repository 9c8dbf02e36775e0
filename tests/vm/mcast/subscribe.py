#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Subscribe to twmon's multicast groups with pyroute2 (Debian's
python3-pyroute2, written by nobody here) and print every message as one
JSON line: proof that the ABI is usable by an agent not written in C.
Decodes from the attribute numbers of kmod/uapi/linux/twmon.h.

usage: subscribe.py SECONDS [GROUP ...]   (groups: stats events)
"""
import json
import select
import sys
import time

from pyroute2.netlink import genlmsg, nla
from pyroute2.netlink.generic import GenericNetlinkSocket

ENDS = ('unspec', 'expired', 'rst', 'syn', 'reuse', 'abort', 'purge', 'other')
EVENTS = ('unspec', 'overflow_begin', 'overflow_end', 'eaddrnotavail_begin',
          'eaddrnotavail_end', 'buckets_high', 'buckets_ok', 'pool_high',
          'pool_ok', 'linger_abort')


class twmon_msg(genlmsg):
    # enum twmon_attr, in order
    nla_map = (
        ('TWMON_A_UNSPEC', 'none'),
        ('TWMON_A_PAD', 'none'),
        ('TWMON_A_VERSION', 'asciiz'),
        ('TWMON_A_NETNS_INUM', 'uint32'),
        ('TWMON_A_ALL_NETNS', 'flag'),
        ('TWMON_A_STATS', 'stats'),
        ('TWMON_A_HOOKS', 'uint32'),
        ('TWMON_A_HOOKS_WANTED', 'uint32'),
        ('TWMON_A_FAMILY', 'uint8'),
        ('TWMON_A_MIN_COUNT', 'uint32'),
        ('TWMON_A_LOCAL_ADDR', 'hex'),
        ('TWMON_A_LOCAL_PORT', 'uint16'),
        ('TWMON_A_REMOTE_ADDR', 'hex'),
        ('TWMON_A_REMOTE_PORT', 'uint16'),
        ('TWMON_A_SUBSTATE', 'uint8'),
        ('TWMON_A_ENTRY', 'hex'),
        ('TWMON_A_SOCK', 'hex'),
        ('TWMON_A_STATS_INTERVAL_MS', 'uint32'),
        ('TWMON_A_MAX_DESTS', 'uint32'),
        ('TWMON_A_MAX_SERVICES', 'uint32'),
        ('TWMON_A_PURGED_DEAD_NETNS', 'uint64'),
        ('TWMON_A_MISSED', 'uint64'),
        ('TWMON_A_SEQ', 'uint64'),
        ('TWMON_A_EVENT', 'event'),
        ('TWMON_A_BUCKETS_WATERMARK_PCT', 'uint32'),
        ('TWMON_A_POOL_WATERMARK_PCT', 'uint32'),
    )

    class stats(nla):
        # enum twmon_stat, in order
        nla_map = (
            ('TWMON_S_UNSPEC', 'none'),
            ('TWMON_S_PAD', 'none'),
            ('TWMON_S_LIVE', 'uint64'),
            ('TWMON_S_LIVE_TIMEWAIT', 'uint64'),
            ('TWMON_S_LIVE_FINWAIT2', 'uint64'),
            ('TWMON_S_SEEDED', 'uint64'),
            ('TWMON_S_ENTERED', 'uint64'),
            ('TWMON_S_ENTERED_TIMEWAIT', 'uint64'),
            ('TWMON_S_ENTERED_FINWAIT2', 'uint64'),
            ('TWMON_S_ENDED', 'ended'),
            ('TWMON_S_OVERFLOW', 'uint64'),
            ('TWMON_S_CONNECT_EADDRNOTAVAIL', 'uint64'),
            ('TWMON_S_LINGER_ABORT', 'uint64'),
            ('TWMON_S_MAX_TW_BUCKETS', 'uint32'),
            ('TWMON_S_PORT_LOW', 'uint32'),
            ('TWMON_S_PORT_HIGH', 'uint32'),
            ('TWMON_S_DESTS', 'uint32'),
            ('TWMON_S_SERVICES', 'uint32'),
            ('TWMON_S_UNTRACKED', 'uint64'),
            ('TWMON_S_AGES', 'ages'),
            ('TWMON_S_AGE_BUCKET', 'uint64'),
            ('TWMON_S_LIFETIME', 'hex'),
        )

        class ended(nla):
            nla_map = tuple(('TWMON_END_' + e.upper(), 'uint64') for e in ENDS)

        class ages(nla):
            nla_map = (('TWMON_S_UNSPEC', 'none'), ('TWMON_S_PAD', 'none')) + \
                tuple(('TWMON_S_%d' % i, 'none') for i in range(2, 20)) + \
                (('TWMON_S_AGE_BUCKET', 'uint64'),)

    class event(nla):
        nla_map = (
            ('TWMON_V_UNSPEC', 'none'),
            ('TWMON_V_PAD', 'none'),
            ('TWMON_V_TYPE', 'uint32'),
            ('TWMON_V_VALUE', 'uint64'),
            ('TWMON_V_THRESHOLD', 'uint64'),
            ('TWMON_V_FAMILY', 'uint8'),
            ('TWMON_V_LOCAL_ADDR', 'hex'),
            ('TWMON_V_REMOTE_ADDR', 'hex'),
            ('TWMON_V_REMOTE_PORT', 'uint16'),
        )


def decode(msg):
    cmd = msg['cmd']
    out = {'netns_inum': msg.get_attr('TWMON_A_NETNS_INUM'),
           'seq': msg.get_attr('TWMON_A_SEQ'),
           'time': time.monotonic()}
    if cmd == 7:        # TWMON_CMD_STATS_NOTIFY
        s = msg.get_attr('TWMON_A_STATS')
        ended = s.get_attr('TWMON_S_ENDED')
        ages = s.get_attr('TWMON_S_AGES')
        out.update(kind='stats',
                   live=s.get_attr('TWMON_S_LIVE'),
                   seeded=s.get_attr('TWMON_S_SEEDED'),
                   entered=s.get_attr('TWMON_S_ENTERED'),
                   overflow=s.get_attr('TWMON_S_OVERFLOW'),
                   ended={e: ended.get_attr('TWMON_END_' + e.upper())
                          for e in ENDS[1:]},
                   ages=[v for k, v in ages['attrs']
                         if k == 'TWMON_S_AGE_BUCKET'])
    elif cmd == 8:      # TWMON_CMD_EVENT
        out.update(kind='events', events=[
            {'type': EVENTS[e.get_attr('TWMON_V_TYPE')],
             'value': e.get_attr('TWMON_V_VALUE'),
             'threshold': e.get_attr('TWMON_V_THRESHOLD'),
             'rport': e.get_attr('TWMON_V_REMOTE_PORT')}
            for e in msg.get_attrs('TWMON_A_EVENT')])
    else:
        out.update(kind='cmd%d' % cmd)
    return out


def main():
    seconds = float(sys.argv[1])
    groups = sys.argv[2:] or ['stats', 'events']
    sock = GenericNetlinkSocket()
    sock.bind('twmon', twmon_msg)
    for g in groups:
        sock.add_membership(g)
    print(json.dumps({'kind': 'ready', 'groups': groups}), flush=True)
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        ready, _, _ = select.select([sock], [], [], max(0, end - time.monotonic()))
        if not ready:
            continue
        for msg in sock.get():
            print(json.dumps(decode(msg)), flush=True)
    sock.close()


if __name__ == '__main__':
    main()
