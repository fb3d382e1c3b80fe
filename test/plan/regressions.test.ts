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
import { planStack } from "../../plan/plan";
import { checkTransitionRules } from "../../plan/rules";
import { KNOWN_VIOLATIONS } from "../../plan/rules/known";
import { planRuleViolations } from "../../plan/rules/limits";
import { transitionViolations } from "../../plan/rules/transitions";
import { type RuleResource, inputAt } from "../../plan/rules/violation";
import { UNKNOWN } from "../../plan/runtime";
import { projectRoot, readConfigFile, readStack } from "../../plan/stackConfig";
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

    it("compute F9 (fails at 9d24512): a new app port replaced the target group and updated its TargetGroupBinding in place, which the LBC's webhook refuses", () => {
        const old = regression<{ before: Resources; after: Resources }>("9d24512-app-port.json");
        // That commit's plan JSON records no dependencies: the binding names its group by ARN.
        assert.ok(old.before.resources.every((r) => r.dependencies === undefined));
        assert.deepEqual(
            transitionViolations(old.before, old.after).map((v) => `${v.rule} ${last(v.urn)}`),
            ["apse1", "euc1", "use1"].map((c) => `k8s-immutable-target-group-arn ${c}-api-tgb`),
        );
    });

    it("compute F9, today: a new app port replaces the target group and, with it, the TargetGroupBinding (replaceOnChanges): nothing refused", async () => {
        const prod = prodStack();
        const app = JSON.parse(prod.config["platform:app"]) as Record<string, unknown>;
        const [a, b] = [(await planOf(prod)).plan, (await planOf(withConfig(prod, { "platform:app": { ...app, port: 8081 } }))).plan];
        const rules = checkTransitionRules(a, b);
        assert.deepEqual(rules.violations, []);
        assert.deepEqual(rules.known, []);
        assert.deepEqual(compare(a, b).atRisk, []);
    });

    it("compute F13 (fails at 9d24512): subnets placed by AZ name, which each account maps to its own zone; today by the catalog's zone IDs", async () => {
        const old = regression<{ plan: Resources }>("9d24512-subnets.json");
        const then = planRuleViolations(old.plan.resources).filter((v) => v.rule === "subnet-zone-by-id");
        assert.equal(then.length, 27);
        assert.match(then.find((v) => last(v.urn) === "use1-net-private-a")!.message, /availabilityZone us-east-1a is a name/);
        const { plan } = await planOf(prodStack());
        const subnets = plan.resources.filter((r) => r.type === "aws:ec2/subnet:Subnet");
        assert.equal(subnets.length, 27);
        assert.deepEqual(
            planRuleViolations(plan.resources).filter((v) => v.rule === "subnet-zone-by-id"),
            [],
        );
        // The rule also refuses a zone ID that EKS refuses.
        const inUnsupported = subnets.map((r) => ({ ...r, inputs: { ...r.inputs, availabilityZoneId: "use1-az3" } }));
        assert.match(
            planRuleViolations(inUnsupported)[0].message,
            /availabilityZoneId use1-az3: EKS control plane and RDS Proxy unsupported/,
        );
    });

    it("data F15 (fails at 9d24512): halving the users deleted the highest-numbered instances with nothing moving the writer off them, and no instance had its own maintenance window", () => {
        const old = regression<{ before: Resources; after: Resources }>("9d24512-scale-in.json");
        assert.deepEqual(
            transitionViolations(old.before, old.after).map((v) => `${v.rule} ${last(v.urn)}`),
            ["euc1-data-db-4", "euc1-data-db-5", "use1-data-db-4", "use1-data-db-5"].map((i) => `aurora-scale-in-moves-writer ${i}`),
        );
        const windows = planRuleViolations(old.before.resources).filter((v) => v.rule === "aurora-instance-windows-staggered");
        assert.equal(windows.length, 13);
        assert.match(windows[0].message, /no preferredMaintenanceWindow: RDS picks one at random from an 8-hour block/);
    });

    it("data F15, today: the writer guard runs before the scale-in deletes, and every instance has its own window", async () => {
        const prod = prodStack();
        const capacity = JSON.parse(prod.config["platform:capacity"]) as Record<string, unknown>;
        const [a, b] = [
            (await planOf(prod)).plan,
            (await planOf(withConfig(prod, { "platform:capacity": { ...capacity, targetConcurrentUsers: 12_500 } }))).plan,
        ];
        const instances = (p: typeof a) => p.resources.filter((r) => r.type === "aws:rds/clusterInstance:ClusterInstance").length;
        assert.ok(instances(b) < instances(a), `${instances(a)} → ${instances(b)} instances`);
        assert.deepEqual(transitionViolations(a, b), []);
        assert.deepEqual(planRuleViolations(a.resources), []);
        // A preview plans both sides with the guard's input unknown: it still counts.
        const pa = await planStack(prod, { preview: true });
        const pb = await planStack(withConfig(prod, { "platform:capacity": { ...capacity, targetConcurrentUsers: 12_500 } }), {
            preview: true,
        });
        assert.ok(pb.plan.resources.some((r) => r.urn.endsWith("-writer-guard-run") && r.inputs.input === UNKNOWN));
        assert.deepEqual(transitionViolations(pa.plan, pb.plan), []);
        // Without the guard's new run, the rule finds every deleted instance.
        const unguarded = { resources: b.resources.filter((r) => !r.urn.endsWith("-writer-guard-run")) };
        const found = transitionViolations(a, unguarded);
        assert.equal(found.length, instances(a) - instances(b));
        assert.ok(found.every((v) => v.rule === "aurora-scale-in-moves-writer"));
        // Two instances of one cluster in the same window are refused too.
        const same = a.resources.map((r) =>
            r.type === "aws:rds/clusterInstance:ClusterInstance"
                ? { ...r, inputs: { ...r.inputs, preferredMaintenanceWindow: "sun:06:00-sun:06:30" } }
                : r,
        );
        assert.match(
            planRuleViolations(same).find((v) => last(v.urn) === "use1-data-db-2")!.message,
            /overlaps use1-data-db-1's sun:06:00-sun:06:30/,
        );
    });

    it("data F9 (fails at 9d24512): its detach-and-promote runbook ended in `pulumi refresh && pulumi up`, an in-place join the provider refuses; today's steps delete the standalone members first", async () => {
        const members = ["apse1-data-db-cluster", "use1-data-db-cluster"];
        /** The state a refresh records after step 2: the old global cluster's other members are standalone. */
        const refreshed = (plan: Resources): Resources => ({
            resources: plan.resources.map((r) =>
                members.includes(last(r.urn)!) ? { ...r, inputs: { ...r.inputs, globalClusterIdentifier: "" } } : r,
            ),
        });
        const joins = (before: Resources, after: Resources) =>
            transitionViolations(before, after)
                .filter((v) => v.rule === "aurora-cluster-global-membership-in-place")
                .map((v) => last(v.urn));
        const old = regression<{ plan: Resources }>("9d24512-primary-euc1.json");
        assert.deepEqual(joins(refreshed(old.plan), old.plan), members);

        const today = (await planOf(readConfigFile(path.join(projectRoot(), "test", "fixtures", "primary-euc1.yaml"), "platform", "prod")))
            .plan;
        // Skipping step 4 still fails: the rule says so.
        assert.deepEqual(joins(refreshed(today), today), members);
        // Steps 4 and 5: the standalone clusters and their instances deleted, the refresh forgets them, `up` creates them.
        const gone = (r: RuleResource) =>
            members.includes(last(r.urn)!) ||
            (r.type === "aws:rds/clusterInstance:ClusterInstance" &&
                members.some((m) => last(r.urn)!.startsWith(m.replace("-cluster", "-"))));
        const forgotten = { resources: refreshed(today).resources.filter((r) => !gone(r)) };
        assert.equal(today.resources.length - forgotten.resources.length, 2 + 3 + 5);
        assert.deepEqual(joins(forgotten, today), []);
        assert.deepEqual(transitionViolations(forgotten, today), []);
        const runbook = readFileSync(path.join(projectRoot(), "docs", "regions.md"), "utf8");
        const detach = runbook.slice(runbook.indexOf("Detach and promote is the last resort"), runbook.indexOf("### Failback"));
        assert.match(
            detach,
            /`remove-from-global-cluster` for \*\*every\*\* member it still has, each other secondary first\s+and the old primary \(its writer\) last/,
        );
        assert.match(detach, /--deletion-protection`\);/);
        assert.match(detach, /`platform:data\.rpoBound: false`/);
        assert.match(detach, /`aws rds wait\s+db-cluster-deleted`/);
        assert.match(detach, /`pulumi preview --diff -s prod` must show those clusters and their instances as creates/);
        assert.match(detach, /5\. `pulumi refresh -s prod`: the stack forgets/);
        assert.doesNotMatch(detach, /pulumi refresh && pulumi up/);
    });

    it("edge F7 (fails at 9d24512): its config took a webhook id only as 32 hex, which the API returns hyphenated (a perpetual diff); today only the API's form is accepted", async () => {
        const old = regression<{ plan: Resources }>("9d24512-webhook.json");
        assert.deepEqual(
            planRuleViolations(old.plan.resources).map((v) => `${v.rule} ${last(v.urn)}`),
            ["cloudflare-webhook-id-form edge-pool-health-alert"],
        );
        const prod = prodStack();
        const edge = JSON.parse(prod.config["platform:edge"]) as Record<string, unknown>;
        const hexOnly = withConfig(prod, { "platform:edge": { ...edge, alertWebhookId: "b115d5ec15c641ee8b7692c449b5227b" } });
        assert.throws(() => parseConfig(namespaceValues(hexOnly.config), hexOnly.config["aws:region"]), /alertWebhookId/);
        const uuid = withConfig(prod, { "platform:edge": { ...edge, alertWebhookId: "b115d5ec-15c6-41ee-8b76-92c449b5227b" } });
        const { plan } = await planOf(uuid);
        const policy = plan.resources.find((r) => r.type === "cloudflare:index/notificationPolicy:NotificationPolicy")!;
        assert.deepEqual(inputAt(policy.inputs, "mechanisms.webhooks"), [{ id: "b115d5ec-15c6-41ee-8b76-92c449b5227b" }]);
        assert.deepEqual(planRuleViolations(plan.resources), []);
    });

    it("leaves no known violation: the tiers it named are fixed, so every rule finding blocks", () => {
        assert.deepEqual(
            KNOWN_VIOLATIONS.map((k) => k.name),
            [],
        );
    });
});
