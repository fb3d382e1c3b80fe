/**
 * Issue 19: the failover plan and the fault-injection templates in the prod plan, each step
 * referring to real resources of the stack; and the `pulumi up` after a failover (primary moved
 * to eu-central-1) replaces no data resource and does not undo what the plan did.
 */
import * as assert from "node:assert/strict";
import * as path from "node:path";
import { compare } from "../../plan/compare";
import { type PlanResource, type PlanRun } from "../../plan/plan";
import { projectRoot, readConfigFile } from "../../plan/stackConfig";
import { isStateful } from "../../regions/stateful";
import { planOf, prodStack } from "../support/harness";

const fixture = (name: string) => path.join(projectRoot(), "test", "fixtures", name);
const PLAN = "aws:arcregionswitch/plan:Plan";
const TEMPLATE = "aws:fis/experimentTemplate:ExperimentTemplate";

const byName = (run: PlanRun, type: string, name: string): PlanResource => {
    const found = run.plan.resources.filter((r) => r.type === type && r.name === name);
    assert.equal(found.length, 1, `${type} ${name}`);
    return found[0];
};
const deps = (run: PlanRun, r: PlanResource) => run.evaluation.resources.find((e) => e.urn === r.urn)!.dependencies;
const urnOf = (run: PlanRun, type: string, name: string) => byName(run, type, name).urn;
type Step = { name: string; executionBlockType: string } & Record<string, any>;
type Workflow = { workflowTargetAction: string; workflowTargetRegion: string; steps: Step[] };

describe("failover: the Region switch plans and FIS templates of the prod plan", function () {
    this.timeout(120_000);
    let prod: PlanRun;
    let moved: PlanRun;
    before(async () => {
        prod = await planOf(prodStack());
        moved = await planOf(readConfigFile(fixture("primary-euc1.yaml"), "platform", "prod"));
    });

    it("declares one plan per standby, active/passive from the primary, failover then failback, three steps in order", () => {
        // The plan lists resources by name.
        const plans = prod.plan.resources.filter((r) => r.type === PLAN).reverse();
        assert.deepEqual(
            plans.map((p) => [p.name, p.inputs.name, p.inputs.primaryRegion, p.inputs.regions, p.inputs.recoveryApproach]),
            [
                ["failover-plan-euc1", "platform-prod-to-euc1", "us-east-1", ["us-east-1", "eu-central-1"], "activePassive"],
                ["failover-plan-apse1", "platform-prod-to-apse1", "us-east-1", ["us-east-1", "ap-southeast-1"], "activePassive"],
            ],
        );
        const euc1 = plans[0].inputs.workflows as Workflow[];
        assert.deepEqual(
            euc1.map((w) => [w.workflowTargetAction, w.workflowTargetRegion, w.steps.map((s) => `${s.name}:${s.executionBlockType}`)]),
            [
                ["activate", "eu-central-1", ["scale-api:EKSResourceScaling", "aurora:AuroraGlobalDatabase", "edge:CustomActionLambda"]],
                ["activate", "us-east-1", ["scale-api:EKSResourceScaling", "aurora:AuroraGlobalDatabase", "edge:CustomActionLambda"]],
            ],
        );
        // Scale from the capacity model (regions/failover.ts): 24 pods = 160 % of use1's 15; back: 15 of 24 = 63 %,
        // bounded to 61 % so that from euc1's raised ceiling (39) it never asks more than use1's 24.
        assert.deepEqual(
            euc1.map((w) => w.steps[0].eksResourceScalingConfigs[0].targetPercent),
            [160, 61],
        );
        // The HPA ceilings hold what the plans may ask of the 24-hour peak (regions/failover.ts).
        const hpa = (code: string) =>
            (byName(prod, "kubernetes:autoscaling/v2:HorizontalPodAutoscaler", `${code}-api-hpa`).inputs.spec as { maxReplicas: number })
                .maxReplicas;
        assert.deepEqual(["use1", "euc1", "apse1"].map(hpa), [24, 39, 13]);
        const aurora = euc1[0].steps[1].globalAuroraConfigs[0];
        assert.deepEqual(
            [aurora.behavior, aurora.ungracefuls, aurora.globalClusterIdentifier],
            ["switchoverOnly", [{ ungraceful: "failover" }], "platform-prod"],
        );
        const edge = euc1[0].steps[2].customActionLambdaConfigs[0];
        assert.equal(edge.regionToRun, "activatingRegion");
        assert.equal(plans[0].inputs.region, undefined, "Region switch is global: the plan takes no region");
    });

    it("refers to the stack's own clusters, functions, alarms and role (by dependency and by name)", () => {
        const plan = byName(prod, PLAN, "failover-plan-euc1");
        const dependencies = deps(prod, plan);
        for (const [type, name] of [
            ["aws:rds/cluster:Cluster", "use1-data-db-cluster"],
            ["aws:rds/cluster:Cluster", "euc1-data-db-cluster"],
            ["aws:rds/globalCluster:GlobalCluster", "global-db-cluster"],
            ["aws:lambda/function:Function", "use1-failover-pool-switch"],
            ["aws:lambda/function:Function", "euc1-failover-pool-switch"],
            ["aws:cloudwatch/metricAlarm:MetricAlarm", "use1-obs-alarms-alb-p99-latency"],
            ["aws:cloudwatch/metricAlarm:MetricAlarm", "euc1-obs-alarms-alb-target-5xx"],
            ["aws:iam/role:Role", "failover-role"],
            ["aws:eks/accessPolicyAssociation:AccessPolicyAssociation", "euc1-failover-eks-scaling"],
        ])
            assert.ok(dependencies.includes(urnOf(prod, type, name)), `${name}`);
        const workflow = (plan.inputs.workflows as Workflow[])[0];
        const clusters = workflow.steps[0].eksResourceScalingConfigs[0].eksClusters.map((c: { clusterArn: string }) => c.clusterArn);
        // ARC keys the resources to scale by Region (terraform-provider-aws arcregionswitch plan_test.go).
        const scaled = workflow.steps[0].eksResourceScalingConfigs[0].scalingResources as {
            resources: { resourceName: string; name: string; hpaName: string }[];
        }[];
        assert.deepEqual(
            scaled.flatMap((s) => s.resources.map((r) => [r.resourceName, r.name, r.hpaName])),
            [
                ["us-east-1", "api", "api"],
                ["eu-central-1", "api", "api"],
            ],
        );
        assert.deepEqual(clusters, [
            `arn:aws:eks:us-east-1:123456789012:cluster/${byName(prod, "aws:eks/cluster:Cluster", "use1-eks-cluster").inputs.name}`,
            `arn:aws:eks:eu-central-1:123456789012:cluster/${byName(prod, "aws:eks/cluster:Cluster", "euc1-eks-cluster").inputs.name}`,
        ]);
        assert.deepEqual(
            (plan.inputs.associatedAlarms as { mapBlockKey: string }[]).map((a) => a.mapBlockKey),
            [
                "use1-alb-elb-5xx",
                "use1-alb-target-5xx",
                "use1-alb-p99-latency",
                "euc1-alb-elb-5xx",
                "euc1-alb-target-5xx",
                "euc1-alb-p99-latency",
            ],
        );
        // Region switch may scale only the API's namespace.
        const scaling = byName(prod, "aws:eks/accessPolicyAssociation:AccessPolicyAssociation", "euc1-failover-eks-scaling");
        assert.deepEqual(
            [scaling.inputs.policyArn, scaling.inputs.accessScope],
            ["arn:aws:eks::aws:cluster-access-policy/AmazonARCRegionSwitchScalingPolicy", { type: "namespace", namespaces: ["api"] }],
        );
    });

    it("gives each cell's edge function its own pool, the stack's pools, its cluster and a token secret it may read, nothing else", () => {
        const fn = byName(prod, "aws:lambda/function:Function", "apse1-failover-pool-switch");
        const env = (fn.inputs.environment as { variables: Record<string, string> }).variables;
        assert.deepEqual(Object.keys(env).sort(), [
            "CELL_REGION",
            "CLOUDFLARE_ACCOUNT_ID",
            "CLUSTER_ARN",
            "GLOBAL_CLUSTER_ID",
            "POOL_IDS",
            "TOKEN_SECRET_ID",
        ]);
        assert.deepEqual(
            [env.CELL_REGION, env.TOKEN_SECRET_ID, env.GLOBAL_CLUSTER_ID],
            ["ap-southeast-1", "platform/prod/failover/cloudflare-token", "platform-prod"],
        );
        assert.match(env.CLUSTER_ARN, /^arn:aws:rds:ap-southeast-1:123456789012:cluster:apse1-data-db-cluster-/);
        assert.deepEqual(Object.keys(JSON.parse(env.POOL_IDS)), ["us-east-1", "eu-central-1", "ap-southeast-1"]);
        for (const pool of ["edge-pool-use1", "edge-pool-euc1", "edge-pool-apse1"])
            assert.ok(deps(prod, fn).includes(urnOf(prod, "cloudflare:index/loadBalancerPool:LoadBalancerPool", pool)), pool);
        // One secret in the home region, a replica in every other serving cell's region; no value in the program.
        const secret = byName(prod, "aws:secretsmanager/secret:Secret", "failover-cf-token");
        assert.deepEqual(
            [secret.inputs.region, secret.inputs.name, secret.inputs.replicas],
            ["us-east-1", "platform/prod/failover/cloudflare-token", [{ region: "eu-central-1" }, { region: "ap-southeast-1" }]],
        );
        assert.equal(
            prod.plan.resources.filter(
                (r) => r.type === "aws:secretsmanager/secretVersion:SecretVersion" && r.parent?.includes("RegionSwitch"),
            ).length,
            0,
            "the token is the operator's to put: never in the program or its state",
        );
        const policy = JSON.parse(
            byName(prod, "aws:iam/rolePolicy:RolePolicy", "apse1-failover-pool-switch-policy").inputs.policy as string,
        );
        assert.deepEqual(policy.Statement, [
            {
                Effect: "Allow",
                Action: ["secretsmanager:GetSecretValue"],
                Resource: ["arn:aws:secretsmanager:ap-southeast-1:123456789012:secret:platform/prod/failover/cloudflare-token-*"],
            },
            {
                Effect: "Allow",
                Action: ["rds:DescribeGlobalClusters"],
                Resource: ["arn:aws:rds::123456789012:global-cluster:platform-prod"],
            },
        ]);
    });

    it("declares per cell an AZ impairment per AZ and a region isolation, stopped by the cell's own alarms", () => {
        const templates = prod.plan.resources.filter((r) => r.type === TEMPLATE);
        assert.deepEqual(
            templates.map((t) => `${t.name} ${t.inputs.region}`),
            [
                "apse1-faults-az-ap-southeast-1a ap-southeast-1",
                "apse1-faults-az-ap-southeast-1b ap-southeast-1",
                "apse1-faults-az-ap-southeast-1c ap-southeast-1",
                "apse1-faults-isolation ap-southeast-1",
                "euc1-faults-az-eu-central-1a eu-central-1",
                "euc1-faults-az-eu-central-1b eu-central-1",
                "euc1-faults-az-eu-central-1c eu-central-1",
                "euc1-faults-isolation eu-central-1",
                "use1-faults-az-us-east-1a us-east-1",
                "use1-faults-az-us-east-1b us-east-1",
                "use1-faults-az-us-east-1c us-east-1",
                "use1-faults-isolation us-east-1",
            ],
        );
        const az = byName(prod, TEMPLATE, "euc1-faults-az-eu-central-1b");
        const stops = (t: PlanResource) =>
            (t.inputs.stopConditions as { source: string; value: string }[]).map((s) => `${s.source} ${s.value}`);
        assert.deepEqual(stops(az), [
            "aws:cloudwatch:alarm arn:aws:cloudwatch:eu-central-1:123456789012:alarm:platform-prod-euc1-alb-elb-5xx",
            "aws:cloudwatch:alarm arn:aws:cloudwatch:eu-central-1:123456789012:alarm:platform-prod-euc1-alb-target-5xx",
            "aws:cloudwatch:alarm arn:aws:cloudwatch:eu-central-1:123456789012:alarm:platform-prod-euc1-alb-p99-latency",
        ]);
        assert.deepEqual(
            (az.inputs.actions as { name: string; actionId: string; parameters?: { key: string; value: string }[] }[]).map((a) => [
                a.name,
                a.actionId,
                a.parameters,
            ]),
            [
                [
                    "disrupt-az",
                    "aws:network:disrupt-connectivity",
                    [
                        { key: "duration", value: "PT10M" },
                        { key: "scope", value: "all" },
                    ],
                ],
            ],
        );
        // Only the primary's cell fails Aurora over (a secondary has no writer to fail over), and the
        // templates follow the primary when it moves.
        const auroraFailovers = (p: PlanRun) =>
            p.plan.resources
                .filter(
                    (t) =>
                        t.type === TEMPLATE &&
                        (t.inputs.actions as { actionId: string }[]).some((a) => a.actionId === "aws:rds:failover-db-cluster"),
                )
                .map((t) => t.name);
        assert.deepEqual(auroraFailovers(prod), ["use1-faults-az-us-east-1a", "use1-faults-az-us-east-1b", "use1-faults-az-us-east-1c"]);
        assert.deepEqual(auroraFailovers(moved), [
            "euc1-faults-az-eu-central-1a",
            "euc1-faults-az-eu-central-1b",
            "euc1-faults-az-eu-central-1c",
        ]);
        const primaryAz = byName(prod, TEMPLATE, "use1-faults-az-us-east-1a");
        assert.deepEqual(
            (primaryAz.inputs.targets as { name: string; resourceType: string }[]).map((t) => `${t.name} ${t.resourceType}`),
            ["subnets aws:ec2:subnet", "cluster aws:rds:cluster"],
        );
        assert.deepEqual(
            (az.inputs.targets as { name: string }[]).map((t) => t.name),
            ["subnets"],
        );
        assert.equal(
            (az.inputs.targets as { parameters?: Record<string, string> }[])[0].parameters!.availabilityZoneIdentifier,
            "euc1-az2",
        );
        // Isolation: every subnet of the cell (3 tiers × 3 AZs), stopped by its replication alarms.
        const isolation = byName(prod, TEMPLATE, "euc1-faults-isolation");
        assert.equal((isolation.inputs.targets as { resourceArns: string[] }[])[0].resourceArns.length, 9);
        assert.deepEqual(stops(isolation), [
            "aws:cloudwatch:alarm arn:aws:cloudwatch:eu-central-1:123456789012:alarm:platform-prod-euc1-aurora-replica-lag",
            "aws:cloudwatch:alarm arn:aws:cloudwatch:eu-central-1:123456789012:alarm:platform-prod-euc1-aurora-global-lag",
        ]);
        for (const subnet of ["euc1-net-public-a", "euc1-net-private-b", "euc1-net-isolated-c"])
            assert.ok(deps(prod, isolation).includes(urnOf(prod, "aws:ec2/subnet:Subnet", subnet)), subnet);
        assert.ok(deps(prod, primaryAz).includes(urnOf(prod, "aws:rds/cluster:Cluster", "use1-data-db-cluster")));
        assert.ok(!deps(prod, az).includes(urnOf(prod, "aws:rds/cluster:Cluster", "euc1-data-db-cluster")));
        // ARC's role: DescribeCluster on the clusters, ListAssociatedAccessPolicies on their access entries
        // (ARC's sample policy for the EKS scaling block, security_iam_region_switch_eks.html).
        const arc = JSON.parse(byName(prod, "aws:iam/rolePolicy:RolePolicy", "failover-policy").inputs.policy as string) as {
            Statement: { Sid: string; Action: string; Resource: string[] }[];
        };
        const sid = (s: string) => arc.Statement.find((x) => x.Sid === s)!;
        assert.equal(sid("EksClusters").Action, "eks:DescribeCluster");
        assert.ok(sid("EksClusters").Resource.every((r) => /^arn:aws:eks:[a-z0-9-]+:123456789012:cluster\/[^/]+$/.test(r)));
        assert.equal(sid("EksAccessEntries").Action, "eks:ListAssociatedAccessPolicies");
        assert.equal(sid("EksAccessEntries").Resource.length, 3);
        assert.ok(sid("EksAccessEntries").Resource.every((r) => /^arn:aws:eks:[a-z0-9-]+:123456789012:access-entry\/[^/]+\/\*$/.test(r)));
        // FIS assumes the experiments' role for this account's experiments only (confused deputy).
        const trust = JSON.parse(byName(prod, "aws:iam/role:Role", "faults-role").inputs.assumeRolePolicy as string);
        assert.deepEqual(trust.Statement[0].Condition, {
            StringEquals: { "aws:SourceAccount": "123456789012" },
            ArnLike: { "aws:SourceArn": "arn:aws:fis:*:123456789012:experiment/*" },
        });
    });

    describe("the `pulumi up` after a failover to eu-central-1 (primary moved)", () => {
        it("replaces, adds and removes no data resource", () => {
            const stateful = (run: PlanRun) =>
                run.plan.resources
                    .filter((r) => isStateful(r.type))
                    .map((r) => r.urn)
                    .sort();
            assert.deepEqual(stateful(moved), stateful(prod));
            assert.deepEqual(compare(prod.plan, moved.plan).atRisk, []);
        });

        it("re-plans from the new primary: to-euc1 goes, to-use1 comes, apse1's plan starts in eu-central-1", () => {
            const plans = (run: PlanRun) =>
                run.plan.resources
                    .filter((r) => r.type === PLAN)
                    .map((p) => `${p.inputs.name} ${(p.inputs.regions as string[]).join(">")}`);
            assert.deepEqual(plans(moved), [
                "platform-prod-to-apse1 eu-central-1>ap-southeast-1",
                "platform-prod-to-use1 eu-central-1>us-east-1",
            ]);
            const diff = compare(prod.plan, moved.plan);
            const failover = (urns: readonly string[]) =>
                urns.filter((u) => u.includes("platform:failover:")).map((u) => u.split("::").pop());
            assert.deepEqual(failover(diff.added.map((a) => a.urn)), ["failover-plan-use1"]);
            assert.deepEqual(failover(diff.removed.map((a) => a.urn)), ["failover-plan-euc1"]);
            // apse1's plan keeps its URN and name but changes its regions, which replaces it: the
            // old plan is deleted first, as the name is unique in the account.
            const apse1 = (run: PlanRun) => run.evaluation.resources.find((r) => r.type === PLAN && r.name === "failover-plan-apse1")!;
            assert.notDeepEqual(apse1(prod).inputs.regions, apse1(moved).inputs.regions);
            assert.equal(apse1(moved).deleteBeforeReplace, true);
        });

        it("leaves the pools' enabled state to the plan and the drill: a lost region's pool stays disabled", () => {
            for (const run of [prod, moved])
                for (const pool of run.plan.resources.filter((r) => r.type === "cloudflare:index/loadBalancerPool:LoadBalancerPool")) {
                    assert.equal(pool.inputs.enabled, true, "enabled at create");
                    assert.ok(pool.ignoreChanges.includes("enabled"), pool.name);
                }
        });
    });
});
