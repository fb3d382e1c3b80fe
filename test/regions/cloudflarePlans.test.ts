import * as assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { namespaceValues } from "../../config/platform";
import { cloudflarePlanOf } from "../../plan/plan";
import { projectRoot, readStack } from "../../plan/stackConfig";
import { formatPlanTable, planProblems, planRequirements, requiredPlan } from "../../regions/cloudflarePlans";
import { parseStack } from "../../stack/parse";

const FEATURES = {
    hostnameLevels: 1,
    monitorInterval: 15,
    staticEdgeTtl: 2592000,
    rateLimit: { period: 60, mitigationTimeout: 60, exemptsSources: false },
    rateLimitRulesInZone: 2,
    loadBalancerRules: 1,
};

describe("Cloudflare plans", () => {
    it("needs Business for a 15 s monitor, Pro for the hostname's rate limit, and refuses what no plan allows", () => {
        assert.equal(requiredPlan(planRequirements(FEATURES)), "business");
        assert.equal(requiredPlan(planRequirements({ ...FEATURES, monitorInterval: 60 })), "pro");
        assert.equal(requiredPlan(planRequirements({ ...FEATURES, monitorInterval: 60, rateLimitRulesInZone: 3 })), "business");
        assert.equal(
            requiredPlan(planRequirements({ ...FEATURES, rateLimit: { ...FEATURES.rateLimit, exemptsSources: true } })),
            "business",
        );
        assert.equal(requiredPlan(planRequirements({ ...FEATURES, rateLimit: { ...FEATURES.rateLimit, period: 3600 } })), "enterprise");
        assert.equal(requiredPlan(planRequirements({ ...FEATURES, monitorInterval: 5 })), undefined);
        assert.deepEqual(planProblems("business", planRequirements(FEATURES)), []);
        assert.equal(planProblems("pro", planRequirements(FEATURES)).length, 1);
    });

    it("names the edge certificate: Universal SSL to one level below the zone, Advanced Certificate Manager below that", () => {
        const certificate = (levels: number) => planRequirements({ ...FEATURES, hostnameLevels: levels })[3];
        assert.deepEqual(
            [certificate(0).feature, certificate(1).feature, certificate(1).addOn],
            [
                "Edge certificate: Universal SSL (the hostname is the zone's apex)",
                "Edge certificate: Universal SSL (the hostname is a first-level name of the zone)",
                undefined,
            ],
        );
        assert.equal(certificate(2).addOn, "Advanced Certificate Manager");
        assert.match(certificate(2).source, /universal-ssl\/limitations/);
    });

    it("README, docs/edge.md and the plan show the same table: prod's", () => {
        const stack = readStack(projectRoot(), "prod");
        const { config } = parseStack(namespaceValues(stack.config), stack.config["aws:region"]);
        const table = formatPlanTable(cloudflarePlanOf(config).requirements);
        for (const file of ["README.md", path.join("docs", "edge.md")]) {
            const text = readFileSync(path.join(projectRoot(), file), "utf8");
            const block = /<!-- cloudflare-plan -->\n([\s\S]*?)\n<!-- \/cloudflare-plan -->/.exec(text);
            assert.ok(block, `${file} has no cloudflare-plan block`);
            assert.equal(block[1], table, file);
        }
        assert.match(table, /^Minimum: the \*\*Business\*\* zone plan with the Load Balancing add-on\.$/m);
    });
});
