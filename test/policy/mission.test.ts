// The mission's stack policies on small synthetic resource sets: each with a compliant set
// and the smallest change that breaks it, offline and (where a rule relates resources by ids
// unknown until they exist) as the engine hands them during preview.
import * as assert from "node:assert/strict";
import type { RecordedResource } from "../../plan/runtime";
import { survivingCapacity } from "../../policy/mission";
import { cell, cellNetwork, findings, fixture, flagged, previewFindings, previewed, UNKNOWN } from "../support/policy";

const HPA = "kubernetes:autoscaling/v2:HorizontalPodAutoscaler";
const DEPLOYMENT = "kubernetes:apps/v1:Deployment";

describe("policy pack: multi-region and cell placement", () => {
    const use1 = cell("use1");
    const euc1 = cell("euc1");

    it("multi-region: two cells pass; one cell fails with the region named; minRegions is configurable", async () => {
        assert.deepEqual(await flagged("multi-region", [use1, euc1]), []);
        const one = await findings("multi-region", [use1]);
        assert.deepEqual(one, [
            {
                name: null,
                message: "the stack runs 1 region(s) (us-east-1); at least 2 are required for regional failover",
                enforcementLevel: "mandatory",
            },
        ]);
        assert.deepEqual(await flagged("multi-region", [use1, euc1], { "multi-region": { minRegions: 3 } }), [
            "null: the stack runs 2 region(s) (eu-central-1, us-east-1); at least 3 are required for regional failover",
        ]);
        const lone = [fixture("aws:ec2/vpc:Vpc", "v1", { region: "us-east-1" }), fixture("aws:ec2/vpc:Vpc", "v2", { region: "us-east-1" })];
        assert.deepEqual(
            await flagged("multi-region", lone),
            ["null: the stack runs 1 region(s) (us-east-1); at least 2 are required for regional failover"],
            "without cells, the regions resources name",
        );
        assert.deepEqual(
            await flagged("multi-region", [fixture("cloudflare:index/loadBalancer:LoadBalancer", "lb", {})]),
            [],
            "not applicable without any region",
        );
        assert.deepEqual(await findings("multi-region", [use1], { "multi-region": "advisory" }), [
            {
                name: null,
                message: "the stack runs 1 region(s) (us-east-1); at least 2 are required for regional failover",
                enforcementLevel: "advisory",
            },
        ]);
    });

    it("cell-resources-in-cell-region: flags a missing or foreign region on a regional resource, never a global one", async () => {
        const zzz1 = cell("zzz1");
        const resources = [
            use1,
            ...cellNetwork(use1, "us-east-1"),
            fixture("aws:kms/key:Key", "use1-wrong-key", { region: "eu-central-1" }, { parent: use1 }),
            fixture("aws:rds/proxy:Proxy", "use1-no-region", {}, { parent: use1 }),
            fixture("aws:route53/resolverEndpoint:ResolverEndpoint", "use1-resolver", {}, { parent: use1 }),
            fixture("aws:route53/record:Record", "use1-record", {}, { parent: use1 }),
            fixture("aws:kms/key:Key", "global-key", { region: "eu-west-1" }),
            zzz1,
            fixture("aws:ec2/vpc:Vpc", "zzz1-vpc", { region: "us-east-1" }, { parent: zzz1 }),
        ];
        assert.deepEqual(await flagged("cell-resources-in-cell-region", resources), [
            "use1-wrong-key: region is eu-central-1 but the resource belongs to cell use1 (us-east-1)",
            "use1-no-region: region is not set: the resource would land in the provider's default region instead of us-east-1 (cell use1)",
            "use1-resolver: region is not set: the resource would land in the provider's default region instead of us-east-1 (cell use1)",
            'zzz1-vpc: cell "zzz1" is not a region code of the catalog, so its region is unknown',
        ]);
    });

    it("cell-complete: by default every component is required; the config narrows the list", async () => {
        const resources = [use1, ...cellNetwork(use1, "us-east-1")];
        assert.deepEqual(await flagged("cell-complete", resources), [
            "use1: cell use1 lacks an EKS cluster (aws:eks/cluster:Cluster); a Deployment (kubernetes:apps/v1:Deployment); an Aurora cluster that is a member of the global database (aws:rds/cluster:Cluster with globalClusterIdentifier); an RDS Proxy (aws:rds/proxy:Proxy); an ElastiCache replication group (aws:elasticache/replicationGroup:ReplicationGroup); an OpenSearch domain (aws:opensearch/domain:Domain); monitoring: a kube-prometheus-stack Helm release, or an SNS topic with CloudWatch alarms",
        ]);
        assert.deepEqual(await flagged("cell-complete", resources, { "cell-complete": { required: ["vpc"] } }), []);
        assert.deepEqual(await flagged("cell-complete", [euc1], { "cell-complete": { required: ["vpc", "bogus"] } }), [
            'null: config "required" names unknown component(s) bogus; known: vpc, eks, deployment, database, rdsProxy, cache, opensearch, monitoring',
            "euc1: cell euc1 lacks a VPC (aws:ec2/vpc:Vpc)",
        ]);
    });

    it("cell-complete: a non-member Aurora cluster is not the database; monitoring is Helm or SNS + alarms", async () => {
        const parts = (c: RecordedResource, extra: RecordedResource[]) => [c, ...extra];
        const member = fixture(
            "aws:rds/cluster:Cluster",
            "use1-db",
            { region: "us-east-1", globalClusterIdentifier: "platform" },
            { parent: use1 },
        );
        const loner = fixture("aws:rds/cluster:Cluster", "euc1-db", { region: "eu-central-1" }, { parent: euc1 });
        const helm = fixture("kubernetes:helm.sh/v3:Release", "use1-prom", { chart: "kube-prometheus-stack" }, { parent: use1 });
        const topic = fixture("aws:sns/topic:Topic", "euc1-alerts", { region: "eu-central-1" }, { parent: euc1 });
        const config = { "cell-complete": { required: ["database", "monitoring"] } };
        assert.deepEqual(await flagged("cell-complete", [...parts(use1, [member, helm]), ...parts(euc1, [loner, topic])], config), [
            "euc1: cell euc1 lacks an Aurora cluster that is a member of the global database (aws:rds/cluster:Cluster with globalClusterIdentifier); monitoring: a kube-prometheus-stack Helm release, or an SNS topic with CloudWatch alarms",
        ]);
        const alarm = fixture("aws:cloudwatch/metricAlarm:MetricAlarm", "euc1-5xx", { region: "eu-central-1" }, { parent: euc1 });
        assert.deepEqual(await flagged("cell-complete", [euc1, topic, alarm], { "cell-complete": { required: ["monitoring"] } }), []);
    });
});

describe("policy pack: global database and Cloudflare failover", () => {
    const use1 = cell("use1");
    const euc1 = cell("euc1");
    const apse1 = cell("apse1");
    const global = fixture("aws:rds/globalCluster:GlobalCluster", "platform-global", {
        globalClusterIdentifier: "platform",
        engine: "aurora-postgresql",
        region: "us-east-1",
    });

    it("global-database-in-every-region: names the regions without a member", async () => {
        const primary = fixture(
            "aws:rds/cluster:Cluster",
            "use1-db",
            { region: "us-east-1", globalClusterIdentifier: "platform" },
            { parent: use1 },
        );
        // A member found by dependency (identifier known only as an output).
        const secondary = fixture(
            "aws:rds/cluster:Cluster",
            "euc1-db",
            { region: "eu-central-1", globalClusterIdentifier: "platform-id-from-output" },
            { parent: euc1, dependsOn: [global] },
        );
        const other = fixture("aws:rds/cluster:Cluster", "apse1-db", { region: "ap-southeast-1" }, { parent: apse1 });
        assert.deepEqual(await flagged("global-database-in-every-region", [use1, euc1, apse1, global, primary, secondary, other]), [
            "platform-global: the global database has no member cluster in ap-southeast-1",
        ]);
        assert.deepEqual(
            await flagged("global-database-in-every-region", [use1, euc1, primary]),
            [],
            "not applicable without a global cluster",
        );
    });

    const POOL = "cloudflare:index/loadBalancerPool:LoadBalancerPool";
    const LB = "cloudflare:index/loadBalancer:LoadBalancer";
    const pools = ["use1", "euc1", "apse1"].map((c) => fixture(POOL, `${c}-pool`, { monitor: "m", origins: [] }));
    const goodLb = { defaultPools: ["p1", "p2"], fallbackPool: "p1", sessionAffinity: "cookie", proxied: true };

    it("cloudflare-load-balancer-failover: fallback pool, session affinity on a proxied LB, every pool used", async () => {
        assert.deepEqual(
            await flagged("cloudflare-load-balancer-failover", [...pools, fixture(LB, "api", goodLb, { dependsOn: pools })]),
            [],
        );
        assert.deepEqual(
            await flagged("cloudflare-load-balancer-failover", [
                ...pools,
                fixture(LB, "api", { defaultPools: ["p1"] }, { dependsOn: pools.slice(0, 2) }),
            ]),
            [
                "api: fallbackPool is not set: when every pool is unhealthy there is nowhere to send traffic",
                'api: sessionAffinity is not set (default "none"): use "cookie" so a session stays on one cell',
                "api: pool(s) apse1-pool are not used by the load balancer: a cell without traffic is no failover",
            ],
        );
        assert.deepEqual(await flagged("cloudflare-load-balancer-failover", [fixture(LB, "api", { ...goodLb, proxied: false })]), [
            "api: session affinity needs a proxied load balancer: set proxied to true",
        ]);
    });
});

describe("policy pack: Deployments, protection and capacity", () => {
    const use1 = cell("use1");
    const euc1 = cell("euc1");
    const apse1 = cell("apse1");
    const labels = { app: "api" };
    const deployment = (c: RecordedResource) =>
        fixture(
            DEPLOYMENT,
            `${c.name}-api`,
            { metadata: { name: "api", namespace: "api" }, spec: { template: { metadata: { labels } } } },
            { parent: c },
        );
    const pdb = (c: RecordedResource, match: Record<string, string>, namespace = "api") =>
        fixture(
            "kubernetes:policy/v1:PodDisruptionBudget",
            `${c.name}-api-pdb`,
            { metadata: { namespace }, spec: { selector: { matchLabels: match }, maxUnavailable: 1 } },
            { parent: c },
        );
    const hpa = (c: RecordedResource, maxReplicas: number, target = "api") =>
        fixture(
            HPA,
            `${c.name}-api-hpa`,
            {
                metadata: { namespace: "api" },
                spec: { minReplicas: 3, maxReplicas, scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: target } },
            },
            { parent: c },
        );

    it("k8s-deployment-has-pdb-and-hpa: matches by labels, target name, namespace and cell", async () => {
        const resources = [
            use1,
            deployment(use1),
            pdb(use1, labels),
            hpa(use1, 30),
            // euc1's PDB is in another namespace and its HPA targets another Deployment.
            euc1,
            deployment(euc1),
            pdb(euc1, labels, "default"),
            hpa(euc1, 30, "worker"),
            // apse1 has nothing of its own; use1's PDB and HPA must not count for it.
            apse1,
            deployment(apse1),
        ];
        assert.deepEqual(await flagged("k8s-deployment-has-pdb-and-hpa", resources), [
            "euc1-api: Deployment euc1-api lacks a PodDisruptionBudget selecting its pod labels and a HorizontalPodAutoscaler targeting it (namespace api)",
            "apse1-api: Deployment apse1-api lacks a PodDisruptionBudget selecting its pod labels and a HorizontalPodAutoscaler targeting it (namespace api)",
        ]);
        assert.deepEqual(
            await flagged("k8s-deployment-has-pdb-and-hpa", [use1, deployment(use1), pdb(use1, { app: "other" }), hpa(use1, 30)]),
            ["use1-api: Deployment use1-api lacks a PodDisruptionBudget selecting its pod labels (namespace api)"],
        );
    });

    it("k8s-placeholder-yields: a placeholder's PriorityClass is its cell's, negative and never preempting; placeholders need no PDB or HPA", async () => {
        const placeholderLabels = { app: "warm", "app.kubernetes.io/component": "placeholder" };
        const placeholder = (c: RecordedResource, className: string | undefined) =>
            fixture(
                DEPLOYMENT,
                `${c.name}-warm`,
                {
                    metadata: { name: "warm", namespace: "warm" },
                    spec: {
                        replicas: 3,
                        template: { metadata: { labels: placeholderLabels }, spec: { priorityClassName: className, containers: [] } },
                    },
                },
                { parent: c },
            );
        const priorityClass = (c: RecordedResource, value: number, preemptionPolicy?: string) =>
            fixture(
                "kubernetes:scheduling.k8s.io/v1:PriorityClass",
                `${c.name}-warm-priority`,
                { metadata: { name: "warm" }, value, preemptionPolicy },
                { parent: c },
            );
        const resources = [
            use1,
            priorityClass(use1, -10, "Never"),
            placeholder(use1, "warm"),
            // euc1's class is positive and preempts; apse1's placeholder names no class; and use1's class does not count for apse1.
            euc1,
            priorityClass(euc1, 100),
            placeholder(euc1, "warm"),
            apse1,
            placeholder(apse1, undefined),
        ];
        assert.deepEqual(await flagged("k8s-placeholder-yields", resources), [
            "euc1-warm: PriorityClass euc1-warm-priority has value 100; a placeholder's must be below 0",
            "euc1-warm: PriorityClass euc1-warm-priority has preemptionPolicy unset (PreemptLowerPriority); a placeholder's must be Never",
            "apse1-warm: a placeholder without priorityClassName runs at priority 0 and keeps its room from the API's pods",
        ]);
        assert.deepEqual(await flagged("k8s-placeholder-yields", [apse1, priorityClass(use1, -10, "Never"), placeholder(apse1, "warm")]), [
            "apse1-warm: its priorityClassName warm is no PriorityClass of its cell",
        ]);
        assert.deepEqual(await flagged("k8s-deployment-has-pdb-and-hpa", [use1, placeholder(use1, "warm")]), []);
    });

    it("stateful-resources-protected: flags unprotected stateful types only; the list is configurable", async () => {
        const resources = [
            fixture("aws:rds/cluster:Cluster", "db", {}, { protect: true }),
            fixture("aws:rds/globalCluster:GlobalCluster", "global", {}),
            fixture("aws:kms/key:Key", "key", {}),
            fixture("aws:elasticache/replicationGroup:ReplicationGroup", "cache", {}),
            fixture("aws:ec2/vpc:Vpc", "vpc", {}),
        ];
        assert.deepEqual(await flagged("stateful-resources-protected", resources), [
            "global: aws:rds/globalCluster:GlobalCluster global is not protected: set the resource option protect: true",
            "key: aws:kms/key:Key key is not protected: set the resource option protect: true",
        ]);
        assert.deepEqual(
            await flagged("stateful-resources-protected", resources, { "stateful-resources-protected": { types: ["aws:ec2/vpc:Vpc"] } }),
            ["vpc: aws:ec2/vpc:Vpc vpc is not protected: set the resource option protect: true"],
        );
    });

    it("capacity-survives-region-failures: the biggest cell down, the rest must carry the target", async () => {
        const config = { targetConcurrentUsers: 25000, usersPerPod: 800, regionFailuresTolerated: 1 };
        const enough = [use1, euc1, apse1, hpa(use1, 40), hpa(euc1, 20), hpa(apse1, 20)];
        assert.deepEqual(await flagged("capacity-survives-region-failures", enough, { "capacity-survives-region-failures": config }), []);
        const short = [use1, euc1, apse1, hpa(use1, 40), hpa(euc1, 20), hpa(apse1, 10)];
        assert.deepEqual(await flagged("capacity-survives-region-failures", short, { "capacity-survives-region-failures": config }), [
            "null: with use1 down, euc1 20 + apse1 10 pods x 800 users = 24000 < 25000 target concurrent users; raise HPA maxReplicas or add a region",
        ]);
        assert.deepEqual(await flagged("capacity-survives-region-failures", [use1, euc1]), [], "not applicable without HPAs");
        // Only the HPAs the pattern selects count: a worker HPA must not make up for the API's shortfall.
        const mixed = [
            ...short,
            fixture(
                HPA,
                "euc1-worker-hpa",
                { spec: { maxReplicas: 10, scaleTargetRef: { kind: "Deployment", name: "worker" } } },
                { parent: euc1 },
            ),
        ];
        assert.deepEqual(await flagged("capacity-survives-region-failures", mixed, { "capacity-survives-region-failures": config }), []);
        assert.deepEqual(
            await flagged("capacity-survives-region-failures", mixed, {
                "capacity-survives-region-failures": { ...config, workloadPattern: "^api$" },
            }),
            [
                "null: with use1 down, euc1 20 + apse1 10 pods x 800 users = 24000 < 25000 target concurrent users; raise HPA maxReplicas or add a region",
            ],
        );
    });

    it("survivingCapacity: no survivor when every region may fail", () => {
        assert.deepEqual(
            survivingCapacity([{ cell: "use1", maxPods: 50 }], { targetConcurrentUsers: 100, usersPerPod: 10, regionFailuresTolerated: 1 }),
            {
                ok: false,
                message: "with use1 down, no cell pods x 10 users = 0 < 100 target concurrent users; raise HPA maxReplicas or add a region",
            },
        );
    });
});

describe("policy pack: mission rules during preview (unknown outputs)", () => {
    it("global-database-in-every-region: a member found by property dependency while the identifier is unknown", async () => {
        const global = previewed("aws:rds/globalCluster:GlobalCluster", "global", { globalClusterIdentifier: "platform" });
        const use1 = cell("use1");
        const cellResource = previewed(use1.type, use1.name, {});
        const member = previewed(
            "aws:rds/cluster:Cluster",
            "use1-db",
            { region: "us-east-1", globalClusterIdentifier: UNKNOWN },
            { parent: cellResource, propertyDependencies: { globalClusterIdentifier: [global] } },
        );
        assert.deepEqual(await previewFindings("global-database-in-every-region", [cellResource, global, member]), []);
    });

    it("cloudflare-load-balancer-failover: pools and fallback found by property dependency while their ids are unknown", async () => {
        const pool = previewed("cloudflare:index/loadBalancerPool:LoadBalancerPool", "pool", { monitor: UNKNOWN, id: UNKNOWN });
        const loadBalancer = previewed(
            "cloudflare:index/loadBalancer:LoadBalancer",
            "lb",
            { fallbackPool: UNKNOWN, defaultPools: [UNKNOWN], sessionAffinity: "cookie", proxied: true },
            { propertyDependencies: { defaultPools: [pool], fallbackPool: [pool] } },
        );
        assert.deepEqual(await previewFindings("cloudflare-load-balancer-failover", [pool, loadBalancer]), []);
    });
});

describe("policy pack: release skew", () => {
    const image = (hex: string) => `123456789012.dkr.ecr.us-east-1.amazonaws.com/api@sha256:${hex.repeat(64)}`;
    const cells = ["use1", "euc1", "apse1"].map(cell);
    const deployments = (images: string[]) =>
        cells.map((c, i) =>
            fixture(
                DEPLOYMENT,
                `${c.name}-api-deployment`,
                { spec: { template: { spec: { containers: [{ name: "api", image: images[i] }] } } } },
                { parent: c },
            ),
        );
    const clusters = (versions: string[]) =>
        cells.map((c, i) => fixture("aws:eks/cluster:Cluster", `${c.name}-eks-cluster`, { version: versions[i] }, { parent: c }));

    it("passes two images and two adjacent minors (a fleet mid-release)", async () => {
        assert.deepEqual(
            await flagged("release-skew", [
                ...cells,
                ...deployments([image("a"), image("a"), image("b")]),
                ...clusters(["1.36", "1.36", "1.35"]),
            ]),
            [],
        );
    });

    it("refuses a third image, mandatory, naming each cell's", async () => {
        const found = await findings("release-skew", [...cells, ...deployments([image("a"), image("b"), image("c")])]);
        assert.deepEqual(found, [
            {
                name: null,
                message: `the cells run 3 distinct API images (use1: ${image("a")}; euc1: ${image("b")}; apse1: ${image("c")}); at most 2: finish or roll back the release under way first`,
                enforcementLevel: "mandatory",
            },
        ]);
    });

    it("refuses minors two apart and three minors at once", async () => {
        const why = "EKS upgrades one minor at a time, so at most two adjacent minors at once";
        assert.deepEqual(await flagged("release-skew", [...cells, ...clusters(["1.36", "1.36", "1.34"])]), [
            `null: the cells' EKS clusters run Kubernetes 1.34, 1.36; ${why}`,
        ]);
        assert.deepEqual(await flagged("release-skew", [...cells, ...clusters(["1.35", "1.36", "1.37"])]), [
            `null: the cells' EKS clusters run Kubernetes 1.35, 1.36, 1.37; ${why}`,
        ]);
    });

    const members = (versions: string[]) =>
        cells.map((c, i) =>
            fixture(
                "aws:rds/cluster:Cluster",
                `${c.name}-data-db-cluster`,
                {
                    globalClusterIdentifier: "platform-prod",
                    engineVersion: versions[i],
                    ...(i === 0 ? { masterUsername: "platform_admin" } : {}),
                },
                { parent: c },
            ),
        );

    it("Aurora: passes secondaries ahead of the primary on one newer minor; refuses the primary ahead, a third version, another major", async () => {
        assert.deepEqual(await flagged("release-skew", [...cells, ...members(["16.9", "16.9", "16.10"])]), []);
        assert.deepEqual(await flagged("release-skew", [...cells, ...members(["16.10", "16.10", "16.10"])]), []);
        assert.deepEqual(await flagged("release-skew", [...cells, ...members(["16.10", "16.9", "16.10"])]), [
            'null: the Aurora primary use1 runs 16.10, ahead of euc1 (16.9); AWS upgrades the secondaries first ("upgrade global replicas first")',
        ]);
        assert.deepEqual(await flagged("release-skew", [...cells, ...members(["16.9", "16.10", "16.11"])]), [
            "null: the Aurora members run 3 versions (use1: 16.9; euc1: 16.10; apse1: 16.11); at most 2: finish the minor upgrade under way first",
        ]);
        assert.deepEqual(await flagged("release-skew", [...cells, ...members(["16.9", "16.9", "17.5"])]), [
            "null: the Aurora members run 16.9, 17.5 (use1: 16.9; euc1: 16.9; apse1: 17.5); a major is upgraded on the global cluster, every member at once",
        ]);
        const found = await findings("release-skew", [...cells, ...members(["16.10", "16.9", "16.9"])]);
        assert.equal(found[0]?.enforcementLevel, "mandatory");
    });

    it("ignores Deployments outside a cell and other Deployments' images; not applicable without either", async () => {
        const stray = fixture(DEPLOYMENT, "loadgen-api-deployment", {
            spec: { template: { spec: { containers: [{ image: image("d") }] } } },
        });
        const other = fixture(
            DEPLOYMENT,
            "use1-grafana",
            { spec: { template: { spec: { containers: [{ image: image("e") }] } } } },
            { parent: cells[0] },
        );
        assert.deepEqual(await flagged("release-skew", [...cells, ...deployments([image("a"), image("a"), image("b")]), stray, other]), []);
        assert.deepEqual(await flagged("release-skew", cells), []);
    });

    it("counts each region's ECR replica of one digest as one image (every cell pulls from its own region)", async () => {
        const replica = (region: string, hex: string) => `123456789012.dkr.ecr.${region}.amazonaws.com/api@sha256:${hex.repeat(64)}`;
        const fleet = [replica("us-east-1", "a"), replica("eu-central-1", "a"), replica("ap-southeast-1", "a")];
        assert.deepEqual(await flagged("release-skew", [...cells, ...deployments(fleet)]), []);
        const mid = [replica("us-east-1", "b"), replica("eu-central-1", "a"), replica("ap-southeast-1", "c")];
        assert.equal((await flagged("release-skew", [...cells, ...deployments(mid)])).length, 1);
    });
});
