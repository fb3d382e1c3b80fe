import * as assert from "node:assert/strict";
import { type Comparison, compare, formatComparison, removalProblems } from "../../plan/compare";
import { estimateCost } from "../../plan/cost/estimate";
import { type Plan, type PlanResource } from "../../plan/plan";
import { REPLACE_TRIGGERS, STATEFUL_TYPES, replaceTriggers } from "../../regions/stateful";

const CELL = "platform:cell:RegionalCell";
const urn = (type: string, name: string, parent = "") => `urn:pulumi:prod::platform::${parent ? `${parent}$` : ""}${type}::${name}`;

function res(type: string, name: string, inputs: Record<string, unknown>, more: Partial<PlanResource> = {}): PlanResource {
    const parent = more.parent ?? null;
    return {
        urn: urn(type, name, parent ? CELL : ""),
        type,
        name,
        parent,
        custom: type !== CELL,
        provider: null,
        protect: false,
        id: type === CELL ? null : `${name}-id`,
        retainOnDelete: false,
        ignoreChanges: [],
        dependencies: [],
        inputs,
        ...more,
    };
}
const cellResource = (code: string) => res(CELL, code, {});
const plan = (resources: PlanResource[]): Plan => ({
    project: "platform",
    stack: "prod",
    preview: false,
    cloudRules: { violations: [], known: [] },
    resources,
    outputs: {},
    policy: { violations: [] },
    capacity: {},
    steering: { policy: "proximity", regions: {} as never, defaultPools: [], fallbackPool: "" },
    recovery: { rows: [] },
    edge: {},
    cost: estimateCost({
        resources: [],
        cellOf: new Map(),
        cells: [],
        targetConcurrentUsers: 0,
        cloudflare: { plan: "free", zoneOwner: "none" },
    }),
});
const CLUSTER = "aws:rds/cluster:Cluster";
const KEY = "aws:kms/key:Key";
const inCell = (code: string) => ({ parent: urn(CELL, code) });

describe("replace-triggering inputs", () => {
    it("covers every stateful type, each with region", () => {
        for (const type of STATEFUL_TYPES) assert.ok(REPLACE_TRIGGERS[type].includes("region"), type);
    });

    it("keeps only the triggers of the type that the resource does not ignore", () => {
        assert.deepEqual(replaceTriggers(CLUSTER, ["tags", "kmsKeyId", "masterUsername", "port"], ["masterUsername"]), ["kmsKeyId"]);
        assert.deepEqual(replaceTriggers("aws:ec2/vpc:Vpc", ["region"]), []);
    });
});

describe("compare", () => {
    /** use1's protected cluster, which ignores changes of its master username, before and after. */
    const use1Db = (inputs: Record<string, unknown>) =>
        res(
            CLUSTER,
            "use1-db",
            { region: "us-east-1", ...inputs },
            { ...inCell("use1"), protect: true, ignoreChanges: ["masterUsername"] },
        );
    const old = plan([
        cellResource("use1"),
        cellResource("apse1"),
        use1Db({ kmsKeyId: "k1", masterUsername: "admin", tags: { a: "1" } }),
        res(KEY, "apse1-key", { region: "ap-southeast-1" }, { ...inCell("apse1"), protect: true }),
        res(CLUSTER, "apse1-db", { region: "ap-southeast-1" }, { ...inCell("apse1"), protect: true, retainOnDelete: true }),
        res("aws:ec2/vpc:Vpc", "apse1-vpc", { cidrBlock: "10.31.0.0/16" }, inCell("apse1")),
    ]);
    const after = plan([
        cellResource("use1"),
        use1Db({ kmsKeyId: "k2", masterUsername: "someone", tags: { a: "2" } }),
        res("aws:ec2/vpc:Vpc", "use1-vpc", {}, inCell("use1")),
    ]);
    let diff: Comparison;
    before(() => {
        diff = compare(old, after);
    });

    it("reports a changed replace-trigger as data at risk, and a removed protected resource that is not retained", () => {
        assert.deepEqual(diff.atRisk, [
            { urn: urn(CLUSTER, "use1-db", CELL), type: CLUSTER, cell: "use1", action: "replaced", keys: ["kmsKeyId"] },
            { urn: urn(KEY, "apse1-key", CELL), type: KEY, cell: "apse1", action: "deleted", keys: [] },
        ]);
    });

    it("leaves ignored inputs out of the changed keys", () => {
        assert.deepEqual(
            diff.changed.map((c) => [c.urn, c.keys]),
            [[urn(CLUSTER, "use1-db", CELL), ["kmsKeyId", "tags"]]],
        );
    });

    it("lists retained resources, the protected ones to unprotect and the removed cells", () => {
        assert.deepEqual(
            diff.retained.map((c) => c.urn),
            [urn(CLUSTER, "apse1-db", CELL)],
        );
        assert.deepEqual(diff.unprotect, [urn(KEY, "apse1-key", CELL), urn(CLUSTER, "apse1-db", CELL)]);
        assert.deepEqual(diff.removedCells, ["apse1"]);
        assert.deepEqual(
            diff.added.map((c) => c.urn),
            [urn("aws:ec2/vpc:Vpc", "use1-vpc", CELL)],
        );
    });

    it("flags a change of protect or retainOnDelete", () => {
        const a = plan([res(KEY, "k", {}, { protect: true })]);
        const b = plan([res(KEY, "k", {}, { protect: true, retainOnDelete: true })]);
        const c = plan([res(KEY, "k", {}, { protect: false })]);
        assert.deepEqual(
            compare(a, b).changed.map((x) => x.keys),
            [["(retainOnDelete)"]],
        );
        assert.deepEqual(
            compare(a, c).changed.map((x) => x.keys),
            [["(protect)"]],
        );
        assert.deepEqual(compare(a, a).changed, []);
    });

    it("prints the data at risk first, then retained, unprotect commands, removed regions, then each region", () => {
        const text = formatComparison(diff, "prod", "other.yaml");
        assert.deepEqual(text.split("\n"), [
            "Compare prod → other.yaml: 1 added, 1 changed, 4 removed",
            "",
            "Data at risk (2): these stateful resources would be DELETED or REPLACED (a new, empty one):",
            `  ! replace ${urn(CLUSTER, "use1-db", CELL)} (kmsKeyId)`,
            `  ! delete  ${urn(KEY, "apse1-key", CELL)}`,
            "",
            "Retained (1): removed from the stack, kept in AWS (retainOnDelete):",
            `  = ${urn(CLUSTER, "apse1-db", CELL)}`,
            "",
            "Protected (2): pulumi up refuses to delete these; once their data is safe (docs/regions.md), unprotect them first:",
            `  pulumi state unprotect -s prod -y '${urn(KEY, "apse1-key", CELL)}'`,
            `  pulumi state unprotect -s prod -y '${urn(CLUSTER, "apse1-db", CELL)}'`,
            "",
            "Regions removed: apse1",
            "",
            "apse1:",
            `  - ${urn(CELL, "apse1")}`,
            `  - ${urn(KEY, "apse1-key", CELL)}`,
            `  - ${urn(CLUSTER, "apse1-db", CELL)}`,
            `  - ${urn("aws:ec2/vpc:Vpc", "apse1-vpc", CELL)}`,
            "",
            "use1:",
            `  + ${urn("aws:ec2/vpc:Vpc", "use1-vpc", CELL)}`,
            `  ~ ${urn(CLUSTER, "use1-db", CELL)} (kmsKeyId, tags)`,
        ]);
    });

    it("says so when no data is at risk", () => {
        assert.equal(
            formatComparison(compare(after, after), "prod", "same.yaml").split("\n")[2],
            "Data at risk: none (no stateful resource is deleted or replaced)",
        );
    });
});

describe("removalProblems", () => {
    it("refuses a removed region that is not marked decommission: true, naming it and the safe order", () => {
        const found = removalProblems(
            { removedCells: ["apse1"] },
            [{ region: "ap-southeast-1", code: "apse1", decommissioning: false }],
            "prod",
            "b.yaml",
        );
        assert.deepEqual(found, [
            "platform:regions: ap-southeast-1 (apse1) is in prod but not in b.yaml, and prod does not mark it decommission: true. Removing a region this way deletes its cell with its data. " +
                "Safe order: (1) set decommission: true on ap-southeast-1 in prod and pulumi up (drains it, retains its data); (2) detach and snapshot its Aurora member; (3) then remove the entry and pulumi up. " +
                'See docs/regions.md, "Remove a region".',
        ]);
    });

    it("accepts a removed region marked decommission: true, and no removal at all", () => {
        assert.deepEqual(
            removalProblems(
                { removedCells: ["apse1"] },
                [{ region: "ap-southeast-1", code: "apse1", decommissioning: true }],
                "prod",
                "b.yaml",
            ),
            [],
        );
        assert.deepEqual(removalProblems({ removedCells: [] }, [], "prod", "b.yaml"), []);
    });
});
