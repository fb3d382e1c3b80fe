import * as assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { compare } from "../../plan/compare";
import { type PlanRun, cellCodes, planStack } from "../../plan/plan";
import { usd } from "../../plan/report/costTable";
import { SECRET } from "../../plan/runtime";
import { projectRoot, readConfigFile } from "../../plan/stackConfig";
import { assertUniqueUrns, isRegionalAws, planOf, prodStack } from "../support/harness";

const CLI = path.join(projectRoot(), ".build", "plan", "cli.js");
const fixture = (name: string) => path.join(projectRoot(), "test", "fixtures", name);

function runCli(args: string[]) {
    return spawnSync(process.execPath, [CLI, ...args], { cwd: projectRoot(), encoding: "utf8" });
}

describe("offline plan of the prod stack", () => {
    let run: PlanRun;
    before(async () => {
        run = await planOf(prodStack());
    });

    it("plans three cells, one per configured region", () => {
        const cells = run.plan.resources.filter((r) => r.type === "platform:cell:RegionalCell");
        assert.deepEqual(cells.map((c) => c.name).sort(), ["apse1", "euc1", "use1"]);
    });

    it("has no duplicate URN", () => {
        assertUniqueUrns(run.plan.resources);
    });

    it("puts every regional AWS resource of a cell in that cell's region, and the global ones in the primary's", () => {
        const regionOf: Record<string, string> = { use1: "us-east-1", euc1: "eu-central-1", apse1: "ap-southeast-1" };
        const cells = cellCodes(run.evaluation.resources);
        const regional = run.evaluation.resources.filter(isRegionalAws);
        // 27 more in the cells (deployer access, Karpenter; no Cluster Autoscaler association) and the image's replication; 21 alarms (7 per cell) from observability; 25 of the failover (issue 19): per cell its edge
        // function, log group and two EKS access resources (12), 12 FIS templates, the token's secret; 19 of the data tier (issue 15, see regionalCell.test.ts);
        // 19 of the alert path (obs-policy A3-A5): per cell Alertmanager's topic and 5 alarms (host counts, proxy reader and borrow, its
        // delivery failures), the writer's proxy alarm in use1; 9 of the EKS lifecycle notices (compute F14): per cell
        // the EventBridge rule, its target and the alarms' topic policy; 3 ALB rules answering /metrics with 404;
        // 6 subscriptions of prod's on-call address (both topics of each cell); 3 heartbeat alarms; 12 of the log domain
        // setup (issue 17): per cell its function's security group, log group, function and invocation; 3 Pod Identity
        // associations of Grafana (its CloudWatch data source), one per cell; 3 logically air-gapped backup vaults, one per cell (issue 15);
        // 6 of the failed-backup tickets: per cell an EventBridge rule and its target; 2 global-lag no-data tickets, one per secondary.
        assert.equal(regional.length, 635);
        const wrong = regional
            // Outside the cells: per-region resources (the origin certificates) are named by their
            // cell's code; the rest (the global database) live in the primary's region.
            .filter(
                (r) =>
                    r.inputs.region !== regionOf[cells.get(r.urn) ?? r.name.split("-")[0]] &&
                    !(cells.get(r.urn) === null && !(r.name.split("-")[0] in regionOf) && r.inputs.region === "us-east-1"),
            )
            .map((r) => `${r.urn} → ${String(r.inputs.region)}`);
        assert.deepEqual(wrong, []);
    });

    it("starts every resource name with its cell's code, so cells never collide", () => {
        const cellCodes = ["use1", "euc1", "apse1"];
        const cellUrns = new Set(run.plan.resources.filter((r) => r.type === "platform:cell:RegionalCell").map((r) => r.urn));
        const inCell = run.plan.resources.filter((r) => r.parent !== null && cellUrns.has(r.parent));
        assert.equal(inCell.length, 30, "ten tiers (Karpenter the ninth, WarmCapacity the tenth) in each of three cells");
        const byName = new Map<string, number>();
        for (const r of run.plan.resources.filter((r) => r.custom && r.type !== "pulumi:providers:aws")) {
            assert.ok(cellCodes.some((c) => r.name.startsWith(`${c}-`)) || r.parent === null || !r.urn.includes("RegionalCell"), r.urn);
            byName.set(`${r.type}::${r.name}`, (byName.get(`${r.type}::${r.name}`) ?? 0) + 1);
        }
        assert.deepEqual(
            [...byName.entries()].filter(([, n]) => n > 1),
            [],
        );
    });

    it("admits the API's port only from each cell's own public subnets (its ALB) and its Prometheus", () => {
        for (const code of ["use1", "euc1", "apse1"]) {
            const subnets = ["a", "b", "c"].map((zone) =>
                run.plan.resources.find((r) => r.type === "aws:ec2/subnet:Subnet" && r.name === `${code}-net-public-${zone}`)!,
            );
            const policy = run.plan.resources.find(
                (r) => r.type === "kubernetes:networking.k8s.io/v1:NetworkPolicy" && r.name === `${code}-api-netpol`,
            )!;
            const from = (policy.inputs.spec as { ingress: { from: Record<string, unknown>[] }[] }).ingress[0].from;
            assert.deepEqual(
                from.filter((f) => f.ipBlock).map((f) => (f.ipBlock as { cidr: string }).cidr),
                subnets.map((s) => s.inputs.cidrBlock),
                code,
            );
            assert.equal(from.length, 4, `${code}: the three subnets and the monitoring namespace`);
        }
    });

    it("gives each cell's Grafana a CloudWatch data source in the cell's own region, read by a Pod Identity role of Grafana's service account", () => {
        for (const [code, region] of Object.entries({ use1: "us-east-1", euc1: "eu-central-1", apse1: "ap-southeast-1" })) {
            const release = run.plan.resources.find(
                (r) => r.type === "kubernetes:helm.sh/v3:Release" && r.name === `${code}-obs-metrics-release`,
            )!;
            const grafana = (release.inputs.values as { grafana: { additionalDataSources: unknown[]; serviceAccount: unknown } }).grafana;
            assert.deepEqual(
                grafana.additionalDataSources.map((d) => {
                    const { type, uid, jsonData } = d as { type: string; uid: string; jsonData: unknown };
                    return { type, uid, jsonData };
                }),
                [{ type: "cloudwatch", uid: "cloudwatch", jsonData: { authType: "default", defaultRegion: region } }],
                code,
            );
            const association = run.plan.resources.find(
                (r) =>
                    r.type === "aws:eks/podIdentityAssociation:PodIdentityAssociation" &&
                    r.name === `${code}-obs-metrics-grafana-pod-identity`,
            )!;
            assert.deepEqual(
                [association.inputs.region, association.inputs.namespace, association.inputs.serviceAccount],
                [region, "monitoring", (grafana.serviceAccount as { name: string }).name],
            );
            assert.ok(release.dependencies.includes(association.urn), `${code}: the release waits for Grafana's association`);
            // The pack judges the role's inline policy, and finds nothing.
            const policy = run.plan.resources.find(
                (r) => r.type === "aws:iam/rolePolicy:RolePolicy" && r.name === `${code}-obs-metrics-grafana-policy`,
            )!;
            assert.deepEqual(
                run.plan.policy.violations.filter((v) => v.urn === policy.urn || v.urn === association.urn),
                [],
            );
        }
    });

    it("charts each cell's own ALB p99 from CloudWatch on its dashboard, with the dimension, statistic and region its alarm reads", () => {
        for (const [code, region] of Object.entries({ use1: "us-east-1", euc1: "eu-central-1", apse1: "ap-southeast-1" })) {
            const alarm = run.plan.resources.find(
                (r) => r.type === "aws:cloudwatch/metricAlarm:MetricAlarm" && r.name === `${code}-obs-alarms-alb-p99-latency`,
            )!;
            const configMap = run.plan.resources.find(
                (r) => r.type === "kubernetes:core/v1:ConfigMap" && r.name === `${code}-obs-metrics-api-dashboard`,
            )!;
            const dashboard = JSON.parse(Object.values(configMap.inputs.data as Record<string, string>)[0]!) as {
                panels: { title: string; targets: Record<string, unknown>[] }[];
            };
            const panel = dashboard.panels.find((p) => p.title === "ALB target response time p99 (CloudWatch)");
            assert.ok(panel, `${code}: the CloudWatch panel`);
            const [target] = panel.targets;
            assert.deepEqual(
                [target!.namespace, target!.metricName, target!.statistic, target!.region, target!.dimensions],
                [alarm.inputs.namespace, alarm.inputs.metricName, alarm.inputs.extendedStatistic, region, alarm.inputs.dimensions],
                code,
            );
            assert.match(
                String((alarm.inputs.dimensions as { LoadBalancer: string }).LoadBalancer),
                new RegExp(`^app/${code}-ingress-alb-`),
            );
        }
    });

    it("creates each cell's heartbeat alarm after the release whose Alertmanager publishes the heartbeat (no page during a first up)", () => {
        for (const code of ["use1", "euc1", "apse1"]) {
            const release = run.plan.resources.find(
                (r) => r.type === "kubernetes:helm.sh/v3:Release" && r.name === `${code}-obs-metrics-release`,
            )!;
            const alarm = run.plan.resources.find((r) => r.name === `${code}-obs-alarms-alertmanager-heartbeat-missing`)!;
            assert.ok(alarm.dependencies.includes(release.urn), code);
            // The other alarms watch AWS's own metrics and are not held back.
            const other = run.plan.resources.find((r) => r.name === `${code}-obs-alarms-alb-p99-latency`)!;
            assert.ok(!other.dependencies.includes(release.urn), code);
        }
    });

    it("routes each cell's Pending-placeholder alerts nowhere, for the namespace its warm capacity runs in", () => {
        for (const code of ["use1", "euc1", "apse1"]) {
            const release = run.plan.resources.find(
                (r) => r.type === "kubernetes:helm.sh/v3:Release" && r.name === `${code}-obs-metrics-release`,
            )!;
            const routes = (
                release.inputs.values as { alertmanager: { config: { route: { routes: { receiver: string; matchers: string[] }[] } } } }
            ).alertmanager.config.route.routes;
            const namespace = run.plan.resources.find((r) => r.type === "kubernetes:core/v1:Namespace" && r.name === `${code}-warm-ns`)!;
            const name = (namespace.inputs.metadata as { name: string }).name;
            assert.ok(
                routes.some((r) => r.receiver === "null" && r.matchers.includes(`namespace = "${name}"`)),
                `${code}: ${JSON.stringify(routes)}`,
            );
        }
    });

    it("lets each Pod Identity role be taken only by the service account it is associated with", () => {
        const roles = run.plan.resources.filter((r) => r.type === "aws:iam/role:Role" && r.inputs.assumeRolePolicy);
        const trusted = (arn: unknown) => {
            const role = roles.find((r) => typeof arn === "string" && arn.endsWith(`:role/${r.id}`));
            assert.ok(role, `a role of the plan: ${String(arn)}`);
            return (JSON.parse(role.inputs.assumeRolePolicy as string) as { Statement: { Condition?: Record<string, unknown> }[] })
                .Statement[0];
        };
        const bindings = [
            ...run.plan.resources
                .filter((r) => r.type === "aws:eks/podIdentityAssociation:PodIdentityAssociation")
                .map((a) => [a.inputs.roleArn, a.inputs.clusterName, a.inputs.namespace, a.inputs.serviceAccount]),
            // An add-on's own associations live in its kube-system namespace.
            ...run.plan.resources
                .filter((r) => r.type === "aws:eks/addon:Addon" && r.inputs.podIdentityAssociations)
                .flatMap((a) =>
                    (a.inputs.podIdentityAssociations as { roleArn: string; serviceAccount: string }[]).map((p) => [
                        p.roleArn,
                        a.inputs.clusterName,
                        "kube-system",
                        p.serviceAccount,
                    ]),
                ),
        ];
        assert.ok(bindings.length >= 5 * 3, `${bindings.length} associations`);
        for (const [arn, cluster, namespace, account] of bindings)
            assert.deepEqual(trusted(arn).Condition, {
                StringEquals: {
                    "aws:RequestTag/eks-cluster-name": cluster,
                    "aws:RequestTag/kubernetes-namespace": namespace,
                    "aws:RequestTag/kubernetes-service-account": account,
                },
            });
    });

    it("uses one AWS provider, with default tags, for every region", () => {
        const providers = run.evaluation.resources.filter((r) => r.type === "pulumi:providers:aws");
        assert.equal(providers.length, 1);
        assert.equal(providers[0].inputs.region, "us-east-1");
        assert.deepEqual(JSON.parse(providers[0].inputs.defaultTags as string), {
            tags: { Project: "platform", Stack: "prod", ManagedBy: "pulumi" },
        });
        const awsResources = run.evaluation.resources.filter((r) => r.custom && r.type.startsWith("aws:"));
        assert.ok(
            awsResources.every((r) => r.provider?.startsWith(`${providers[0].urn}::`)),
            "every AWS resource uses the one provider",
        );
    });

    it("shapes the plan JSON as the design's contract", () => {
        const { plan } = run;
        assert.equal(plan.project, "platform");
        assert.equal(plan.stack, "prod");
        const vpc = plan.resources.find((r) => r.name === "use1-net-vpc")!;
        assert.deepEqual(Object.keys(vpc).sort(), [
            "custom",
            "deleteBeforeReplace",
            "dependencies",
            "id",
            "ignoreChanges",
            "inputs",
            "name",
            "parent",
            "protect",
            "provider",
            "replaceOnChanges",
            "retainOnDelete",
            "type",
            "urn",
        ]);
        assert.equal(vpc.urn, "urn:pulumi:prod::platform::platform:cell:RegionalCell$platform:cell:Network$aws:ec2/vpc:Vpc::use1-net-vpc");
        assert.equal(vpc.inputs.region, "us-east-1");
        assert.match(vpc.id!, /^vpc-[0-9a-f]{17}$/);
        assert.deepEqual(Object.keys(plan.cost.monthly), ["min", "worstCase"]);
        assert.equal(plan.cost.priceDate, "2026-12-02");
        assert.equal(plan.cost.currency, "USD");
        assert.deepEqual(
            plan.policy.violations.filter((v) => v.enforcementLevel === "mandatory"),
            [],
        );
        assert.equal(plan.outputs.primaryRegion, "us-east-1");
    });

    it('never shows a secret in clear: every secret input is "[secret]" in the plan JSON and absent from its text', () => {
        const secrets: string[] = [];
        const collect = (masked: unknown, raw: unknown): void => {
            if (masked === SECRET) {
                if (typeof raw === "string" && raw.length >= 8) secrets.push(raw);
                else if (raw !== undefined) secrets.push(JSON.stringify(raw));
            } else if (masked && typeof masked === "object" && raw && typeof raw === "object") {
                for (const key of Object.keys(masked))
                    collect((masked as Record<string, unknown>)[key], (raw as Record<string, unknown>)[key]);
            }
        };
        for (const r of run.evaluation.resources) collect(r.inputs, r.rawInputs);
        // The database master password, Grafana's admin passwords, both origin-auth slots, ... (the caches have none: IAM)
        // and, since the mocks honour additionalSecretOutputs as the engine does, the inputs built from
        // the origin-auth tokens: the three ALB rules' header condition and the Cloudflare monitor's header.
        assert.equal(secrets.length, 10, `${secrets.length} secret inputs`);
        const text = JSON.stringify(run.plan);
        assert.deepEqual(
            secrets.filter((secret) => text.includes(secret)),
            [],
        );
        assert.equal(
            run.plan.outputs.grafanaAdminPasswords &&
                Object.values(run.plan.outputs.grafanaAdminPasswords as object).every((v) => v === SECRET),
            true,
        );
    });

    it("is deterministic: planning the same config twice gives the same plan", async () => {
        const again = await readConfigAndPlan(prodStack().source);
        assert.deepEqual(compare(run.plan, again.plan), {
            added: [],
            changed: [],
            removed: [],
            atRisk: [],
            retained: [],
            removedCells: [],
            unprotect: [],
        });
    });
});

function readConfigAndPlan(file: string): Promise<PlanRun> {
    return planStack(readConfigFile(file, "platform", "prod"));
}

describe("plan command", () => {
    it("exits 2 and lists every problem by config path, without a stack trace, for a bad config", () => {
        const result = runCli(["--config", fixture("bad.yaml")]);
        assert.equal(result.status, 2, result.stderr);
        assert.equal(result.stdout, "");
        const lines = result.stderr.trim().split("\n");
        assert.equal(lines[0], "Invalid stack config (9 problems):");
        assert.deepEqual(
            lines.slice(1).map((l) => l.split(":").slice(0, 2).join(":")),
            [
                "- platform:domain",
                "- platform:cloudflare.accountId",
                "- platform:regions[2].name",
                "- platform:regions[1].cidr",
                "- platform:regions",
                "- platform:capacity.usersPerPod",
                "- platform:traffic",
                "- platform:app.image",
                // A rule across sections comes after the sections.
                "- platform:capacity.regionFailuresTolerated",
            ],
        );
        assert.doesNotMatch(result.stderr, /\bat .*\.js:\d+/);
    });

    it("exits 2 for a missing stack file or an unknown flag", () => {
        const missing = runCli(["--stack", "nope"]);
        assert.equal(missing.status, 2);
        assert.match(missing.stderr, /Pulumi\.nope\.yaml does not exist; create it or pass --stack with an existing stack/);
        const flag = runCli(["--jsno", "x"]);
        assert.equal(flag.status, 2);
        assert.match(flag.stderr, /Unknown option '--jsno'/);
    });

    it("prints the summary, writes the JSON and the diagram, and exits 0 for prod", async () => {
        const dir = mkdtempSync(path.join(tmpdir(), "plan-test-"));
        const out = execFileSync(process.execPath, [CLI, "--json", path.join(dir, "plan.json"), "--diagram", path.join(dir, "plan.md")], {
            cwd: projectRoot(),
            encoding: "utf8",
        });
        assert.match(out, /^Offline plan of platform\/prod: 3 cell\(s\), \d+ resources/);
        assert.match(out, /\nus-east-1 +use1 +yes/);
        // The cost table, with the figures of the plan JSON's cost.
        const plan = JSON.parse(readFileSync(path.join(dir, "plan.json"), "utf8"));
        assert.match(out, /\nMonthly cost \(USD, on-demand list prices read 2026-12-02 to 2026-12-03, 730 h a month;/);
        assert.match(out, /\nus-east-1 +use1 +\$5,541\.82 +\$6,000\.60 /);
        const esc = (text: string) => text.replace(/[$.]/g, "\\$&");
        // Marked: the total adds lines priced at us-east-1 rates (eu-central-1's and ap-southeast-1's).
        assert.match(out, new RegExp(`\\nTotal +${esc(usd(plan.cost.monthly.min))}\\*† +${esc(usd(plan.cost.monthly.worstCase))}\\*†\\n`));
        assert.equal(plan.stack, "prod");
        assert.equal(plan.resources.length, (await planOf(prodStack())).plan.resources.length);
        const diagram = readFileSync(path.join(dir, "plan.md"), "utf8");
        assert.match(diagram, /```mermaid\nflowchart LR\n/);
        assert.match(diagram, /\n {2}subgraph use1\["us-east-1 · use1 · primary: Aurora writer"\]\n/);
        assert.match(diagram, /\n {2}lb -- "first for OC SAS SEAS NEAS" --> apse1_alb\n/);
        assert.match(diagram, /\n {4}use1_alb --> use1_pods --> use1_proxy --> use1_db\n/);
        assert.match(diagram, /\n {4}use1_pods\["API pods 15–24 \+ 9 warm<br\/>nodes 9–9 in 3 AZs"\]\n/);
        assert.match(diagram, /\n {2}use1_db == "global database replication" ==> euc1_db\n {2}use1_db ==> apse1_db\n/);
        assert.match(diagram, /writes: use1 → euc1 → apse1<br\/>fallback: use1/);
    });

    it("--compare prints the added, changed and removed resources of a config change, grouped by cell", () => {
        const out = execFileSync(process.execPath, [CLI, "--quiet", "--compare", fixture("four-regions.yaml")], {
            cwd: projectRoot(),
            encoding: "utf8",
        });
        const header = out.trim().split("\n")[0];
        const match = /^Compare prod → four-regions.yaml: (\d+) added, (\d+) changed, (\d+) removed$/.exec(header);
        assert.ok(match, header);
        assert.equal(out.split("\n").filter((l) => l.startsWith("  + ")).length, Number(match[1]));
        assert.match(out, /\nusw2:\n {2}\+ urn:pulumi:prod::platform::/);
        // The cost of the added region.
        assert.match(out, /\nCost change: \$[\d,.]+ → \$[\d,.]+ a month at minimum scale/);
        // us-west-2's only own figure in the snapshot is m7i.xlarge ($0.2016, as in us-east-1): its
        // 3 + 6 nodes, $441.50 + $883.01 = $1,324.51 of its $4,336.76; the other 20 lines, $3,012.25,
        // are at us-east-1 rates, so its delta is marked and the note says how much.
        assert.match(out, /\nusw2 \(added\) +\+\$4,336\.76\* +\+\$[\d,.]+\*\n/);
        assert.match(out, /\n\* at us-east-1 rates .*us-west-2 \(20 of 22 lines, \$3,012\.25 of \$4,336\.76 at minimum, 69 %\)/);
        assert.match(
            out,
            /\nglobal:\n( {2}[-+~] .*\n)* {2}~ urn:pulumi:prod::platform::platform:edge:Edge\$cloudflare:index\/loadBalancer:LoadBalancer::edge-lb \(defaultPools, rules\)\n/,
        );
    });
});

describe("adding a region", () => {
    it("adds one cell, one pool and one Aurora secondary; changes only steering, the alert's pool filter and capacity figures", async () => {
        const before = await planOf(prodStack());
        const after = await planOf(readConfigFile(fixture("four-regions.yaml"), "platform", "prod"));
        const diff = compare(before.plan, after.plan);

        // The new cell takes a share of the users, so us-east-1 and eu-central-1 each need one reader fewer.
        assert.deepEqual(
            diff.removed.map((c) => c.urn.split("::").pop()),
            ["euc1-data-db-5", "use1-data-db-5"],
        );
        assert.equal(diff.added.length, after.plan.resources.length - before.plan.resources.length + diff.removed.length);
        const addedOutsideCell = diff.added
            .filter((c) => c.cell !== "usw2" && !/::usw2-origin-certs(-validation)?$/.test(c.urn))
            .map((c) => c.urn);
        // Outside the cell: its pool, and its failover pieces (a Region switch plan to it, its edge
        // function and EKS access, its FIS templates).
        assert.deepEqual(addedOutsideCell, [
            "urn:pulumi:prod::platform::platform:edge:Edge$cloudflare:index/loadBalancerPool:LoadBalancerPool::edge-pool-usw2",
            ...["az-us-west-2a", "az-us-west-2b", "az-us-west-2c", "isolation"].map(
                (t) =>
                    `urn:pulumi:prod::platform::platform:failover:FaultInjection$aws:fis/experimentTemplate:ExperimentTemplate::usw2-faults-${t}`,
            ),
            ...[
                "aws:arcregionswitch/plan:Plan::failover-plan-usw2",
                "aws:cloudwatch/logGroup:LogGroup::usw2-failover-pool-switch-logs",
                "aws:eks/accessEntry:AccessEntry::usw2-failover-eks",
                "aws:eks/accessPolicyAssociation:AccessPolicyAssociation::usw2-failover-eks-scaling",
                "aws:iam/role:Role::usw2-failover-pool-switch-role",
                "aws:iam/rolePolicy:RolePolicy::usw2-failover-pool-switch-policy",
                "aws:iam/rolePolicyAttachment:RolePolicyAttachment::usw2-failover-pool-switch-execution",
                "aws:lambda/function:Function::usw2-failover-pool-switch",
            ].map((u) => `urn:pulumi:prod::platform::platform:failover:RegionSwitch$${u}`),
        ]);
        const newMembers = diff.added.filter((c) => c.type === "aws:rds/cluster:Cluster").map((c) => c.urn);
        assert.deepEqual(newMembers, [
            "urn:pulumi:prod::platform::platform:cell:RegionalCell$platform:data:DataTier$platform:data:DatabaseMember$aws:rds/cluster:Cluster::usw2-data-db-cluster",
        ]);
        assert.equal(diff.added.filter((c) => c.type === "platform:cell:RegionalCell").length, 1);

        // Changed: the load balancer's pool lists, the alert's pool filter, what the capacity model
        // re-sizes now that WNAM users go to us-west-2 (HPA, warm placeholders, NodePool limits; the fixed-size node
        // groups never change), the image's replication gains us-west-2, and the failover: the
        // plans' scale targets, the edge functions' pool list, the execution role's resources, the
        // token's replicas; the writer guards of the two members that lose an instance run again.
        assert.deepEqual([...new Set(diff.changed.map((c) => `${c.type} (${c.keys.join(", ")})`))].sort(), [
            "aws:arcregionswitch/plan:Plan (workflows)",
            "aws:ecr/replicationConfiguration:ReplicationConfiguration (replicationConfiguration)",
            "aws:iam/rolePolicy:RolePolicy (policy)",
            "aws:lambda/function:Function (environment)",
            "aws:lambda/invocation:Invocation (input)",
            "aws:secretsmanager/secret:Secret (replicas)",
            "cloudflare:index/loadBalancer:LoadBalancer (defaultPools, rules)",
            "cloudflare:index/notificationPolicy:NotificationPolicy (filters)",
            "kubernetes:apps/v1:Deployment (spec)",
            "kubernetes:autoscaling/v2:HorizontalPodAutoscaler (spec)",
            "kubernetes:karpenter.sh/v1:NodePool (spec)",
        ]);
        // Their new input lists the instances that stay (without -5): the invocation is replaced, so
        // the guard moves a writer on -5 before the engine deletes it (components/data/writerGuard.ts).
        const guards = diff.changed.filter((c) => c.type === "aws:lambda/invocation:Invocation");
        assert.deepEqual(guards.map((c) => c.urn.split("::").pop()).sort(), [
            "euc1-data-db-writer-guard-run",
            "use1-data-db-writer-guard-run",
        ]);
        for (const code of ["euc1", "use1"]) {
            const keep = (p: typeof before.plan) =>
                (
                    JSON.parse(p.resources.find((r) => r.name === `${code}-data-db-writer-guard-run`)!.inputs.input as string) as {
                        keep: string[];
                    }
                ).keep;
            const ids = (p: typeof before.plan) =>
                p.resources
                    .filter((r) => r.type === "aws:rds/clusterInstance:ClusterInstance" && r.name.startsWith(`${code}-data-db-`))
                    .sort((x, y) => x.name.localeCompare(y.name))
                    .map((r) => r.id);
            assert.deepEqual(keep(before.plan), ids(before.plan));
            assert.deepEqual(keep(after.plan), ids(before.plan).slice(0, -1));
        }
        // Removed: only Aurora reader instances the capacity model no longer needs; never a
        // cluster, a key, a domain or anything else that holds data.
        assert.deepEqual([...new Set(diff.removed.map((c) => c.type))], ["aws:rds/clusterInstance:ClusterInstance"]);
        const stateful = [
            "aws:rds/cluster:Cluster",
            "aws:rds/globalCluster:GlobalCluster",
            "aws:opensearch/domain:Domain",
            "aws:kms/key:Key",
            "aws:elasticache/replicationGroup:ReplicationGroup",
        ];
        assert.deepEqual(
            diff.changed.filter((c) => stateful.includes(c.type)),
            [],
        );
        assert.deepEqual([diff.atRisk, diff.retained, diff.removedCells], [[], [], []]);
    });
});
