/**
 * Day-2 rehearsals: the operations a team performs on prod, each planned and compared as
 * `npm run plan -- --compare` does, with the cloud rules applied to the transition. Each asserts
 * no cloud-rule violation (known violations of other tiers listed by name), no data at risk, and
 * exactly the resource types that change.
 */
import * as assert from "node:assert/strict";
import * as path from "node:path";
import { type Comparison, compare } from "../../plan/compare";
import { ACCOUNT_ID } from "../../plan/mocks";
import { type Plan } from "../../plan/plan";
import { type CloudRuleReport, checkTransitionRules } from "../../plan/rules";
import { type StackConfig, projectRoot, readConfigFile } from "../../plan/stackConfig";
import { planOf, prodStack, withConfig } from "../support/harness";

interface Rehearsal {
    readonly diff: Comparison;
    readonly rules: CloudRuleReport;
    readonly before: Plan;
    readonly after: Plan;
}

const fixture = (name: string): StackConfig => readConfigFile(path.join(projectRoot(), "test", "fixtures", name), "platform", "prod");

const prodValue = (key: string): Record<string, unknown> => JSON.parse(prodStack().config[key]) as Record<string, unknown>;

const withUsers = (users: number) =>
    withConfig(prodStack(), { "platform:capacity": { ...prodValue("platform:capacity"), targetConcurrentUsers: users } });

async function rehearse(before: StackConfig, after: StackConfig): Promise<Rehearsal> {
    const [a, b] = [(await planOf(before)).plan, (await planOf(after)).plan];
    return { diff: compare(a, b), rules: checkTransitionRules(a, b), before: a, after: b };
}

/** The sorted distinct short type names of some changes (`aws:eks/nodeGroup:NodeGroup` → `NodeGroup`). */
const typesOf = (changes: readonly { type: string }[]) => [...new Set(changes.map((c) => c.type.split(":").pop()!))].sort();

/** What every rehearsal must hold: no rule broken on the transition or on either plan, no data at risk. */
function assertSafe(r: Rehearsal, knownEntries: readonly string[] = []): void {
    assert.deepEqual(r.rules.violations, [], "no cloud rule is violated by the transition");
    assert.deepEqual([...new Set(r.rules.known.map((k) => k.known))], knownEntries, "the known violations of other tiers, by name");
    assert.deepEqual([...r.before.cloudRules.violations, ...r.after.cloudRules.violations], [], "no cloud rule is violated by either plan");
    assert.deepEqual(r.diff.atRisk, [], "no stateful resource is deleted or replaced");
}

describe("day-2 rehearsals on prod", function () {
    this.timeout(600_000);

    it("doubles the target users: more pods, readers and Karpenter capacity; no node group changes, nothing refused", async () => {
        const r = await rehearse(prodStack(), withUsers(50_000));
        assertSafe(r, []);
        assert.deepEqual(typesOf(r.diff.removed), []);
        assert.deepEqual({ added: typesOf(r.diff.added), changed: typesOf(r.diff.changed) }, REHEARSAL_TYPES.double);
    });

    it("halves the target users: fewer nodes and readers, nothing refused", async () => {
        const r = await rehearse(prodStack(), withUsers(12_500));
        assertSafe(r);
        assert.deepEqual(
            { added: typesOf(r.diff.added), changed: typesOf(r.diff.changed), removed: typesOf(r.diff.removed) },
            REHEARSAL_TYPES.halve,
        );
    });

    it("adds a region: a new cell, and the others' node ranges and the edge's pools change", async () => {
        const r = await rehearse(prodStack(), fixture("four-regions.yaml"));
        assertSafe(r);
        // The other cells carry less traffic: each loses its highest-numbered reader (a reader, never the writer, is instance 1).
        assert.deepEqual(
            r.diff.removed.map((c) => c.urn.split("::").pop()),
            ["euc1-data-db-5", "use1-data-db-5"],
        );
        assert.ok(
            r.diff.added.some((c) => c.cell === "usw2" && c.type === "platform:cell:RegionalCell"),
            "the us-west-2 cell is added",
        );
        assert.deepEqual(typesOf(r.diff.changed), REHEARSAL_TYPES.addRegion);
    });

    it("drains a region, then removes it: its data is retained, nothing is deleted with data", async () => {
        const drain = await rehearse(prodStack(), fixture("decommission-apse1.yaml"));
        assertSafe(drain);
        assert.deepEqual(
            drain.diff.removed.length,
            drain.diff.removed.filter((c) => c.cell !== "apse1").length,
            "draining removes nothing of the cell",
        );
        const remove = await rehearse(fixture("decommission-apse1.yaml"), fixture("without-apse1.yaml"));
        assertSafe(remove);
        assert.deepEqual(remove.diff.removedCells, ["apse1"]);
        assert.ok(remove.diff.retained.length > 0, "the drained cell's stateful resources are retained on delete");
    });

    it("adds a removed region back: its retained, locked backup vault and lock are adopted (imported), not created again", async () => {
        const vaultOf = (plan: Plan, type = "aws:backup/vault:Vault", name = "apse1-data-backup-vault") =>
            plan.resources.find((r) => r.type === type && r.name === name);
        // The vault and lock that the removal retained (AWS keeps them, under this name).
        const remove = await rehearse(fixture("decommission-apse1.yaml"), fixture("without-apse1.yaml"));
        const retainedName = vaultOf(remove.before)!.inputs.name;
        assert.ok(remove.diff.retained.some((c) => c.urn === vaultOf(remove.before)!.urn));
        const regions = (JSON.parse(prodStack().config["platform:regions"]) as Record<string, unknown>[]).map((entry) =>
            entry.name === "ap-southeast-1" ? { ...entry, adoptBackupVault: true } : entry,
        );
        const readd = await rehearse(fixture("without-apse1.yaml"), withConfig(prodStack(), { "platform:regions": regions }));
        assertSafe(readd);
        assert.ok(readd.diff.added.some((c) => c.type === "platform:cell:RegionalCell" && c.cell === "apse1"));
        const vault = vaultOf(readd.after)!;
        const lock = vaultOf(readd.after, "aws:backup/vaultLockConfiguration:VaultLockConfiguration", "apse1-data-backup-vault-lock")!;
        assert.equal(vault.inputs.name, retainedName, "the same name as the retained vault");
        // By name in the cell's region: pulumi-aws 7 reads an import from the provider's region without `@<region>`.
        assert.equal(vault.importId, `${String(retainedName)}@ap-southeast-1`, "the vault is imported by its name, in its region");
        assert.equal(lock.importId, `${String(retainedName)}@ap-southeast-1`, "its lock is imported by the vault's name, in its region");
        assert.equal(lock.inputs.backupVaultName, retainedName, "the vault's id is its name, the suffix only locates it");
        assert.ok(lock.ignoreChanges.includes("changeableForDays"), "the lock's grace period is never read back, so never diffed");
        // The air-gapped vault was retained with the others, and is adopted the same way.
        const airGapType = "aws:backup/logicallyAirGappedVault:LogicallyAirGappedVault";
        const retainedAirGap = vaultOf(remove.before, airGapType, "apse1-data-backup-airgap")!;
        assert.ok(
            remove.diff.retained.some((c) => c.urn === retainedAirGap.urn),
            "the air-gapped vault is retained on removal",
        );
        const airGap = vaultOf(readd.after, airGapType, "apse1-data-backup-airgap")!;
        assert.equal(airGap.inputs.name, retainedAirGap.inputs.name, "the same name as the retained air-gapped vault");
        assert.equal(airGap.importId, `${String(retainedAirGap.inputs.name)}@ap-southeast-1`, "imported by its name, in its region");
        for (const code of ["use1", "euc1"])
            assert.equal(vaultOf(readd.after, airGapType, `${code}-data-backup-airgap`)!.importId, undefined);
        // The other cells' vaults, and the first deployment's, are created.
        for (const code of ["use1", "euc1"])
            assert.equal(vaultOf(readd.after, undefined, `${code}-data-backup-vault`)!.importId, undefined);
        assert.equal(vaultOf((await planOf(prodStack())).plan)!.importId, undefined);
    });

    it("switches the primary to eu-central-1 and fails back: neither direction breaks a rule or risks data", async () => {
        const over = await rehearse(prodStack(), fixture("primary-euc1.yaml"));
        assertSafe(over);
        // Every cell's air-gapped vault stays as it is (not replaced, not deleted, not changed);
        // the plan that moves to euc1 copies into euc1's, in its own region.
        const airGaps = (plan: Plan) =>
            plan.resources
                .filter((r) => r.type === "aws:backup/logicallyAirGappedVault:LogicallyAirGappedVault")
                .map((r) => `${r.urn} ${JSON.stringify(r.inputs)} retained: ${r.retainOnDelete}`)
                .sort();
        assert.equal(airGaps(over.before).length, 3);
        assert.deepEqual(airGaps(over.after), airGaps(over.before));
        const copies = (plan: Plan) =>
            plan.resources
                .filter((r) => r.type === "aws:backup/plan:Plan")
                .map(
                    (r) =>
                        `${r.name}: ${(r.inputs.rules as { copyActions: { destinationVaultArn: string }[] }[])[0].copyActions.map((c) => c.destinationVaultArn).join(", ")}`,
                );
        const vaultArn = (region: string, name: string) => `arn:aws:backup:${region}:${ACCOUNT_ID}:backup-vault:platform-prod-${name}`;
        assert.deepEqual(copies(over.before), [
            `use1-data-backup-plan: ${vaultArn("eu-central-1", "euc1-data")}, ${vaultArn("us-east-1", "use1-airgap")}`,
        ]);
        assert.deepEqual(copies(over.after), [
            `euc1-data-backup-plan: ${vaultArn("us-east-1", "use1-data")}, ${vaultArn("eu-central-1", "euc1-airgap")}`,
        ]);
        assert.deepEqual(
            { added: typesOf(over.diff.added), changed: typesOf(over.diff.changed), removed: typesOf(over.diff.removed) },
            REHEARSAL_TYPES.switchPrimary,
        );
        const back = await rehearse(fixture("primary-euc1.yaml"), prodStack());
        assertSafe(back);
        assert.deepEqual(typesOf(back.diff.changed), typesOf(over.diff.changed), "failing back changes what the switch changed");
    });

    it("upgrades Kubernetes by one minor: the clusters, node groups and add-ons change; two minors at once is refused", async () => {
        const compute = (version: string) => withConfig(prodStack(), { "platform:compute": { kubernetesVersion: version } });
        const r = await rehearse(compute("1.35"), prodStack());
        assertSafe(r);
        assert.deepEqual(typesOf(r.diff.changed), REHEARSAL_TYPES.kubernetes);
        const skipped = checkTransitionRules(
            {
                resources: r.before.resources.map((x) =>
                    x.type === "aws:eks/cluster:Cluster" ? { ...x, inputs: { ...x.inputs, version: "1.34" } } : x,
                ),
            },
            r.after,
        );
        assert.deepEqual(
            skipped.violations.map((v) => `${v.rule} ${v.urn.split("::").pop()}`),
            ["apse1-eks-cluster", "euc1-eks-cluster", "use1-eks-cluster"].map((name) => `eks-version-one-minor ${name}`),
        );
    });

    it("upgrades the Aurora engine by one minor: only the global cluster's engineVersion is sent, the members follow it", async () => {
        const r = await rehearse(
            prodStack(),
            withConfig(prodStack(), { "platform:data": { ...prodValue("platform:data"), engineVersion: "16.10" } }),
        );
        assertSafe(r);
        const changed = r.diff.changed.map((c) => `${c.type.split(":").pop()} ${c.keys.join(",")}`);
        assert.ok(changed.includes("GlobalCluster engineVersion"), changed.join("; "));
        assert.ok(
            !r.diff.changed.some((c) => c.type === "aws:rds/cluster:Cluster" && c.keys.includes("engineVersion")),
            "members ignore engineVersion",
        );
    });

    it("rotates the origin secret: both slots stay accepted while Cloudflare switches, nothing else changes", async () => {
        const edge = { ...prodValue("platform:edge"), originAuth: { generation: 2 } };
        const rotated = withConfig(prodStack(), { "platform:edge": edge });
        const r = await rehearse(prodStack(), rotated);
        assertSafe(r);
        // Every ALB accepts the token the monitor sent before the rotation and the one it sends after.
        const raw = async (stack: StackConfig, type: string) => (await planOf(stack)).evaluation.resources.filter((x) => x.type === type);
        const sent = async (stack: StackConfig) =>
            (
                (await raw(stack, "cloudflare:index/loadBalancerMonitor:LoadBalancerMonitor"))[0].rawInputs.header as Record<
                    string,
                    string[]
                >
            )["x-origin-auth"][0];
        const tokens = [await sent(prodStack()), await sent(rotated)];
        // The edge's forwarding rules (the /metrics 404 carries no header).
        for (const rule of (await raw(rotated, "aws:lb/listenerRule:ListenerRule")).filter((r) => r.name.endsWith("-https-from-edge"))) {
            const header = (rule.rawInputs.conditions as { httpHeader?: { values: string[] } }[]).find((c) => c.httpHeader)!.httpHeader!;
            assert.deepEqual(
                tokens.filter((t) => !header.values.includes(t)),
                [],
                rule.urn,
            );
        }
        assert.deepEqual(r.diff.removed, []);
        assert.deepEqual({ added: typesOf(r.diff.added), changed: typesOf(r.diff.changed) }, REHEARSAL_TYPES.rotate);
    });
});

/** What moves with the primary: added in the new primary's cell, removed from the old one's. */
const FOLLOW_THE_PRIMARY = [
    "CloudFormationStack",
    "Function",
    "Invocation",
    "InvokedFunction",
    "LogGroup",
    "MetricAlarm",
    "Plan",
    "Role",
    "RolePolicy",
    "RolePolicyAttachment",
    "SecurityGroup",
    "SecurityGroupIngressRule",
    "Selection",
];

/** The resource types each rehearsal adds, changes or removes (short names), as planned today. */
const REHEARSAL_TYPES = {
    // Readers (and their alarms) follow the users; the cache gains shards in place; the API's
    // nodes follow through Karpenter's NodePool limits (the system node groups are fixed-size).
    // The failover plans' scale targets follow the capacity model (Plan workflows), and so does
    // the warm capacity's placeholder count (its Deployment's replicas). The members' writer
    // guards run again with the new set of instances (Invocation input; writerGuard.ts).
    double: {
        added: ["ClusterInstance", "MetricAlarm"],
        changed: ["Deployment", "HorizontalPodAutoscaler", "Invocation", "NodePool", "Plan", "ReplicationGroup"],
    },
    halve: {
        added: [],
        changed: ["Deployment", "HorizontalPodAutoscaler", "Invocation", "NodePool", "Plan"],
        removed: ["ClusterInstance"],
    },
    // The registry's replication gains the new region as a destination; the failover's plans,
    // the edge functions' pool list, the execution role's resources and the token's replicas follow.
    addRegion: [
        "Deployment",
        "Function",
        "HorizontalPodAutoscaler",
        "Invocation",
        "LoadBalancer",
        "NodePool",
        "NotificationPolicy",
        "Plan",
        "ReplicationConfiguration",
        "RolePolicy",
        "Secret",
    ],
    // The rotation function and its security group follow the primary (components/data/masterRotation.ts).
    switchPrimary: {
        // One Region switch plan per standby: the new primary's plan goes, the old primary's comes;
        // the FIS region isolation's stop conditions follow the replication-lag alarms.
        // The database bootstrap (its function, role, log group and invocation) and the backup
        // selection follow the primary too (issue 15). No Deployment changes: the pods find the
        // writer at run time (no DB_WRITABLE). The HPAs' ceilings and Karpenter's limits follow the
        // plans' scale targets (regions/failover.ts, hpaCeilings). The Aurora CPU alarms follow the
        // role: the primary's writer, a secondary's readers (components/observability/cloudWatchAlarms.ts).
        added: FOLLOW_THE_PRIMARY,
        changed: [
            "Cluster",
            "ClusterParameterGroup",
            "ExperimentTemplate",
            "HorizontalPodAutoscaler",
            "LoadBalancer",
            "MetricAlarm",
            "NodePool",
            "Plan",
            "SecretRotation",
        ],
        removed: FOLLOW_THE_PRIMARY,
    },
    // Karpenter's chart does not follow the minor (Cluster Autoscaler's image did).
    kubernetes: ["Addon", "Cluster", "NodeGroup"],
    // The new generation's slot gets a new secret. The monitor's header and the ALBs' conditions then
    // change too, but they are secrets: "[secret]" on both sides, so the offline compare cannot see it.
    rotate: { added: [], changed: ["RandomPassword"] },
};
