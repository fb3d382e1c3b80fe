/**
 * Regression tests from the reviews of commit 9d24512 (../shared/reviews/): each rule is shown
 * to catch the finding on that commit's plans (fixtures cut from them, test/fixtures/regressions/,
 * made in a read-only `git worktree add /tmp/old 9d24512`), and today's plans are checked with it.
 * Where another tier is still fixing the code, today's finding is its named known violation
 * (plan/rules/known.ts): the test fails once the fix lands, and the entry goes with it.
 */
import * as assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { namespaceValues, parseConfig } from "../../config/platform";
import { compare } from "../../plan/compare";
import { checkTransitionRules } from "../../plan/rules";
import { KNOWN_VIOLATIONS } from "../../plan/rules/known";
import { transitionViolations } from "../../plan/rules/transitions";
import { type RuleResource } from "../../plan/rules/violation";
import { projectRoot, readStack } from "../../plan/stackConfig";
import { type PlannedStack, crossStackReport } from "../../plan/stacks";
import { planOf, prodStack, withConfig } from "../support/harness";

const regression = <T>(name: string): T =>
    JSON.parse(readFileSync(path.join(projectRoot(), "test", "fixtures", "regressions", name), "utf8")) as T;
type Resources = { resources: RuleResource[] };
const configOf = (stack: string) => {
    const { config } = readStack(projectRoot(), stack);
    return parseConfig(namespaceValues(config), config["aws:region"]);
};
const planned = (stack: string, resources: readonly RuleResource[]): PlannedStack => ({
    stack,
    file: `Pulumi.${stack}.yaml`,
    config: configOf(stack),
    resources: resources as PlannedStack["resources"],
});
const last = (urn: string) => urn.split("::").pop();

describe("regressions from the reviews of 9d24512", function () {
    this.timeout(600_000);

    it("compute F3 (fails at 9d24512): doubling the users sends minSize above the desired size ignoreChanges keeps", () => {
        const old = regression<{ before: Resources; after: Resources }>("9d24512-double-users.json");
        const found = transitionViolations(old.before, old.after);
        assert.deepEqual(
            found.map((v) => `${v.rule} ${last(v.urn)}`),
            ["use1-nodes-a", "use1-nodes-b", "use1-nodes-c"].map((n) => `eks-nodegroup-scaling-bounds ${n}`),
        );
        assert.match(found[0].message, /minSize 3, maxSize 4 with desiredSize 2/);
    });

    it("edge F1 (fails at 9d24512): prod and staging on one zone both declared the zone's phase rulesets; today staging is prod's tenant", async () => {
        const old = regression<{ prod: Resources; staging: Resources }>("9d24512-stacks.json");
        const then = crossStackReport([planned("prod", old.prod.resources), planned("staging", old.staging.resources)]);
        assert.equal(then.problems.filter((p) => p.includes("(one-owner-per-zone-singleton)")).length, 1, then.problems.join("\n"));
        assert.match(
            then.problems.join("\n"),
            /both declare the zone's entry-point ruleset of phase http_request_cache_settings, .*http_request_late_transform, .*http_ratelimit/,
        );
        const [prod, staging] = [(await planOf(prodStack())).plan, (await planOf(readStack(projectRoot(), "staging"))).plan];
        const now = crossStackReport([planned("prod", prod.resources), planned("staging", staging.resources)]);
        assert.deepEqual(now.problems, []);
    });

    it("issue 18 (fails at 9d24512): the OpenSearch domain name carries no stack, so prod and staging collide in one account", async () => {
        const old = regression<{ prod: Resources; staging: Resources }>("9d24512-stacks.json");
        // The known list describes today's code: 9d24512's plans are judged without it.
        const then = crossStackReport([planned("prod", old.prod.resources), planned("staging", old.staging.resources)], []);
        assert.match(
            then.problems.join("\n"),
            /both declare Domain domainName euc1-obs-logs in eu-central-1, Domain domainName use1-obs-logs in us-east-1 \(unique-aws-physical-names\)/,
        );
        // Today every physical name carries the stack: no collision, none known, and no known list needed.
        const [prod, staging] = [(await planOf(prodStack())).plan, (await planOf(readStack(projectRoot(), "staging"))).plan];
        const now = crossStackReport([planned("prod", prod.resources), planned("staging", staging.resources)], []);
        assert.deepEqual(now.problems, []);
        assert.ok(prod.resources.some((r) => r.inputs.domainName === "prod-use1-logs"));
    });

    it("issue 18 (fails at 9d24512): the alarm names carried no stack, so staging would silently overwrite prod's alarms in one account", () => {
        const old = regression<{ prod: Resources; staging: Resources }>("9d24512-names.json");
        const then = crossStackReport([planned("prod", old.prod.resources), planned("staging", old.staging.resources)], []);
        const names = then.problems.find((p) => p.includes("(unique-aws-physical-names)")) ?? "";
        // PutMetricAlarm on an existing name replaces that alarm: no error, prod's alarm is gone.
        assert.equal(names.match(/MetricAlarm name /g)?.length, 71, names);
        assert.match(names, /MetricAlarm name use1-obs-alarms-alb-elb-5xx in us-east-1/);
        assert.equal(names.match(/LogResourcePolicy policyName /g)?.length, 2, names);
        assert.match(names, /silently overwrites the first stack's alarm/);
    });

    it("compute review, upgrades (fails at 9d24512): a Kubernetes downgrade 1.36 → 1.35 was accepted; the transition rule refuses it on every cluster", () => {
        const old = regression<{ before: Resources; after: Resources }>("9d24512-k8s-downgrade.json");
        assert.deepEqual(
            transitionViolations(old.before, old.after).map((v) => `${v.rule} ${last(v.urn)} ${v.message}`),
            ["apse1", "euc1", "use1"].map(
                (c) =>
                    `eks-version-one-minor ${c}-eks-cluster version 1.36 → 1.35 is a downgrade. Fix: upgrade one minor per pulumi up (and the node groups to it) before the next`,
            ),
        );
    });

    it("compute F9: a new app port replaces the target group and, with it, the TargetGroupBinding (replaceOnChanges): nothing refused", async () => {
        const prod = prodStack();
        const app = JSON.parse(prod.config["platform:app"]) as Record<string, unknown>;
        const [a, b] = [(await planOf(prod)).plan, (await planOf(withConfig(prod, { "platform:app": { ...app, port: 8081 } }))).plan];
        const rules = checkTransitionRules(a, b);
        assert.deepEqual(rules.violations, []);
        assert.deepEqual(rules.known, []);
        assert.deepEqual(compare(a, b).atRisk, []);
    });

    it("leaves no known violation: the tiers it named are fixed, so every rule finding blocks", () => {
        assert.deepEqual(
            KNOWN_VIOLATIONS.map((k) => k.name),
            [],
        );
    });
});
