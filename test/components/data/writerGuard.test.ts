/**
 * The writer guard in the plan: one per member cluster (a secondary too: a switchover gives it
 * a writer), outside any VPC, allowed to describe and fail over its own cluster and nothing
 * else, run with the instances that stay; the same plan twice gives the same input (a second
 * `up` re-runs nothing) and a scale-in gives a new one without the removed instances (the
 * provider replaces the invocation: it runs before the engine deletes them, writerGuard.ts).
 */
import * as assert from "node:assert/strict";
import { DataTier } from "../../../components/data/dataTier";
import { GlobalDatabase } from "../../../components/data/globalDatabase";
import { WRITER_GUARD_TIMEOUT_SECONDS } from "../../../components/data/writerGuard";
import { WRITER_GUARD_HANDLER_SOURCE } from "../../../components/data/writerGuardHandler";
import { sourceHash } from "../../../components/functions/invokedFunction";
import { DATA_DEFAULTS } from "../../../config/data";
import { ACCOUNT_ID } from "../../../plan/mocks";
import { type Evaluation } from "../../../plan/runtime";
import { DATA_REGIONS, dataPlan, dataSpecs, fakeCell, tierArgs } from "../../support/data";
import { evaluateComponent, ofType, one, policyOf } from "../../support/harness";

const INSTANCE = "aws:rds/clusterInstance:ClusterInstance";
const CLUSTER = "aws:rds/cluster:Cluster";
const INVOCATION = "aws:lambda/invocation:Invocation";

interface GuardEvent {
    region: string;
    clusterIdentifier: string;
    keep: string[];
    timeoutMs: number;
    pollMs: number;
}
const eventOf = (ev: Evaluation, code: string) =>
    JSON.parse(one(ev, INVOCATION, `${code}-data-db-writer-guard-run`).inputs.input as string) as GuardEvent;

/** The primary tier alone, with `readers` readers. */
function primaryWith(readers: number): Promise<Evaluation> {
    return evaluateComponent((opts) => {
        const cell = fakeCell("us-east-1");
        const global = new GlobalDatabase(
            "use1-global-db",
            {
                region: cell.region,
                identifier: "platform-test",
                engineVersion: DATA_DEFAULTS.engineVersion,
                port: DATA_DEFAULTS.port,
                databaseName: DATA_DEFAULTS.databaseName,
                accountId: ACCOUNT_ID,
            },
            opts,
        );
        const args = tierArgs(cell, true, global);
        return new DataTier("use1-data", { ...args, database: dataSpecs(DATA_DEFAULTS, readers).database }, opts);
    });
}

describe("writer guard (plan)", () => {
    let ev: Evaluation;
    before(async () => {
        ev = await dataPlan(DATA_REGIONS);
    });

    it("guards every member cluster, primary and secondaries, with the instances that stay in index order", () => {
        const guards = ofType(ev, INVOCATION)
            .map((r) => r.name)
            .filter((n) => n.includes("writer-guard"));
        assert.deepEqual(guards.sort(), [
            "apse1-data-db-writer-guard-run",
            "euc1-data-db-writer-guard-run",
            "use1-data-db-writer-guard-run",
        ]);
        for (const [code, region] of [
            ["use1", "us-east-1"],
            ["euc1", "eu-central-1"],
            ["apse1", "ap-southeast-1"],
        ] as const) {
            const event = eventOf(ev, code);
            const instances = [1, 2, 3].map((i) => one(ev, INSTANCE, `${code}-data-db-${i}`));
            assert.deepEqual(event, {
                region,
                clusterIdentifier: one(ev, CLUSTER, `${code}-data-db-cluster`).id,
                // The first is the preferred writer: promotion tier 0, the others 1.
                keep: instances.map((i) => i.id),
                timeoutMs: WRITER_GUARD_TIMEOUT_SECONDS * 1000,
                pollMs: 10_000,
            });
            assert.deepEqual(
                instances.map((i) => i.inputs.promotionTier),
                [0, 1, 1],
            );
            const run = one(ev, INVOCATION, `${code}-data-db-writer-guard-run`);
            assert.deepEqual(run.inputs.triggers, { source: sourceHash(WRITER_GUARD_HANDLER_SOURCE) });
            // It runs once every instance that stays is created or updated.
            for (const i of instances) assert.ok(run.dependencies.includes(i.urn), `${i.name} before the guard`);
        }
    });

    it("may describe and fail over its own cluster only, from outside any VPC, within a bounded run", () => {
        for (const code of ["use1", "euc1"]) {
            const cluster = one(ev, CLUSTER, `${code}-data-db-cluster`);
            const arn = `arn:aws:rds:${cluster.inputs.region as string}:123456789012:cluster:${cluster.id}`;
            assert.deepEqual(policyOf(one(ev, "aws:iam/rolePolicy:RolePolicy", `${code}-data-db-writer-guard-policy`)).Statement, [
                { Sid: "ReadWriter", Effect: "Allow", Action: "rds:DescribeDBClusters", Resource: arn },
                { Sid: "MoveWriter", Effect: "Allow", Action: "rds:FailoverDBCluster", Resource: arn },
            ]);
            const fn = one(ev, "aws:lambda/function:Function", `${code}-data-db-writer-guard-function`);
            assert.equal(fn.inputs.vpcConfig, undefined);
            assert.equal(fn.inputs.timeout, WRITER_GUARD_TIMEOUT_SECONDS + 60);
            assert.ok((fn.inputs.timeout as number) <= 900, "within Lambda's 900 s");
            assert.equal(
                one(ev, "aws:iam/rolePolicyAttachment:RolePolicyAttachment", `${code}-data-db-writer-guard-execution`).inputs.policyArn,
                "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
            );
        }
    });

    it("gives a second plan of the same config the same input (no diff: nothing runs again)", async () => {
        const [a, b] = [await primaryWith(2), await primaryWith(2)];
        assert.equal(
            one(a, INVOCATION, "use1-data-db-writer-guard-run").inputs.input,
            one(b, INVOCATION, "use1-data-db-writer-guard-run").inputs.input,
        );
    });

    it("runs again on a scale-in, with only the instances that stay, while the removed ones are no longer declared", async () => {
        const [four, two] = [await primaryWith(4), await primaryWith(2)];
        const ids = (e: Evaluation) =>
            ofType(e, INSTANCE)
                .sort((x, y) => x.name.localeCompare(y.name))
                .map((i) => i.id);
        assert.equal(ids(four).length, 5);
        assert.deepEqual(eventOf(four, "use1").keep, ids(four));
        assert.deepEqual(eventOf(two, "use1").keep, ids(four).slice(0, 3));
        assert.notEqual(
            one(four, INVOCATION, "use1-data-db-writer-guard-run").inputs.input,
            one(two, INVOCATION, "use1-data-db-writer-guard-run").inputs.input,
        );
    });
});
