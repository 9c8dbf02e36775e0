# SPDX-License-Identifier: GPL-2.0
# README "For agent authors": twmon with pyroute2, numbers from the spec
from pyroute2.netlink import genlmsg, nla, NLM_F_REQUEST
from pyroute2.netlink.generic import GenericNetlinkSocket

class twmon(genlmsg):  # attribute set "twmon": netns-inum 3, stats 5
    nla_map = ((3, 'NETNS_INUM', 'uint32'), (5, 'STATS', 'stats'))
    class stats(nla):  # attribute set "stats": live 2, overflow 10
        nla_map = ((2, 'LIVE', 'uint64'), (10, 'OVERFLOW', 'uint64'))

sock = GenericNetlinkSocket()
sock.bind('twmon', twmon)
msg = twmon()
msg['cmd'], msg['version'] = 1, 1  # get-stats, family version 1
reply = sock.nlm_request(msg, msg_type=sock.prid, msg_flags=NLM_F_REQUEST)[0]
st = reply.get_attr('STATS')
print('netns', reply.get_attr('NETNS_INUM'), 'live', st.get_attr('LIVE'),
      'overflow', st.get_attr('OVERFLOW'))
