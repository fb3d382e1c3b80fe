/**
 * Region lifecycle (issue 9): decommission a region without losing data, switch the primary
 * without replacing a data resource, and keep the URNs of stateful resources stable.
 * The runbook is docs/regions.md.
 */
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { type Raw } from "../../config/problems";
import { compare } from "../../plan/compare";
import { type PlanResource, type PlanRun, cellCodes } from "../../plan/plan";
import { projectRoot, readConfigFile } from "../../plan/stackConfig";
import { catalogRegions } from "../../regions/catalog";
import { REPLACE_TRIGGERS, STATEFUL_TYPES, isStateful } from "../../regions/stateful";
import { type EditableRaw, parseRaw, prodRaw, stackProblems } from "../support/config";
import { planOf, prodStack } from "../support/harness";
import { statefulUrns } from "../support/statefulUrns";

const CLI = path.join(projectRoot(), ".build", "plan", "cli.js");
const fixture = (name: string) => path.join(projectRoot(), "test", "fixtures", name);
const stackOf = (name: string) => readConfigFile(fixture(name), "platform", "prod");
const runCli = (args: string[]) => spawnSync(process.execPath, [CLI, ...args], { cwd: projectRoot(), encoding: "utf8" });

const parse = (raw: Raw) => parseRaw(raw);
const problems = (raw: Raw) => stackProblems(raw);
const apse1Decommissioned = (r: EditableRaw) => {
    r.regions[2].decommission = true;
};

describe("region lifecycle: config", () => {
    it("reads decommission (default false), the serving cells and the home region", () => {
        const { config, fleet } = parse(prodRaw(apse1Decommissioned));
        assert.deepEqual(
            config.cells.map((c) => [c.code, c.decommissioning]),
            [
                ["use1", false],
                ["euc1", false],
                ["apse1", true],
            ],
        );
        assert.deepEqual(
            fleet.serving.map((c) => c.code),
            ["use1", "euc1"],
        );
        assert.equal(fleet.homeRegion, "us-east-1");
        assert.equal(config.data.homeRegion, "us-east-1");
    });

    it("defaults the home region to the primary's when platform:data.homeRegion is unset", () => {
        const { config, fleet } = parse(
            prodRaw((r) => {
                delete r.data;
                r.regions[0].primary = false;
                r.regions[1].primary = true;
            }),
        );
        assert.equal(fleet.homeRegion, "eu-central-1");
        assert.equal(config.data.homeRegion, undefined);
    });

    it("rejects a homeRegion outside the catalog", () => {
        assert.deepEqual(
            problems(
                prodRaw((r) => {
                    r.data.homeRegion = "mars-1";
                }),
            ).filter((p) => p.includes("homeRegion")),
            [
                `platform:data.homeRegion: "mars-1" is not in the region catalog; use the region the global database was created in: one of ${catalogRegions()
                    .map((r) => r.name)
                    .join(", ")}`,
            ],
        );
    });

    it("rejects decommissioning the primary", () => {
        assert.deepEqual(
            problems(
                prodRaw((r) => {
                    r.regions[0].decommission = true;
                }),
            ),
            [
                'platform:regions[0].decommission: the primary region cannot be decommissioned (it holds the Aurora writer); switch the primary to another region first (docs/regions.md, "Switch the primary"), then mark this one',
            ],
        );
    });

    it("rejects a config whose every region is decommissioned", () => {
        const found = problems(
            prodRaw((r) => {
                r.regions = [{ name: "eu-central-1", primary: true, decommission: true }];
                r.capacity.regionFailuresTolerated = 0;
            }),
        );
        assert.deepEqual(found, [
            'platform:regions[0].decommission: the primary region cannot be decommissioned (it holds the Aurora writer); switch the primary to another region first (docs/regions.md, "Switch the primary"), then mark this one',
            "platform:regions: every region has decommission: true; at least one region must keep serving users",
        ]);
    });

    it("rejects a decommission that leaves regionFailuresTolerated ≥ the serving regions", () => {
        assert.deepEqual(
            problems(
                prodRaw((r) => {
                    r.regions[1].decommission = true;
                    r.regions[2].decommission = true;
                }),
            ),
            [
                "platform:capacity.regionFailuresTolerated: 1 leaves no region to serve users: the stack lists 1 region(s) serving (2 more with decommission: true, which serve none); tolerate at most 0 or add regions",
            ],
        );
    });

    it("rejects a decommission that is not a boolean", () => {
        assert.deepEqual(
            problems(
                prodRaw((r) => {
                    r.regions[2].decommission = "yes";
                }),
            ),
            ['platform:regions[2].decommission: "yes" is not a boolean; expected true or false'],
        );
    });

    it("sizes a decommissioning cell at the minimum and re-routes its users to the serving cells", () => {
        const before = parse(prodRaw()).fleet.capacity;
        const after = parse(prodRaw(apse1Decommissioned)).fleet.capacity;
        const apse1 = after.cells.find((c) => c.code === "apse1")!;
        assert.deepEqual(
            [apse1.normalUsers, apse1.worstCaseUsers, apse1.pods, apse1.readers, apse1.cacheShards],
            [0, 0, { min: 3, max: 3 }, 2, 3],
        );
        const served = (plan: typeof after) => plan.cells.filter((c) => c.code !== "apse1").reduce((n, c) => n + c.normalUsers, 0);
        assert.equal(served(after), 25000);
        assert.ok(served(before) < 25000);
        assert.equal(after.failureSetsChecked, 3, "none, use1 down, euc1 down");
    });
});

describe("region lifecycle: plans", function () {
    this.timeout(240000);
    let prod: PlanRun;
    let drained: PlanRun;
    before(async () => {
        // One at a time: the Pulumi runtime is process-global.
        prod = await planOf(prodStack());
        drained = await planOf(stackOf("decommission-apse1.yaml"));
    });

    describe("decommission: true", () => {
        it("retains (retainOnDelete) every stateful or protected resource of the cell, and nothing else", () => {
            const cells = cellCodes(drained.plan.resources);
            const retained = drained.plan.resources
                .filter((r) => r.retainOnDelete)
                .map((r) => `${cells.get(r.urn)} ${r.type} ${r.name} protect=${r.protect}`);
            assert.deepEqual(retained.sort(), [
                // The air-gapped vault, like the locked one (its recovery points outlive the cell; issue 15).
                "apse1 aws:backup/logicallyAirGappedVault:LogicallyAirGappedVault apse1-data-backup-airgap protect=false",
                "apse1 aws:backup/vault:Vault apse1-data-backup-vault protect=false",
                "apse1 aws:backup/vaultLockConfiguration:VaultLockConfiguration apse1-data-backup-vault-lock protect=false",
                "apse1 aws:elasticache/replicationGroup:ReplicationGroup apse1-data-cache-valkey protect=false",
                "apse1 aws:kms/key:Key apse1-data-db-key protect=true",
                "apse1 aws:kms/key:Key apse1-eks-secrets-key protect=true",
                "apse1 aws:kms/key:Key apse1-obs-alerts-key protect=true",
                "apse1 aws:kms/key:Key apse1-obs-logs-key protect=true",
                "apse1 aws:opensearch/domain:Domain apse1-obs-logs-domain protect=true",
                "apse1 aws:rds/cluster:Cluster apse1-data-db-cluster protect=true",
                "apse1 aws:s3/bucket:Bucket apse1-ingress-alb-logs protect=true",
                // Every cell's backup vaults are retained on delete anyway (a locked vault cannot be emptied).
                "euc1 aws:backup/logicallyAirGappedVault:LogicallyAirGappedVault euc1-data-backup-airgap protect=false",
                "euc1 aws:backup/vault:Vault euc1-data-backup-vault protect=false",
                "euc1 aws:backup/vaultLockConfiguration:VaultLockConfiguration euc1-data-backup-vault-lock protect=false",
                "use1 aws:backup/logicallyAirGappedVault:LogicallyAirGappedVault use1-data-backup-airgap protect=false",
                "use1 aws:backup/vault:Vault use1-data-backup-vault protect=false",
                "use1 aws:backup/vaultLockConfiguration:VaultLockConfiguration use1-data-backup-vault-lock protect=false",
            ]);
            // In prod only the backup vaults (and their locks) are retained on delete: a locked vault cannot be emptied,
            // and an air-gapped vault holds the copies outside the account.
            assert.deepEqual(
                prod.plan.resources
                    .filter((r) => r.retainOnDelete)
                    .map((r) => r.type)
                    .sort(),
                [
                    ...Array(3).fill("aws:backup/logicallyAirGappedVault:LogicallyAirGappedVault"),
                    ...Array(3).fill("aws:backup/vault:Vault"),
                    ...Array(3).fill("aws:backup/vaultLockConfiguration:VaultLockConfiguration"),
                ],
            );
        });

        it("keeps the Aurora member's final snapshot and deletion protection", () => {
            const cluster = drained.plan.resources.find((r) => r.name === "apse1-data-db-cluster")!;
            assert.deepEqual(
                [cluster.inputs.skipFinalSnapshot, cluster.inputs.finalSnapshotIdentifier, cluster.inputs.deletionProtection],
                [false, "apse1-data-db-final", true],
            );
        });

        it("drains the cell: no pool, out of steering, default pools and fallback; the cell itself stays", () => {
            const { plan } = drained;
            assert.equal(plan.resources.filter((r) => r.type === "platform:cell:RegionalCell").length, 3);
            assert.deepEqual(
                plan.resources
                    .filter((r) => r.type === "cloudflare:index/loadBalancerPool:LoadBalancerPool")
                    .map((r) => r.name)
                    .sort(),
                ["edge-pool-euc1", "edge-pool-use1"],
            );
            const lb = plan.resources.find((r) => r.type === "cloudflare:index/loadBalancer:LoadBalancer")!;
            const pools = [
                ...(lb.inputs.defaultPools as string[]),
                ...(lb.inputs.rules as { overrides: { defaultPools: string[]; fallbackPool: string } }[]).flatMap((r) => [
                    ...r.overrides.defaultPools,
                    r.overrides.fallbackPool,
                ]),
                lb.inputs.fallbackPool as string,
            ];
            assert.equal(pools.length, 6);
            assert.deepEqual(
                pools.filter((p) => /apse1/.test(p)),
                [],
            );
            assert.deepEqual(plan.steering.regions.SEAS, ["eu-central-1", "us-east-1"]);
            assert.deepEqual(plan.steering.defaultPools, ["us-east-1", "eu-central-1"]);
            assert.equal(plan.steering.fallbackPool, "us-east-1");
            assert.deepEqual(
                plan.policy.violations.filter((v) => v.enforcementLevel === "mandatory"),
                [],
            );
        });

        it("changes nothing but retention, steering and sizes; deletes no data", () => {
            const diff = compare(prod.plan, drained.plan);
            assert.deepEqual(diff.atRisk, []);
            // Out with the pool: the drained cell's failover pieces (its Region switch plan, edge
            // function, EKS access and FIS templates), none of them data.
            assert.deepEqual(
                diff.removed.filter((c) => c.type !== "aws:rds/clusterInstance:ClusterInstance").map((c) => c.urn),
                [
                    "urn:pulumi:prod::platform::platform:edge:Edge$cloudflare:index/loadBalancerPool:LoadBalancerPool::edge-pool-apse1",
                    ...["az-ap-southeast-1a", "az-ap-southeast-1b", "az-ap-southeast-1c", "isolation"].map(
                        (t) =>
                            `urn:pulumi:prod::platform::platform:failover:FaultInjection$aws:fis/experimentTemplate:ExperimentTemplate::apse1-faults-${t}`,
                    ),
                    ...[
                        "aws:arcregionswitch/plan:Plan::failover-plan-apse1",
                        "aws:cloudwatch/logGroup:LogGroup::apse1-failover-pool-switch-logs",
                        "aws:eks/accessEntry:AccessEntry::apse1-failover-eks",
                        "aws:eks/accessPolicyAssociation:AccessPolicyAssociation::apse1-failover-eks-scaling",
                        "aws:iam/role:Role::apse1-failover-pool-switch-role",
                        "aws:iam/rolePolicy:RolePolicy::apse1-failover-pool-switch-policy",
                        "aws:iam/rolePolicyAttachment:RolePolicyAttachment::apse1-failover-pool-switch-execution",
                        "aws:lambda/function:Function::apse1-failover-pool-switch",
                    ].map((u) => `urn:pulumi:prod::platform::platform:failover:RegionSwitch$${u}`),
                ],
            );
            // The failover follows the serving cells: the plans' scale targets, the edge functions'
            // pool list and the execution role's resources.
            assert.deepEqual([...new Set(diff.changed.map((c) => `${c.type} (${c.keys.join(", ")})`))].sort(), [
                "aws:arcregionswitch/plan:Plan (workflows)",
                "aws:elasticache/replicationGroup:ReplicationGroup ((retainOnDelete))",
                "aws:iam/rolePolicy:RolePolicy (policy)",
                "aws:kms/key:Key ((retainOnDelete))",
                "aws:lambda/function:Function (environment)",
                // The writer guards of the members that lose readers run again (components/data/writerGuard.ts).
                "aws:lambda/invocation:Invocation (input)",
                "aws:opensearch/domain:Domain ((retainOnDelete))",
                "aws:rds/cluster:Cluster ((retainOnDelete))",
                // One serving secondary left: the primary no longer bounds the RPO (it would block every commit
                // whenever that secondary lags; regions/recovery.ts rpoBounded).
                "aws:rds/clusterParameterGroup:ClusterParameterGroup (parameters)",
                "aws:s3/bucket:Bucket ((retainOnDelete))",
                "cloudflare:index/loadBalancer:LoadBalancer (defaultPools, rules)",
                "cloudflare:index/notificationPolicy:NotificationPolicy (filters)",
                // The warm placeholders follow the surge the others now carry.
                "kubernetes:apps/v1:Deployment (spec)",
                "kubernetes:autoscaling/v2:HorizontalPodAutoscaler (spec)",
                "kubernetes:karpenter.sh/v1:NodePool (spec)",
            ]);
        });
    });

    describe("switching the primary", () => {
        let switched: PlanRun;
        let noHome: PlanRun;
        before(async () => {
            switched = await planOf(stackOf("primary-euc1.yaml"));
            noHome = await planOf(stackOf("primary-euc1-no-home.yaml"));
        });

        for (const [label, after] of [
            ["homeRegion kept", () => switched],
            ["homeRegion left to default (it follows the primary)", () => noHome],
        ] as const) {
            it(`adds, removes and replaces no stateful resource (${label})`, () => {
                const next = after();
                assert.equal(next.plan.outputs.primaryRegion, "eu-central-1");
                const stateful = (rs: readonly PlanResource[]) =>
                    rs
                        .filter((r) => isStateful(r.type))
                        .map((r) => r.urn)
                        .sort();
                assert.deepEqual(stateful(next.plan.resources), stateful(prod.plan.resources));
                const diff = compare(prod.plan, next.plan);
                assert.deepEqual(diff.atRisk, []);
                // Independently of compare(): no replace-triggering input differs unless the resource ignores it.
                const now = new Map(next.plan.resources.map((r) => [r.urn, r]));
                const moved = prod.plan.resources
                    .filter((r) => isStateful(r.type))
                    .flatMap((r) =>
                        REPLACE_TRIGGERS[r.type]
                            .filter(
                                (k) =>
                                    JSON.stringify(r.inputs[k]) !== JSON.stringify(now.get(r.urn)!.inputs[k]) &&
                                    !now.get(r.urn)!.ignoreChanges.includes(k),
                            )
                            .map((k) => `${r.urn} ${k}`),
                    );
                assert.deepEqual(moved, []);
            });
        }

        it("changes no input of the pods or their identity: writes follow the new primary with no restart and no redeploy", () => {
            const diff = compare(prod.plan, switched.plan);
            // What a pod reads at start (its spec, env, service account) or uses to reach the database
            // (its role's policy). Not the HPA's and Karpenter's ceilings: they follow the Region
            // switch plans' targets (regions/failover.ts, hpaCeilings) and restart nothing.
            const ceilings = ["kubernetes:autoscaling/v2:HorizontalPodAutoscaler", "kubernetes:karpenter.sh/v1:NodePool"];
            const podFacing = (type: string, urn: string) =>
                (type.startsWith("kubernetes:") && !ceilings.includes(type)) ||
                (type.startsWith("aws:iam/") && urn.includes("platform:cell:ApiWorkload"));
            assert.deepEqual(
                diff.changed.filter((c) => podFacing(c.type, c.urn)).map((c) => `${c.urn} ${c.keys.join(", ")}`),
                [],
            );
            const deployments = (run: PlanRun) =>
                run.plan.resources.filter((r) => r.type === "kubernetes:apps/v1:Deployment" && r.urn.includes("ApiWorkload"));
            assert.equal(deployments(prod).length, 3);
            assert.deepEqual(deployments(switched), deployments(prod));
            // Both proxy endpoints in every cell; the app picks the writer at run time (docs/database.md).
            for (const d of deployments(prod)) {
                const env = JSON.stringify(d.inputs.spec);
                assert.ok(env.includes("DB_WRITER_ENDPOINT") && env.includes("DB_READER_ENDPOINT") && !env.includes("DB_WRITABLE"), d.urn);
            }
        });

        it("keeps the global database in the home region; without homeRegion its region change is ignored", () => {
            const global = (run: PlanRun) =>
                run.plan.resources
                    .filter((r) => r.custom && r.name.startsWith("global-db-") && r.type.startsWith("aws:"))
                    .map((r) => `${r.name} ${String(r.inputs.region)} ignores region: ${r.ignoreChanges.includes("region")}`)
                    .sort();
            assert.deepEqual(global(switched), [
                "global-db-cluster us-east-1 ignores region: true",
                "global-db-master-rotation us-east-1 ignores region: false",
                "global-db-master-secret us-east-1 ignores region: true",
                "global-db-master-secret-value us-east-1 ignores region: true",
                "global-db-secret-key us-east-1 ignores region: true",
            ]);
            // Declared in the new primary's region, but ignored: the engine keeps us-east-1 (the
            // rotation setting reads the secret's real region from its ARN, so it follows too).
            assert.deepEqual(
                global(noHome).filter((r) => !r.includes("rotation")),
                [
                    "global-db-cluster eu-central-1 ignores region: true",
                    "global-db-master-secret eu-central-1 ignores region: true",
                    "global-db-master-secret-value eu-central-1 ignores region: true",
                    "global-db-secret-key eu-central-1 ignores region: true",
                ],
            );
        });

        it("flips the members' roles in place: credentials ignored, write forwarding on everywhere, tags updated", () => {
            const diff = compare(prod.plan, switched.plan);
            const clusters = diff.changed.filter((c) => c.type === "aws:rds/cluster:Cluster").map((c) => `${c.cell} ${c.keys.join(", ")}`);
            assert.deepEqual(clusters.sort(), ["euc1 tags", "use1 tags"]);
            const member = (run: PlanRun, code: string) => run.plan.resources.find((r) => r.name === `${code}-data-db-cluster`)!;
            assert.equal(member(switched, "euc1").inputs.masterUsername, "platform_admin");
            assert.deepEqual([...member(switched, "euc1").ignoreChanges].sort(), [
                "databaseName",
                "engineVersion",
                "masterPassword",
                "masterUsername",
                "replicationSourceIdentifier",
            ]);
            // The rotation setting keeps its URN (child of the global database) and points at the new primary's function.
            const rotation = (run: PlanRun) =>
                run.plan.resources.find((r) => r.type === "aws:secretsmanager/secretRotation:SecretRotation")!;
            assert.equal(rotation(switched).urn, rotation(prod).urn);
            assert.equal(
                rotation(switched).urn,
                "urn:pulumi:prod::platform::platform:data:GlobalDatabase$aws:secretsmanager/secretRotation:SecretRotation::global-db-master-rotation",
            );
            assert.deepEqual(
                diff.changed.filter((c) => c.urn === rotation(prod).urn).map((c) => c.keys),
                [["rotationLambdaArn"]],
            );
        });
    });

    describe("stable names", () => {
        it("pins the URNs of the prod stack's stateful resources (test/fixtures/stateful-urns.prod.txt)", () => {
            // URNs are a contract: a changed URN is a delete and a create. If a change here is
            // deliberate, give the renamed resource `aliases: [<old name or parent>]`, then
            // regenerate the fixture:  npm run -s build && node .build/test/support/statefulUrns.js
            const expected = readFileSync(fixture("stateful-urns.prod.txt"), "utf8").trim().split("\n");
            assert.deepEqual(statefulUrns(prod), expected);
            // 30, less the three cache AUTH secrets (IAM auth, issue 15), and the failover's Cloudflare token secret (issue 19);
            // plus the three cells' logically air-gapped vaults (issue 15), and the three locked vaults (stateful since their
            // key is set: it forces a new vault).
            assert.equal(expected.length, 34);
            assert.deepEqual([...new Set(expected.map((u) => u.split("::")[2].split("$").pop()))].sort(), [...STATEFUL_TYPES].sort());
        });
    });
});

describe("region lifecycle: the plan command", function () {
    this.timeout(240000);
    it("refuses (exit 2) to compare to a config that drops a region the current one has not decommissioned", () => {
        const html = path.join(mkdtempSync(path.join(tmpdir(), "plan-html-")), "report.html");
        const result = runCli(["--quiet", "--compare", fixture("without-apse1.yaml"), "--html", html]);
        assert.equal(result.status, 2, result.stderr);
        // The report is written all the same, its findings holding the refusal (data at risk first).
        const page = readFileSync(html, "utf8");
        assert.match(
            page,
            /<td>refused<\/td><td>region-removal<\/td><td>platform:regions: ap-southeast-1 \(apse1\) is in prod but not in without-apse1\.yaml/,
        );
        rmSync(path.dirname(html), { recursive: true, force: true });
        assert.equal(
            result.stderr,
            "Refused (1):\n- platform:regions: ap-southeast-1 (apse1) is in prod but not in without-apse1.yaml, and prod does not mark it decommission: true. " +
                "Removing a region this way deletes its cell with its data. Safe order: (1) set decommission: true on ap-southeast-1 in prod and pulumi up (drains it, retains its data); " +
                '(2) detach and snapshot its Aurora member; (3) then remove the entry and pulumi up. See docs/regions.md, "Remove a region".\n',
        );
        assert.match(
            result.stdout,
            /\nData at risk \(8\): these stateful resources would be DELETED or REPLACED \(a new, empty one\):\n {2}! delete {2}urn:pulumi:prod::platform::/,
        );
    });

    it("accepts the removal once the current config marks the region decommission: true, and lists what is retained and what to unprotect", () => {
        const result = runCli(["--quiet", "--config", fixture("decommission-apse1.yaml"), "--compare", fixture("without-apse1.yaml")]);
        assert.equal(result.status, 0, result.stderr);
        assert.equal(result.stderr, "");
        const lines = result.stdout.trim().split("\n");
        // The changes: the image's replication and the failover token's secret drop the removed region. Removed: 9
        // more than before issue 17's log domain setup (its component, security group, role, policy, execution
        // attachment, log group, function and invocation, and the domain master role's policy), and 3 with Grafana's
        // role, policy and Pod Identity association in apse1; 1 more with its logically air-gapped vault and 2 with the
        // EventBridge rule and target of its failed-backup tickets (issue 15).
        assert.match(lines[0], /^Compare prod → without-apse1\.yaml: 0 added, 2 changed, 287 removed$/);
        assert.equal(lines[2], "Data at risk: none (no stateful resource is deleted or replaced)");
        // 8 with data, plus the backup vault and its lock, which keep their name in AWS (docs/regions.md, "Add a region back"),
        // and the air-gapped vault (issue 15).
        assert.equal(lines[4], "Retained (11): removed from the stack, kept in AWS (retainOnDelete):");
        assert.match(result.stdout, /\n {2}= urn:\S+\$aws:backup\/vault:Vault::apse1-data-backup-vault\n/);
        assert.match(
            result.stdout,
            /\n {2}= urn:\S+\$aws:backup\/logicallyAirGappedVault:LogicallyAirGappedVault::apse1-data-backup-airgap\n/,
        );
        assert.match(
            result.stdout,
            /\n {2}The backup vaults of apse1 keep their names in AWS: to add such a region back later, give its entry adoptBackupVault: true/,
        );
        assert.match(
            result.stdout,
            /\nProtected \(7\): pulumi up refuses to delete these; once their data is safe \(docs\/regions\.md\), unprotect them first:\n {2}pulumi state unprotect -s prod -y 'urn:pulumi:prod::platform::platform:cell:RegionalCell\$platform:cell:EksCluster\$aws:kms\/key:Key::apse1-eks-secrets-key'\n/,
        );
        assert.match(result.stdout, /\nRegions removed: apse1\n/);
    });

    it("marks a decommissioning cell as drained in the summary", () => {
        const result = runCli(["--config", fixture("decommission-apse1.yaml")]);
        assert.equal(result.status, 0, result.stderr);
        assert.match(result.stdout, /\nap-southeast-1 +apse1 +drained +\d/);
        assert.match(result.stdout, /\neu-central-1 +euc1 +\d/);
    });
});
