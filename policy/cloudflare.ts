/**
 * Cloudflare resource rules: every load-balancer pool is health-checked. The load balancer's
 * failover (fallback pool, affinity, every pool used) relates resources and is a mission rule
 * (mission.ts).
 */
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { isSet, platform, resourcePolicy } from "./common";

export const CLOUDFLARE_TYPES = {
    loadBalancerPool: "cloudflare:index/loadBalancerPool:LoadBalancerPool",
    loadBalancer: "cloudflare:index/loadBalancer:LoadBalancer",
} as const;

export const cloudflarePolicies: ResourceValidationPolicy[] = [
    resourcePolicy({
        ...platform("cloudflare-pool-has-monitor", "critical"),
        title: "Every Cloudflare load-balancer pool has a health monitor, so a failed cell is taken out of rotation.",
        types: [CLOUDFLARE_TYPES.loadBalancerPool],
        // A monitor that is unknown during preview is another resource's id: it will be set.
        decidesOnKnown: true,
        check: (props, _args, report) => {
            if (!isSet(props.monitor) && !isSet(props.monitorGroup))
                report("the pool has no monitor (or monitorGroup): Cloudflare never marks it unhealthy and never fails over");
        },
    }),
];
