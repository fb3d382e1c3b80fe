// The policy pack inside the offline plan: engine-like arguments, enforcement precedence,
// the exit status a mandatory violation causes, and the prod plan's findings.
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import * as aws from "@pulumi/aws";
import type { PolicyResource, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { parse } from "yaml";
import { PLAN_EXIT, exitCodeOf } from "../../plan/cli";
import { type PlanRun } from "../../plan/plan";
import { type PackConfig, checkPolicies, enforcementLevelOf, hasBlockingViolation, readPackConfig } from "../../plan/policyRunner";
import type { RecordedResource } from "../../plan/runtime";
import { projectRoot, readStack } from "../../plan/stackConfig";
import { probeRendered, renderedContext } from "../../policy/helm";
import { CHARTS, chartEntry } from "../../policy/helmCharts";
import { RESTRICTED_COMPLIANT, restrictedFindings } from "../../policy/kubernetes";
import { CELL_COMPONENTS } from "../../policy/mission";
import { policies } from "../../policy/policies";
import { RELEASE, planOf, prodStack } from "../support/harness";
import { cell, fixture } from "../support/policy";

const always = (name: string, enforcementLevel?: ResourceValidationPolicy["enforcementLevel"]): ResourceValidationPolicy => ({
    name,
    description: "flags every VPC",
    ...(enforcementLevel ? { enforcementLevel } : {}),
    validateResource: (args, report) => {
        if (args.type === "aws:ec2/vpc:Vpc") report("flagged");
    },
});

describe("offline plan: policy runner", () => {
    const vpc = fixture("aws:ec2/vpc:Vpc", "v", { region: "us-east-1" });

    it("resolves the enforcement level: policy config, then `all`, then the policy's level, then the pack default", () => {
        const p = { name: "p", enforcementLevel: "advisory" as const };
        assert.equal(enforcementLevelOf(p, {}), "advisory");
        assert.equal(enforcementLevelOf({ name: "p" }, {}), "advisory", "pack default");
        assert.equal(enforcementLevelOf({ name: "p" }, {}, "mandatory"), "mandatory", "pack default given");
        assert.equal(enforcementLevelOf(p, { all: "mandatory" }), "mandatory");
        assert.equal(enforcementLevelOf(p, { all: "mandatory", p: "disabled" }), "disabled");
        assert.equal(enforcementLevelOf(p, { p: { enforcementLevel: "mandatory", other: 1 } }), "mandatory");
        assert.equal(enforcementLevelOf(p, { p: { other: 1 } }), "advisory", "an entry without a level keeps the policy's");
    });

    it("skips disabled policies and reports remediate as mandatory", async () => {
        const run = (config: PackConfig) => checkPolicies([vpc], { policies: [always("p", "advisory")], config });
        assert.deepEqual(await run({}), [{ policy: "p", enforcementLevel: "advisory", urn: vpc.urn, message: "flagged" }]);
        assert.deepEqual(await run({ p: "disabled" }), []);
        assert.deepEqual((await run({ p: "remediate" }))[0].enforcementLevel, "mandatory");
    });

    it("gives resource policies engine-like args: isType/asType by token, config without the level, options, notApplicable", async () => {
        const seen: unknown[] = [];
        const probe: ResourceValidationPolicy = {
            name: "probe",
            description: "records its arguments",
            validateResource: (args) => {
                if (!args.isType(aws.ec2.Vpc)) args.notApplicable("not a VPC");
                seen.push({
                    type: args.type,
                    name: args.name,
                    urn: args.urn,
                    cidr: args.asType(aws.ec2.Vpc)?.cidrBlock,
                    asSubnet: args.asType(aws.ec2.Subnet),
                    config: args.getConfig(),
                    protect: args.opts.protect,
                    parent: args.opts.parent,
                });
            },
        };
        const parent = cell("use1");
        const inCell = fixture("aws:ec2/vpc:Vpc", "use1-vpc", { cidrBlock: "10.10.0.0/16" }, { parent, protect: true });
        const violations = await checkPolicies([parent, inCell, fixture("aws:ec2/subnet:Subnet", "s", {})], {
            policies: [probe],
            config: { probe: { enforcementLevel: "mandatory", minimum: 3 } },
        });
        assert.deepEqual(violations, []);
        assert.deepEqual(seen, [
            {
                type: "aws:ec2/vpc:Vpc",
                name: "use1-vpc",
                urn: inCell.urn,
                cidr: "10.10.0.0/16",
                asSubnet: undefined,
                config: { minimum: 3 },
                protect: true,
                parent: parent.urn,
            },
        ]);
    });

    it("gives stack policies every resource with parent and dependencies resolved", async () => {
        const parent = cell("use1");
        const vpc1 = fixture("aws:ec2/vpc:Vpc", "use1-vpc", {}, { parent });
        const log = fixture("aws:ec2/flowLog:FlowLog", "use1-log", {}, { parent, dependsOn: [vpc1] });
        let resources: PolicyResource[] = [];
        const probe: StackValidationPolicy = {
            name: "probe",
            description: "records",
            validateStack: (args) => void (resources = args.resources),
        };
        await checkPolicies([parent, vpc1, log], { policies: [probe] });
        const got = resources.find((r) => r.name === "use1-log")!;
        assert.equal(got.parent?.name, "use1");
        assert.equal(got.parent?.type, "platform:cell:RegionalCell");
        assert.deepEqual(
            got.dependencies.map((d) => d.name),
            ["use1-vpc"],
        );
        assert.ok(got.isType(aws.ec2.FlowLog));
        assert.equal(got.isType(aws.ec2.Vpc), false);
    });

    it("fails the plan (exit 1) on a mandatory violation only", async () => {
        const mandatory = await checkPolicies([vpc], { policies: [always("m", "mandatory")] });
        const advisory = await checkPolicies([vpc], { policies: [always("a", "advisory")] });
        assert.equal(hasBlockingViolation(mandatory), true);
        assert.equal(exitCodeOf({ policy: { violations: mandatory } }), PLAN_EXIT.policy);
        assert.equal(exitCodeOf({ policy: { violations: advisory } }), PLAN_EXIT.ok);
        assert.equal(
            exitCodeOf({ policy: { violations: [{ policy: "r", enforcementLevel: "remediate", message: "x" }] } }),
            PLAN_EXIT.policy,
        );
        assert.equal(exitCodeOf({ policy: { violations: [] } }), PLAN_EXIT.ok);
    });
});

type Violation = Awaited<ReturnType<typeof checkPolicies>>[number];

/**
 * The advisory k8s-helm-image-digest finding of each release whose chart renders an image by tag
 * (every chart but Karpenter's, which ships its digest): one per release, sorted by name. The
 * digests are not invented offline (policy/helm.ts, policy/README.md "Chart images").
 */
function chartImageReleases(cells: readonly string[]): string[] {
    return cells
        .flatMap((cell) =>
            ["addons-metrics-server", "ingress-lbc", "obs-fluent-bit-release", "obs-metrics-release"].map((r) => `${cell}-${r}`),
        )
        .sort()
        .map((name) => `advisory ${name}`);
}
const besideChartImages = (violations: readonly Violation[]) => violations.filter((v) => v.policy !== "k8s-helm-image-digest");
const chartImageFindings = (violations: readonly Violation[]) =>
    violations
        .filter((v) => v.policy === "k8s-helm-image-digest")
        .map((v) => `${v.enforcementLevel} ${v.urn?.split("::").pop()}`)
        .sort();

describe("offline plan: the pack on the prod stack", () => {
    let run: PlanRun;
    before(async () => {
        run = await planOf(prodStack());
    });

    // The caches authenticate with IAM (no AUTH secret); the one advisory left is the failover's
    // Cloudflare token: a copy of a token Cloudflare issues, rotated there and put again
    // (docs/qa.md), so Secrets Manager has nothing to rotate.
    const CACHE_SECRET_FINDINGS = [
        {
            policy: "secretsmanager-1-rotation",
            enforcementLevel: "advisory",
            urn: "urn:pulumi:prod::platform::platform:failover:RegionSwitch$aws:secretsmanager/secret:Secret::failover-cf-token",
            message: "secret failover-cf-token has no aws:secretsmanager/secretRotation:SecretRotation",
        },
    ];

    it("has no mandatory violation with prod's pack config: only the advisory on the failover token's rotation (the caches have no AUTH secret) and the chart images by tag", () => {
        assert.deepEqual(
            besideChartImages(run.plan.policy.violations).map((v) => ({ ...v, message: v.message.split(" [")[0] })),
            CACHE_SECRET_FINDINGS,
        );
        assert.deepEqual(chartImageFindings(run.plan.policy.violations), chartImageReleases(["use1", "euc1", "apse1"]));
        assert.equal(exitCodeOf(run.plan), PLAN_EXIT.ok);
    });

    it("finds the same with the pack's defaults: every cell is complete", async () => {
        const violations = await checkPolicies(run.evaluation.resources, { config: {} });
        assert.deepEqual(
            besideChartImages(violations).map((v) => ({ ...v, message: v.message.split(" [")[0] })),
            CACHE_SECRET_FINDINGS,
        );
        assert.deepEqual(chartImageFindings(violations), chartImageReleases(["use1", "euc1", "apse1"]));
    });

    it("never prints an input value it was not asked to: messages carry no secret stand-in", () => {
        for (const v of run.plan.policy.violations) assert.ok(!v.message.includes("offline-plan-secret"));
    });
});

describe("offline plan: the pack on the staging stack", () => {
    let run: PlanRun;
    before(async () => {
        run = await planOf(readStack(projectRoot(), "staging"));
    });

    it("has no mandatory violation: only the advisory on the failover token's rotation and the chart images by tag", () => {
        assert.deepEqual(
            besideChartImages(run.plan.policy.violations).map((v) => `${v.policy} ${v.enforcementLevel} ${v.urn?.split("::").pop()}`),
            ["secretsmanager-1-rotation advisory failover-cf-token"],
        );
        assert.deepEqual(chartImageFindings(run.plan.policy.violations), chartImageReleases(["use1", "euc1"]));
        assert.equal(exitCodeOf(run.plan), PLAN_EXIT.ok);
    });
});

describe("offline plan: the new controls judge the program's own resources (they pass, and are not vacuous)", () => {
    let run: PlanRun;
    before(async () => {
        run = await planOf(prodStack());
    });
    const NEW = [
        "ec2-15-subnet-no-auto-public-ip",
        "elb-12-desync-mitigation",
        "iam-inline-least-privilege",
        "s3-5-require-tls",
        "s3-8-block-public-access",
    ];
    const only = (names: readonly string[]) => ({ policies: policies.filter((p) => names.includes(p.name)), config: {} });
    const count = (violations: { policy: string }[]) =>
        Object.fromEntries(NEW.map((name) => [name, violations.filter((v) => v.policy === name).length]));
    const withInputs = (type: string, extra: Record<string, unknown>) => (r: RecordedResource) =>
        r.type === type ? { ...r, inputs: { ...r.inputs, ...extra }, rawInputs: { ...r.rawInputs, ...extra } } : r;

    it("pass on prod as declared: no public IP on launch, strictest desync mode, no wildcard in inline IAM, every log bucket blocked and TLS-only", async () => {
        assert.deepEqual(count(await checkPolicies(run.evaluation.resources, only(NEW))), Object.fromEntries(NEW.map((n) => [n, 0])));
    });

    it("fail on prod's resources changed: subnets mapping public IPs, ALBs in monitor mode, inline admin policies, buckets without block or policy", async () => {
        const subnets = run.evaluation.resources.filter((r) => r.type === "aws:ec2/subnet:Subnet").length;
        const albs = run.evaluation.resources.filter((r) => r.type === "aws:lb/loadBalancer:LoadBalancer").length;
        const buckets = run.evaluation.resources.filter((r) => r.type === "aws:s3/bucket:Bucket").length;
        const rolePolicies = run.evaluation.resources.filter((r) => r.type === "aws:iam/rolePolicy:RolePolicy").length;
        const admin = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] });
        const changed = run.evaluation.resources
            .map(withInputs("aws:ec2/subnet:Subnet", { mapPublicIpOnLaunch: true }))
            .map(withInputs("aws:lb/loadBalancer:LoadBalancer", { desyncMitigationMode: "monitor" }))
            .map(withInputs("aws:iam/rolePolicy:RolePolicy", { policy: admin }))
            .filter(
                (r) => r.type !== "aws:s3/bucketPolicy:BucketPolicy" && r.type !== "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
            );
        assert.ok(subnets > 0 && albs > 0 && buckets > 0 && rolePolicies > 0);
        assert.deepEqual(count(await checkPolicies(changed, only(NEW))), {
            "ec2-15-subnet-no-auto-public-ip": subnets,
            "elb-12-desync-mitigation": albs,
            "iam-inline-least-privilege": rolePolicies,
            "s3-5-require-tls": buckets,
            "s3-8-block-public-access": buckets,
        });
    });
});

describe("plan command: policy findings and exit status", () => {
    it("exits 1 and prints the mandatory finding for a one-region stack", () => {
        const cli = path.join(projectRoot(), ".build", "plan", "cli.js");
        const result = spawnSync(process.execPath, [cli, "--config", path.join(projectRoot(), "test", "fixtures", "one-region.yaml")], {
            cwd: projectRoot(),
            encoding: "utf8",
        });
        assert.equal(result.status, PLAN_EXIT.policy, result.stderr);
        assert.match(
            result.stdout,
            /\[mandatory\] multi-region: the stack runs 1 region\(s\) \(us-east-1\); at least 2 are required for regional failover/,
        );
    });
});

describe("policy pack: analyzer metadata", () => {
    it("serialises as the analyzer's GetAnalyzerInfo answer (names, levels, config schemas)", () => {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const protoutil = require("@pulumi/policy/protoutil") as {
            makeAnalyzerInfo(...args: unknown[]): {
                getPoliciesList(): {
                    getName(): string;
                    getConfigschema(): { getProperties(): { toJavaScript(): Record<string, unknown> } } | undefined;
                }[];
            };
        };
        const info = protoutil.makeAnalyzerInfo("platform-policy", "0.1.0", "advisory", { policies }, undefined);
        const list = info.getPoliciesList();
        assert.equal(list.length, policies.length);
        const cellComplete = list.find((p) => p.getName() === "cell-complete")!;
        assert.deepEqual(
            (cellComplete.getConfigschema()!.getProperties().toJavaScript().required as { default: string[] }).default,
            Object.keys(CELL_COMPONENTS),
        );
    });
});

describe("policy pack configs per stack", () => {
    const root = projectRoot();

    it("names only policies of the pack (or `all`) with levels the engine knows", () => {
        const names = new Set(policies.map((p) => p.name));
        for (const stack of ["prod", "staging"]) {
            const config = readPackConfig(root, stack);
            assert.ok(Object.keys(config).length > 0, stack);
            for (const [name, entry] of Object.entries(config)) {
                assert.ok(name === "all" || names.has(name), `${stack}: unknown policy ${name}`);
                const level = typeof entry === "string" ? entry : entry.enforcementLevel;
                if (level !== undefined)
                    assert.ok(["advisory", "mandatory", "remediate", "disabled"].includes(level), `${stack}: ${name} level ${level}`);
                const schema = policies.find((p) => p.name === name)?.configSchema?.properties ?? {};
                if (typeof entry === "object")
                    for (const key of Object.keys(entry).filter((k) => k !== "enforcementLevel"))
                        assert.ok(key in schema, `${stack}: ${name}.${key} is not in the policy's schema`);
            }
        }
    });

    it("keeps the capacity policy's inputs equal to each stack's platform:capacity", () => {
        for (const stack of ["prod", "staging"]) {
            const yaml = parse(readFileSync(path.join(root, `Pulumi.${stack}.yaml`), "utf8")) as {
                config: Record<string, Record<string, number>>;
            };
            const capacity = yaml.config["platform:capacity"];
            const entry = readPackConfig(root, stack)["capacity-survives-region-failures"] as Record<string, unknown>;
            for (const key of ["targetConcurrentUsers", "usersPerPod", "regionFailuresTolerated"])
                assert.equal(entry[key], capacity[key], `${stack}: ${key}`);
        }
    });

    it("reads no config for a stack without a file (the policies' own levels apply)", () => {
        assert.deepEqual(readPackConfig(root, "no-such-stack"), {});
    });
});

/** `resources` with the value `key` removed from the load balancer controller's releases' raw inputs. */
function withoutLbcValue(resources: readonly RecordedResource[], key: string): RecordedResource[] {
    return resources.map((r) =>
        r.type === RELEASE && r.inputs.chart === "aws-load-balancer-controller"
            ? { ...r, rawInputs: { ...r.rawInputs, values: { ...(r.rawInputs.values as Record<string, unknown>), [key]: undefined } } }
            : r,
    );
}

describe("offline plan: every Helm release is in the chart table (the k8s-helm-* rules judge them)", () => {
    let prod: PlanRun;
    let staging: PlanRun;
    before(async () => {
        prod = await planOf(prodStack());
        staging = await planOf(readStack(projectRoot(), "staging"));
    });
    const releases = (run: PlanRun) => run.evaluation.resources.filter((r) => r.type === RELEASE);
    const chartOf = (r: RecordedResource) => `${String(r.inputs.chart)}@${String(r.inputs.version)}`;

    it("covers each release of prod and staging by its chart and version, and every entry is one the program releases", () => {
        for (const [run, cells] of [
            [prod, 3],
            [staging, 2],
        ] as const) {
            assert.equal(releases(run).length, 6 * cells, "six releases per cell");
            for (const release of releases(run))
                assert.ok(
                    chartEntry(release.inputs.chart, release.inputs.version),
                    `${release.name}: ${chartOf(release)} is not in policy/helmCharts.ts CHARTS`,
                );
        }
        assert.deepEqual(
            [...new Set(releases(prod).map(chartOf))].sort(),
            CHARTS.map((entry) => `${entry.chart}@${entry.version}`).sort(),
            "no stale entry: a chart bump replaces its row",
        );
    });

    it("sizes every known workload in prod (no finding), and finds the gap when a release's resources are dropped", async () => {
        const only = { policies: policies.filter((p) => p.name === "k8s-helm-resources"), config: {} };
        assert.deepEqual(await checkPolicies(prod.evaluation.resources, only), []);
        // Nor does any release add a container the table does not model (policy/helmCharts.ts addsContainers).
        assert.deepEqual(await checkPolicies(staging.evaluation.resources, only), []);
        const unsized = withoutLbcValue(prod.evaluation.resources, "resources");
        const found = await checkPolicies(unsized, only);
        assert.deepEqual(
            found.map((v) => `${v.urn?.split("::").pop()} ${v.enforcementLevel}`),
            ["apse1-ingress-lbc mandatory", "euc1-ingress-lbc mandatory", "use1-ingress-lbc mandatory"],
        );
    });

    it("secures and probes every known workload in prod (no finding), and finds the gap when a release's context is dropped", async () => {
        const only = {
            policies: policies.filter((p) => p.name === "k8s-helm-pod-security-restricted" || p.name === "k8s-helm-probes"),
            config: {},
        };
        assert.deepEqual(await checkPolicies(prod.evaluation.resources, only), []);
        assert.deepEqual(await checkPolicies(staging.evaluation.resources, only), []);
        const dropped = withoutLbcValue(prod.evaluation.resources, "securityContext");
        assert.deepEqual(
            (await checkPolicies(dropped, only)).map((v) => `${v.policy} ${v.urn?.split("::").pop()} ${v.enforcementLevel}`),
            ["apse1-ingress-lbc", "euc1-ingress-lbc", "use1-ingress-lbc"].map(
                (name) => `k8s-helm-pod-security-restricted ${name} mandatory`,
            ),
        );
    });

    it("keeps each exemption minimal: prod's values fail exactly the waived fields, and the exempt probes are absent", () => {
        const release = (chart: string) => prod.evaluation.resources.find((r) => r.type === RELEASE && r.inputs.chart === chart)!;
        const fluentBit = chartEntry("fluent-bit", "0.58.1")!.workloads[0];
        const values = release("fluent-bit").inputs.values;
        const never = () => assert.fail("no unknown in the offline plan");
        const pod = renderedContext(values, fluentBit.security.pods[0].context, RESTRICTED_COMPLIANT.pod, never);
        const container = renderedContext(values, fluentBit.security.containers[0].context, RESTRICTED_COMPLIANT.container, never);
        assert.deepEqual(
            restrictedFindings({ containers: [], securityContext: pod }, { name: "fluent-bit", securityContext: container }).map(
                (f) => f.field,
            ),
            fluentBit.security.exempt!.fields,
        );
        const sidecars = chartEntry("kube-prometheus-stack", "88.5.3")!.workloads.filter((w) => w.workload.includes("(sidecar "));
        assert.equal(sidecars.length, 2, "grafana-sc-dashboard, grafana-sc-datasources");
        const kps = release("kube-prometheus-stack").inputs.values;
        for (const sidecar of sidecars) {
            assert.ok(!("notServing" in sidecar.probes) && sidecar.probes.exempt !== undefined);
            for (const probe of ["readinessProbe", "livenessProbe"] as const)
                assert.deepEqual(probeRendered(kps, sidecar.probes[probe]), {
                    on: false,
                    why: `grafana.sidecar.${probe} is empty (the chart's default)`,
                });
        }
    });
});
