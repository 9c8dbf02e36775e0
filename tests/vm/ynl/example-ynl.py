# SPDX-License-Identifier: GPL-2.0
# README "For agent authors": twmon with the kernel's YNL library and the spec
import sys
sys.path.insert(0, sys.argv[1])            # the directory of tools/net/ynl's lib/
from lib import YnlFamily

ynl = YnlFamily(sys.argv[2], schema='')    # kmod/uapi/twmon.yaml ('': unchecked)
st = ynl.do('get-stats', {})['stats']
print('live', st['live'], 'overflow', st['overflow'], 'ended', st['ended'])
for row in ynl.dump('get-dests', {'min-count': 1}):
    print('pool', row['entry'])
