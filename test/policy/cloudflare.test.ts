// Cloudflare resource rules: a pool without a health monitor never fails over.
import { checkRule } from "../support/policy";

const UNMONITORED = "the pool has no monitor (or monitorGroup): Cloudflare never marks it unhealthy and never fails over";

describe("policy pack: Cloudflare pools", () => {
    checkRule(
        "cloudflare-pool-has-monitor",
        "cloudflare:index/loadBalancerPool:LoadBalancerPool",
        [
            ["monitored", { monitor: "m-1", origins: [] }, null],
            ["group", { monitorGroup: "g-1", origins: [] }, null],
            ["omitted", { origins: [] }, UNMONITORED],
            ["empty", { monitor: "", origins: [] }, UNMONITORED],
        ],
        ["monitor"],
    );
});
