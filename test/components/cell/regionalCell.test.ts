import * as assert from "node:assert/strict";
import { type PlanRun, cellCodes } from "../../../plan/plan";
import { countByCell } from "../../../plan/report/summary";
import { type RecordedResource } from "../../../plan/runtime";
import { assertUniqueUrns, isRegionalAws, planOf, prodStack } from "../../support/harness";

const CELLS = { use1: "us-east-1", euc1: "eu-central-1", apse1: "ap-southeast-1" } as const;
const COMPUTE_TIERS = ["EksCluster", "NodeGroups", "ClusterAddons", "OriginIngress", "ApiWorkload"];

describe("RegionalCell compute (prod plan)", () => {
    let run: PlanRun;
    let resources: readonly RecordedResource[];
    let cellByUrn: Map<string, string | null>;
    before(async () => {
        run = await planOf(prodStack());
        resources = run.evaluation.resources;
        cellByUrn = cellCodes(resources);
    });

    it("plans three cells, each with every compute tier", () => {
        const { cells } = countByCell(run.plan, run.fleet);
        assert.deepEqual(
            cells.map((c) => c.code),
            ["apse1", "euc1", "use1"],
        );
        for (const c of cells) {
            for (const tier of COMPUTE_TIERS) assert.ok((c.tiers[tier] ?? 0) > 0, `${c.code} has ${tier}`);
        }
    });

    it("puts every regional AWS resource of every cell in that cell's region", () => {
        const wrong = resources.filter(isRegionalAws).filter((r) => {
            const code = cellByUrn.get(r.urn) as keyof typeof CELLS | null;
            return code !== null && r.inputs.region !== CELLS[code];
        });
        assert.deepEqual(
            wrong.map((r) => `${r.name}: ${String(r.inputs.region)}`),
            [],
        );
        // 149 per cell: the deployer's access entry and policy (+2), Karpenter's node access entry, interruption
        // queue and its policy, two event rules and their targets, controller association (+8), no Cluster Autoscaler association (−1);
        // 7 alarms per cell from observability (AWS's recommended OpenSearch alarms, failed SNS deliveries);
        // +19 from the data tier: use1 bootstrap 5, backup 4; every cell a vault and lock, the cache IAM users and group (+1), the RPO alarm;
        // +19 of the alert path: per cell Alertmanager's topic and 5 alarms, the writer's proxy alarm in use1;
        // +9 of the EKS lifecycle notices: per cell an EventBridge rule, its target and the alarms' topic policy;
        // +3: per cell the ALB's /metrics 404 rule; +6: per cell prod's on-call address on both alert topics;
        // +3: per cell the heartbeat alarm on Alertmanager's topic;
        // +12: per cell the log domain setup function's security group, log group, function and invocation (issue 17);
        // +3: per cell Grafana's Pod Identity association (its CloudWatch data source; the role and its policy are IAM, global);
        // +3: per cell the logically air-gapped backup vault (issue 15); +6: per cell the failed-backup EventBridge rule and target;
        // +2: per secondary the global lag's no-data ticket (issue 17).
        assert.equal(resources.filter(isRegionalAws).filter((r) => cellByUrn.get(r.urn) !== null).length, 598);
    });

    it("gives every resource a unique URN and never the same name in two cells", () => {
        assertUniqueUrns(resources);
        const byName = new Map<string, Set<string>>();
        for (const r of resources.filter((r) => cellByUrn.get(r.urn))) {
            byName.set(r.name, (byName.get(r.name) ?? new Set()).add(cellByUrn.get(r.urn)!));
        }
        assert.deepEqual(
            [...byName].filter(([, cells]) => cells.size > 1).map(([name]) => name),
            [],
        );
        for (const r of resources.filter((r) => r.custom && cellByUrn.get(r.urn))) {
            assert.ok(r.name.startsWith(`${cellByUrn.get(r.urn)}-`), `${r.name} starts with its cell code`);
        }
    });

    it("gives each cell its own Kubernetes provider, with its cluster name and region in the kubeconfig", () => {
        for (const [code, region] of Object.entries(CELLS)) {
            const provider = resources.find((r) => r.type === "pulumi:providers:kubernetes" && r.name === `${code}-eks-k8s`)!;
            const config = JSON.parse(provider.rawInputs.kubeconfig as string);
            assert.deepEqual(config.users[0].user.exec.args, [
                "eks",
                "get-token",
                "--cluster-name",
                `platform-prod-${code}`,
                "--region",
                region,
                "--output",
                "json",
            ]);
            assert.match(config.clusters[0].cluster.server, new RegExp(`\\.gr7\\.${region}\\.eks\\.amazonaws\\.com$`));
            const cluster = resources.find((r) => r.type === "aws:eks/cluster:Cluster" && r.name === `${code}-eks-cluster`)!;
            assert.equal(cluster.inputs.name, `platform-prod-${code}`);
        }
    });

    it("deploys every Kubernetes object of a cell through that cell's provider, never the default one", () => {
        const providers = new Map(resources.filter((r) => r.type === "pulumi:providers:kubernetes").map((r) => [r.urn, r.name]));
        const objects = resources.filter((r) => r.custom && r.type.startsWith("kubernetes:"));
        const perCell = ["use1", "euc1", "apse1"].map((code) => objects.filter((r) => cellByUrn.get(r.urn) === code).length);
        assert.ok(
            // Karpenter's release, EC2NodeClass and NodePool in, Cluster Autoscaler's release out;
            // the warm capacity's PriorityClass, namespace and placeholder Deployment; the
            // prometheus-operator-crds release.
            perCell.every((n) => n === 26),
            `26 Kubernetes objects in every cell: ${perCell.join(", ")}`,
        );
        for (const r of objects) {
            const providerUrn = (r.provider ?? "").split("::").slice(0, -1).join("::");
            assert.equal(providers.get(providerUrn), `${cellByUrn.get(r.urn)}-eks-k8s`, r.urn);
        }
    });

    it("uses the primary region's certificate for the one validation record, and each cell its own region's certificate", () => {
        const listeners = resources.filter((r) => r.type === "aws:lb/listener:Listener" && r.inputs.protocol === "HTTPS");
        assert.equal(listeners.length, 3);
        for (const l of listeners) {
            const region = CELLS[cellByUrn.get(l.urn) as keyof typeof CELLS];
            assert.match(l.inputs.certificateArn as string, new RegExp(`^arn:aws:acm:${region}:`));
        }
        assert.equal(resources.filter((r) => r.type === "cloudflare:index/dnsRecord:DnsRecord").length, 1);
    });

    it("exports each cell's cluster name and origin hostname (the ALB)", () => {
        const regions = run.evaluation.outputs.regions as Record<string, { clusterName: string; originHostname: string }>;
        for (const [code, region] of Object.entries(CELLS)) {
            assert.equal(regions[region].clusterName, `platform-prod-${code}`);
            assert.match(regions[region].originHostname, new RegExp(`^${code}-ingress-alb-\\d+\\.${region}\\.elb\\.amazonaws\\.com$`));
        }
    });

    it("admits the ALB into each cell's cluster security group (the workload group the data tier admits)", () => {
        for (const code of Object.keys(CELLS)) {
            const rule = resources.find((r) => r.name === `${code}-ingress-pods-from-alb`)!;
            assert.match(rule.inputs.securityGroupId as string, /^sg-0[0-9a-f]{16}$/);
            assert.equal(rule.inputs.fromPort, 8080);
        }
    });
});
