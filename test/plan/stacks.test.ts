import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { parseConfig, namespaceValues } from "../../config/platform";
import { type Plan, planStack } from "../../plan/plan";
import { projectRoot, readStack } from "../../plan/stackConfig";
import {
    CROSS_STACK_RULES,
    type PlannedStack,
    crossStackReport,
    physicalNameClaims,
    repositoryStackNames,
    tenancyProblems,
} from "../../plan/stacks";

const fixture = (name: string) => path.join(projectRoot(), "test", "fixtures", name);
const CLI = path.join(projectRoot(), ".build", "plan", "cli.js");
const runCli = (args: string[]) => spawnSync(process.execPath, [CLI, ...args], { cwd: projectRoot(), encoding: "utf8" });
const configOf = (stack: string) => {
    const { config } = readStack(projectRoot(), stack);
    return parseConfig(namespaceValues(config), config["aws:region"]);
};
const res = (type: string, inputs: Record<string, unknown>) =>
    ({
        urn: `urn:${type}`,
        type,
        name: type,
        parent: null,
        custom: true,
        provider: null,
        protect: false,
        id: "x",
        inputs,
    }) as unknown as PlannedStack["resources"][number];
const RULESET = "cloudflare:index/ruleset:Ruleset";

describe("cross-stack check", () => {
    it("gives every cross-stack rule a source one can open (an address, or the cloud-rule table whose rows carry theirs)", () => {
        for (const rule of CROSS_STACK_RULES) assert.match(rule.source, /https:\/\/|^regions\/cloudRules\.ts /, rule.name);
    });

    it("finds the repository's stack files", () => {
        assert.deepEqual(repositoryStackNames(projectRoot()), ["prod", "staging"]);
    });

    it("accepts prod as the zone's owner with staging as its tenant, as the files say", () => {
        const stacks = ["prod", "staging"].map((s) => ({ stack: s, file: `Pulumi.${s}.yaml`, config: configOf(s) }));
        assert.deepEqual(tenancyProblems(stacks), []);
    });

    it("refuses two stacks of one AWS account that both declare the registry's ECR replication", () => {
        const prod = configOf("prod");
        const owner = (stack: string): PlannedStack => ({
            stack,
            file: `Pulumi.${stack}.yaml`,
            config: prod,
            resources: [res("aws:ecr/replicationConfiguration:ReplicationConfiguration", { region: "us-east-1" })],
        });
        const report = crossStackReport([owner("prod"), owner("staging")]);
        const refusal = report.problems.find((p) => p.includes("one-registry-replication-owner"));
        assert.ok(refusal, report.problems.join("\n"));
        assert.match(
            refusal,
            /^Pulumi\.prod\.yaml and Pulumi\.staging\.yaml share AWS account \(aws:allowedAccountIds not declared by both: assumed shared\) and both declare the ECR replication configuration of the registry in us-east-1 \(one-registry-replication-owner\)/,
        );
        assert.deepEqual(
            crossStackReport([owner("prod"), { ...owner("staging"), resources: [] }]).problems.filter((p) => p.includes("replication")),
            [],
        );
    });

    it("refuses two stacks of one zone that both declare a phase's entry-point ruleset, naming both files and the fix", () => {
        const prod = configOf("prod");
        const both = (stack: string): PlannedStack => ({
            stack,
            file: `Pulumi.${stack}.yaml`,
            config: { ...prod, cloudflare: { ...prod.cloudflare, zoneTenants: [] } },
            resources: [
                res(RULESET, { kind: "zone", phase: "http_request_late_transform" }),
                res(RULESET, { kind: "zone", phase: "http_ratelimit" }),
            ],
        });
        const report = crossStackReport([both("prod"), both("qa")]);
        assert.deepEqual(
            report.shared.map((s) => `${s.kind}: ${s.stacks.join(",")}`),
            ["Cloudflare zone: prod,qa", "Cloudflare account: prod,qa", "AWS account: prod,qa"],
        );
        assert.equal(report.problems.length, 1);
        assert.match(
            report.problems[0],
            /^Pulumi\.prod\.yaml and Pulumi\.qa\.yaml share Cloudflare zone fedcba9876543210fedcba9876543210 and both declare the zone's entry-point ruleset of phase http_request_late_transform, the zone's entry-point ruleset of phase http_ratelimit \(one-owner-per-zone-singleton\): a zone has one entry-point ruleset per phase.*platform:cloudflare\.zoneTenants.*platform:cloudflare\.zoneOwner/,
        );
        // Another zone (and Cloudflare account): nothing shared there, nothing refused; the AWS account is still one.
        const other = {
            ...both("qa"),
            config: { ...prod, cloudflare: { ...prod.cloudflare, zoneId: "0".repeat(32), accountId: "1".repeat(32), zoneTenants: [] } },
        };
        // Accounts declared apart (aws:allowedAccountIds): no AWS account shared either.
        assert.deepEqual(
            crossStackReport([
                { ...both("prod"), awsAccounts: ["111111111111"] },
                { ...other, awsAccounts: ["222222222222"] },
            ]),
            { shared: [], problems: [], known: [] },
        );
    });

    it("refuses two stacks of one AWS account that name a resource alike; stacks in accounts declared apart may", () => {
        const prod = configOf("prod");
        const domain = (stack: string, awsAccounts?: string[]): PlannedStack => ({
            stack,
            file: `Pulumi.${stack}.yaml`,
            config: {
                ...prod,
                cloudflare: { ...prod.cloudflare, zoneId: stack.padEnd(32, "0"), accountId: stack.padEnd(32, "1"), zoneTenants: [] },
            },
            resources: [
                res("aws:opensearch/domain:Domain", { domainName: "use1-logs", region: "us-east-1" }),
                res("aws:iam/role:Role", {}),
            ],
            ...(awsAccounts ? { awsAccounts } : {}),
        });
        const shared = crossStackReport([domain("prod"), domain("qa")], []);
        assert.equal(shared.problems.length, 1);
        assert.match(
            shared.problems[0],
            /^Pulumi\.prod\.yaml and Pulumi\.qa\.yaml share AWS account \(aws:allowedAccountIds not declared by both: assumed shared\) and both declare Domain domainName use1-logs in us-east-1 \(unique-aws-physical-names\): .*Put the stack in the name/,
        );
        const same = crossStackReport([domain("prod", ["123456789012"]), domain("qa", ["123456789012", "210987654321"])], []);
        assert.match(same.problems[0], /share AWS account 123456789012 and both declare Domain domainName use1-logs in us-east-1/);
        assert.deepEqual(crossStackReport([domain("prod", ["123456789012"]), domain("qa", ["210987654321"])], []).problems, []);
    });

    it("refuses a tenant its owner does not list, and an owner listing a stack that names no owner", () => {
        const prod = configOf("prod");
        const staging = configOf("staging");
        const lonely = tenancyProblems([
            { stack: "prod", file: "Pulumi.prod.yaml", config: { ...prod, cloudflare: { ...prod.cloudflare, zoneTenants: [] } } },
            { stack: "staging", file: "Pulumi.staging.yaml", config: staging },
        ]);
        assert.deepEqual(lonely, [
            "Pulumi.staging.yaml and Pulumi.prod.yaml: staging names prod its zone's owner, but prod's platform:cloudflare.zoneTenants does not list staging: its rules (origin auth among them) would be on no ruleset; add it there",
        ]);
        const unclaimed = tenancyProblems([
            { stack: "prod", file: "Pulumi.prod.yaml", config: prod },
            {
                stack: "staging",
                file: "Pulumi.staging.yaml",
                config: { ...staging, cloudflare: { ...staging.cloudflare, zoneOwner: undefined } },
            },
        ]);
        assert.deepEqual(unclaimed, [
            "Pulumi.prod.yaml and Pulumi.staging.yaml: prod lists staging as a tenant of its zone, but staging's platform:cloudflare.zoneOwner is unset; set it to prod",
        ]);
    });

    it("the plan exits 2 on the repository's files when staging would own prod's zone, naming both files", () => {
        const result = runCli(["--stack", "staging", "--config", fixture("staging-own-zone.yaml"), "--quiet"]);
        assert.equal(result.status, 2, result.stderr);
        assert.match(result.stderr, /^Refused: the stack files collide \(\d+\):/);
        assert.match(result.stderr, /Pulumi\.prod\.yaml and staging-own-zone\.yaml: prod lists staging as a tenant/);
        assert.match(
            result.stderr,
            /staging-own-zone\.yaml and Pulumi\.prod\.yaml share Cloudflare zone fedcba9876543210fedcba9876543210 and both declare the zone's entry-point ruleset of phase http_request_cache_settings, the zone's entry-point ruleset of phase http_config_settings/,
        );
    });

    describe("AWS physical names (stacks may share an account)", () => {
        const planned = new Map<string, PlannedStack>();
        const codes = new Map<string, string[]>();
        before(async () => {
            const plans = new Map<string, Plan>();
            for (const stack of ["prod", "staging"]) {
                const run = await planStack(readStack(projectRoot(), stack), { plans });
                planned.set(stack, { stack, file: `Pulumi.${stack}.yaml`, config: run.config, resources: run.plan.resources });
                codes.set(
                    stack,
                    run.fleet.cells.map((c) => c.code),
                );
            }
        });

        it("prod and staging share no physical name in any region: each carries its stack", () => {
            const [prod, staging] = ["prod", "staging"].map((s) => planned.get(s)!);
            const prodNames = physicalNameClaims(prod);
            const stagingNames = new Set(physicalNameClaims(staging));
            // What the names are: alarms, log groups, the log policy, the KMS alias and the domain, per cell.
            assert.equal(prodNames.length, new Set(prodNames).size);
            assert.deepEqual(
                prodNames.filter((n) => stagingNames.has(n)),
                [],
            );
            assert.deepEqual(crossStackReport([prod, staging]).problems, []);
            for (const [stack, s] of planned) {
                const named = s.resources.filter((r) => r.type === "aws:opensearch/domain:Domain").map((r) => String(r.inputs.domainName));
                assert.deepEqual(
                    named.sort(),
                    codes
                        .get(stack)!
                        .map((code) => `${stack}-${code}-logs`)
                        .sort(),
                );
                for (const r of s.resources.filter((x) => x.type === "aws:cloudwatch/metricAlarm:MetricAlarm"))
                    assert.match(String(r.inputs.name), new RegExp(`^platform-${stack}-[a-z0-9]+-`), r.urn);
                const named2 = s.resources.filter(
                    (x) =>
                        (x.type === "aws:kms/alias:Alias" || x.type === "aws:cloudwatch/logGroup:LogGroup") && x.inputs.name !== undefined,
                );
                assert.ok(named2.length >= 5 * codes.get(stack)!.length);
                for (const r of named2) assert.match(String(r.inputs.name), new RegExp(`(^|/)(platform-)?${stack}-`), r.urn);
                // The air-gapped vaults: one per cell, the stack in each name (issue 15).
                assert.deepEqual(
                    s.resources
                        .filter((x) => x.type === "aws:backup/logicallyAirGappedVault:LogicallyAirGappedVault")
                        .map((x) => String(x.inputs.name))
                        .sort(),
                    codes
                        .get(stack)!
                        .map((code) => `platform-${stack}-${code}-airgap`)
                        .sort(),
                );
            }
        });

        it("refuses two stacks whose plans declare the same physical name in a region, naming it", () => {
            const prod = planned.get("prod")!;
            // Staging as it was before names carried the stack: prod's names, staging's file.
            const copy = { ...prod, stack: "staging", file: "Pulumi.staging.yaml" };
            const problems = crossStackReport([prod, copy]).problems.filter((p) => p.includes("unique-aws-physical-names"));
            assert.equal(problems.length, 1);
            assert.match(problems[0], /^Pulumi\.prod\.yaml and Pulumi\.staging\.yaml share AWS account .* and both declare /);
            assert.match(problems[0], /Domain domainName prod-use1-logs in us-east-1/);
            assert.match(problems[0], /MetricAlarm name platform-prod-euc1-alb-p99-latency in eu-central-1/);
            assert.match(problems[0], /AlreadyExists/);
            assert.match(problems[0], /LogicallyAirGappedVault name platform-prod-use1-airgap in us-east-1/);
            // The retained vault, Karpenter's queue, the cache's users and the failover plans claim their names too.
            // And the rotation Lambda the SAR stack deploys (its functionName parameter; data deploy review).
            assert.match(problems[0], /CloudFormationStack parameters\.functionName platform-prod-use1-master-rotation in us-east-1/);
            for (const type of ["Vault name ", "Queue name ", "User userId ", "UserGroup userGroupId ", "Plan name "])
                assert.ok(problems[0].includes(type), `${type}missing from ${problems[0].slice(0, 200)}`);
        });

        it("counts only names the program chose: an autonamed resource claims nothing", () => {
            const prod = planned.get("prod")!;
            assert.deepEqual(
                physicalNameClaims({
                    config: prod.config,
                    resources: [
                        res("aws:sns/topic:Topic", { region: "us-east-1" }),
                        res("aws:sns/topic:Topic", { region: "us-east-1", name: "alerts" }),
                        res("aws:iam/role:Role", { name: "admin" }),
                        res("aws:s3/bucketPolicy:BucketPolicy", { region: "us-east-1", bucket: "logs-1a2b3c4" }),
                    ],
                }),
                ["Topic name alerts in us-east-1", "Role name admin (account-wide)"],
            );
        });
    });
});
