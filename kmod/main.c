// SPDX-License-Identifier: GPL-2.0
/*
 * twmon: exact TIME_WAIT accounting per network namespace, destination and
 * service, served over generic netlink.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/moduleparam.h>
#include "internal.h"

#define TWMON_TABLE_MAX (1U << 20)

unsigned int twmon_max_dests = 16384;
unsigned int twmon_max_services = 16384;
unsigned int twmon_max_entries = 65536;
unsigned int twmon_max_cgroups = 4096;
atomic_t twmon_stats_interval_ms = ATOMIC_INIT(1000);
atomic_t twmon_buckets_wm_pct = ATOMIC_INIT(80);
atomic_t twmon_pool_wm_pct = ATOMIC_INIT(80);

/* Reject a bad value with a line that names the parameter and its range */
static int table_limit_set(const char *val, const struct kernel_param *kp)
{
	unsigned int v;

	if (kstrtouint(val, 0, &v) || v < 1 || v > TWMON_TABLE_MAX) {
		pr_err("%s=%s is invalid: must be 1 .. %u\n", kp->name, val,
		       TWMON_TABLE_MAX);
		return -EINVAL;
	}
	*(unsigned int *)kp->arg = v;
	return 0;
}

static const struct kernel_param_ops table_limit_ops = {
	.set = table_limit_set,
	.get = param_get_uint,
};

module_param_cb(max_dests, &table_limit_ops, &twmon_max_dests, 0444);
MODULE_PARM_DESC(max_dests, "outgoing pools tracked per namespace (1..1048576, default 16384)");
module_param_cb(max_services, &table_limit_ops, &twmon_max_services, 0444);
MODULE_PARM_DESC(max_services, "services tracked per namespace (1..1048576, default 16384)");
module_param_cb(max_entries, &table_limit_ops, &twmon_max_entries, 0444);
MODULE_PARM_DESC(max_entries, "rows of all namespaces but the initial one, past 64 each (1..1048576, default 65536)");
module_param_cb(max_cgroups, &table_limit_ops, &twmon_max_cgroups, 0444);
MODULE_PARM_DESC(max_cgroups, "cgroups tracked per namespace with cgroups=1 (1..1048576, default 4096)");

/* Setup in order, each step undone by the label below it on failure */
static int __init twmon_init(void)
{
	int err;

	err = twmon_table_init();
	if (err)
		goto err_table;
	err = twmon_notify_init();
	if (err)
		goto err_notify;
	err = twmon_netns_init();
	if (err)
		goto err_netns;
	err = twmon_cgroup_init();
	if (err)
		goto err_cgroup;
	err = twmon_hooks_register();
	if (err)
		goto err_hooks;
	err = twmon_seed();
	if (err)
		goto err_seed;
	/* last: nobody can ask before the figures are right */
	err = twmon_genl_init();
	if (err)
		goto err_genl;
	twmon_notify_start();
	pr_info("version %s loaded\n", TWMON_VERSION);
	return 0;

err_genl:
err_seed:
	twmon_hooks_unregister();
err_hooks:
	twmon_cgroup_exit();
err_cgroup:
	twmon_netns_exit();
err_netns:
	twmon_notify_exit();
err_notify:
	twmon_table_exit();
err_table:
	pr_err("load failed: %d\n", err);
	return err;
}

static void __exit twmon_exit(void)
{
	twmon_notify_stop();		/* no multicast, no requeue after it */
	twmon_genl_exit();		/* waits for requests in flight */
	twmon_hooks_unregister();	/* waits for running handlers */
	twmon_cgroup_exit();
	twmon_netns_exit();		/* each namespace's works and rows */
	twmon_notify_exit();
	twmon_table_exit();
	pr_info("unloaded\n");
}

module_init(twmon_init);
module_exit(twmon_exit);
MODULE_LICENSE("GPL");
MODULE_AUTHOR("twmon developers");
MODULE_DESCRIPTION("TIME_WAIT monitor: exact per-namespace, per-destination accounting");
MODULE_VERSION(TWMON_VERSION);
