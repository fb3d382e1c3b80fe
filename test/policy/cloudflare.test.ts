// Cloudflare resource rules: a pool without a health monitor never fails over.
import { checkRule } from "../support/policy";

describe("policy pack: Cloudflare pools", () => {
    checkRule({
        policy: "cloudflare-pool-has-monitor",
        type: "cloudflare:index/loadBalancerPool:LoadBalancerPool",
        rows: [
            ["monitored", { monitor: "m-1", origins: [] }, null],
            ["group", { monitorGroup: "g-1", origins: [] }, null],
            [
                "omitted",
                { origins: [] },
                "the pool has no monitor (or monitorGroup): Cloudflare never marks it unhealthy and never fails over",
            ],
            [
                "empty",
                { monitor: "", origins: [] },
                "the pool has no monitor (or monitorGroup): Cloudflare never marks it unhealthy and never fails over",
            ],
        ],
    });
});
