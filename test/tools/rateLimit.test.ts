import * as assert from "node:assert/strict";
import * as path from "node:path";
import { EDGE_DEFAULTS } from "../../config/edge";
import { projectRoot } from "../../plan/stackConfig";
import { apiRequestRate, isExempt, rateLimitProblem, siteRateLimitProblem } from "../../tools/rateLimit";
import { loadScenario } from "../../tools/scenario";

describe("the zone's own rate limit against a QA load", () => {
    const scenario = loadScenario(path.join(projectRoot(), "tools", "scenarios", "extension.yaml"));
    const zone = (exemptSources: string[] = []) => ({ ...EDGE_DEFAULTS, rateLimit: { ...EDGE_DEFAULTS.rateLimit, exemptSources } });
    const site = (users: number, egress: string[]) => ({ region: "us-east-1", at: "loadgen:sites[0]", egress, scenario, users });

    it("counts an open model's API requests from its rate (95 % of the shipped scenario's are under /v1/)", () => {
        assert.equal(Math.round(apiRequestRate(scenario, 1, "/v1/", 100)), 95);
        assert.equal(
            rateLimitProblem(scenario, 1000, zone(), false, { name: "load test", openRate: 100 }),
            "1000 users send about 5700 API requests per 60 s from this machine, above the zone's limit of 600 per client address: the edge would answer 429 and spoil the load test; use --rate 10 or lower, or list this machine's egress in platform:edge.rateLimit.exemptSources (Business plan) and pass --rate-limit-exempt",
        );
        assert.equal(rateLimitProblem(scenario, 1000, zone(), false, { name: "load test", openRate: 10 }), undefined);
    });

    it("takes an address as exempt when an exempt entry holds it: the same text, or an IPv4 CIDR around it", () => {
        assert.equal(isExempt("203.0.113.7", ["203.0.113.0/24"]), true);
        assert.equal(isExempt("203.0.113.7/32", ["203.0.113.7"]), true);
        assert.equal(isExempt("203.0.113.0/24", ["203.0.113.0/25"]), false);
        assert.equal(isExempt("203.0.114.7", ["203.0.113.0/24"]), false);
        assert.equal(isExempt("2001:db8::1", ["2001:DB8::1"]), true);
        assert.equal(isExempt("2001:db8::1", ["203.0.113.0/24"]), false);
    });

    it("refuses a site above the limit unless every egress address of it is exempt", () => {
        assert.equal(siteRateLimitProblem(site(30, []), zone(), "prod"), undefined);
        assert.equal(
            siteRateLimitProblem(site(7500, []), zone(), "prod"),
            "us-east-1's 7500 users send about 116327 API requests per 60 s through the site's egress, above the zone's limit of 600 per client address: the edge would answer 429; list the site's NAT addresses in loadgen:sites[0].egress and in platform:edge.rateLimit.exemptSources of Pulumi.prod.yaml (docs/qa.md, \"The zone's rate limit\"), or use fewer users",
        );
        assert.match(
            siteRateLimitProblem(site(7500, ["198.51.100.1/32", "198.51.100.2/32"]), zone(["198.51.100.1/32"]), "prod")!,
            /; its egress 198\.51\.100\.2\/32 \(loadgen:sites\[0\]\.egress\) is not in platform:edge\.rateLimit\.exemptSources of Pulumi\.prod\.yaml: add it and run `pulumi up -s prod` first \(docs\/qa\.md\)$/,
        );
        assert.equal(siteRateLimitProblem(site(7500, ["198.51.100.1/32", "198.51.100.2"]), zone(["198.51.100.0/24"]), "prod"), undefined);
    });

    it("tells a tenant of the zone to run both updates, its own and then its owner's", () => {
        const problem = siteRateLimitProblem(site(7500, ["198.51.100.2/32"]), zone(["198.51.100.1/32"]), "staging", "prod")!;
        assert.match(
            problem,
            /: add it and run `pulumi up -s staging` and then `pulumi up -s prod` \(staging's rules reach Cloudflare in the rulesets of its zone owner prod, docs\/edge\.md "Two stacks, one zone"\) first \(docs\/qa\.md\)$/,
        );
        assert.doesNotMatch(siteRateLimitProblem(site(7500, ["198.51.100.2/32"]), zone(["198.51.100.1/32"]), "prod")!, /and then/);
    });
});
