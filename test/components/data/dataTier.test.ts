import * as assert from "node:assert/strict";
import { DataTier } from "../../../components/data/dataTier";
import { GlobalDatabase } from "../../../components/data/globalDatabase";
import { type Evaluation, EvaluationError, type RecordedResource } from "../../../plan/runtime";
import { DATA_REGIONS, dataPlan, fakeCell, named, tierArgs } from "../../support/data";
import { assertUniqueUrns, evaluateComponent, ofType, one } from "../../support/harness";

/** Every value a secret input holds in clear, from the resources' raw inputs. */
function secretValues(ev: Evaluation): string[] {
    const values: string[] = [];
    for (const r of ev.resources) {
        for (const [k, v] of Object.entries(r.inputs)) {
            if (v === "[secret]" && typeof r.rawInputs[k] === "string") values.push(r.rawInputs[k] as string);
        }
    }
    return values;
}

/** The primary's data resources, comparable between plans: URN, inputs, dependencies, options. */
function primaryData(ev: Evaluation): Record<string, unknown>[] {
    return ev.resources
        .filter((r) => r.name.startsWith("use1-"))
        .map((r: RecordedResource) => ({
            urn: r.urn,
            inputs: r.inputs,
            dependencies: [...r.dependencies].sort(),
            protect: r.protect,
            ignoreChanges: r.ignoreChanges,
        }));
}

describe("DataTier", () => {
    let one1: Evaluation;
    let two: Evaluation;
    let three: Evaluation;
    before(async () => {
        one1 = await dataPlan(["us-east-1"]);
        two = await dataPlan(["us-east-1", "eu-central-1"]);
        three = await dataPlan(DATA_REGIONS);
    });

    it("with one region: the global cluster, one primary cluster and no secondary", () => {
        assert.equal(ofType(one1, "aws:rds/globalCluster:GlobalCluster").length, 1);
        assert.deepEqual(
            ofType(one1, "aws:rds/cluster:Cluster").map((c) => c.name),
            ["use1-data-db-cluster"],
        );
        assert.ok(ofType(one1, "aws:rds/cluster:Cluster").every((c) => c.inputs.enableGlobalWriteForwarding === true));
        assert.equal(ofType(one1, "aws:rds/clusterInstance:ClusterInstance").length, 3);
    });

    it("with three regions: one member, proxy and cache per region, every URN unique", () => {
        assert.deepEqual(
            ofType(three, "aws:rds/cluster:Cluster")
                .map((c) => c.name)
                .sort(),
            ["apse1-data-db-cluster", "euc1-data-db-cluster", "use1-data-db-cluster"],
        );
        assert.equal(ofType(three, "aws:rds/clusterInstance:ClusterInstance").length, 9);
        assert.equal(ofType(three, "aws:kms/key:Key").length, 4, "a key per region and the master secret's key");
        assertUniqueUrns(three.resources);
        for (const code of ["use1", "euc1", "apse1"]) {
            assert.equal(named(three, `${code}-data`).filter((r) => r.type === "platform:data:DataTier").length, 1);
        }
    });

    it("adding a region leaves the primary's data resources unchanged (URNs and inputs)", () => {
        const before = primaryData(two);
        const after = primaryData(three);
        // 40 + the bootstrap's 9 (component, security group, rule, role, policy, attachment, log group, function, invocation)
        // + the backups' 6 (vault, lock, plan, role, attachment, selection) + the writer guard's 7
        // (component, role, policy, attachment, log group, function, invocation) + the air-gapped vault (issue 15)
        // + the backup role's key policy.
        assert.equal(before.length, 64, "the global database and the primary tier");
        assert.deepEqual(after, before);
        assert.deepEqual(primaryData(one1), before);
    });

    it("protects the stateful resources, and only those", () => {
        const isProtected = (ev: Evaluation) =>
            ev.resources
                .filter((r) => r.protect)
                .map((r) => `${r.type} ${r.name}`)
                .sort();
        assert.deepEqual(isProtected(two), [
            "aws:kms/key:Key euc1-data-db-key",
            "aws:kms/key:Key use1-data-db-key",
            "aws:kms/key:Key use1-global-db-secret-key",
            "aws:rds/cluster:Cluster euc1-data-db-cluster",
            "aws:rds/cluster:Cluster use1-data-db-cluster",
            "aws:rds/globalCluster:GlobalCluster use1-global-db-cluster",
            "aws:secretsmanager/secret:Secret use1-global-db-master-secret",
        ]);
    });

    it("shows secrets only as [secret] in inputs and never in outputs", () => {
        const secrets = secretValues(three);
        // The master password (cluster + secret JSON); the caches have no secret (IAM authentication).
        assert.equal(secrets.length, 2, `${secrets.length} secret inputs`);
        const password = one(three, "aws:rds/cluster:Cluster", "use1-data-db-cluster").rawInputs.masterPassword as string;
        const tokens = ofType(three, "aws:elasticache/replicationGroup:ReplicationGroup").map((g) => g.rawInputs.authToken as string);
        for (const value of [password, ...tokens]) {
            for (const r of three.resources) assert.ok(!JSON.stringify(r.inputs).includes(value), `${r.name} shows a secret in inputs`);
            assert.ok(!JSON.stringify(three.outputs).includes(value), "a secret in the outputs");
        }
    });

    it("gives the workload endpoints and secret references, never secret values", () => {
        const euc1 = three.outputs["eu-central-1"] as Record<string, unknown>;
        assert.deepEqual(Object.keys(euc1).sort(), [
            "cacheConnectArns",
            "cacheEndpoint",
            "cacheName",
            "cachePort",
            "cacheUser",
            "databaseConnectArn",
            "databaseName",
            "databasePort",
            "databaseReaderEndpoint",
            "databaseUser",
            "databaseWriterEndpoint",
            "secretArns",
            "secretKmsKeyArns",
        ]);
        assert.deepEqual([euc1.databaseName, euc1.databaseUser, euc1.databasePort, euc1.cachePort], ["api", "app", 5432, 6379]);
        // IAM for both stores: no secret for the pods to read.
        assert.deepEqual(euc1.secretArns, []);
        assert.equal(euc1.cacheUser, "platform-test-app");
        const cacheArns = euc1.cacheConnectArns as string[];
        assert.equal(cacheArns.length, 2);
        assert.ok(
            cacheArns.every((a) => a.startsWith("arn:aws:elasticache:eu-central-1:123456789012:")),
            cacheArns.join(),
        );
    });

    it("refuses a secondary tier without the primary's", async () => {
        const cell = fakeCell("eu-central-1");
        await assert.rejects(
            evaluateComponent((opts) => {
                const global = new GlobalDatabase(
                    "use1-global-db",
                    {
                        region: "us-east-1",
                        identifier: "x",
                        engineVersion: "16.9",
                        port: 5433,
                        databaseName: "api",
                        accountId: "123456789012",
                    },
                    opts,
                );
                return new DataTier("euc1-data", tierArgs(cell, false, global), opts);
            }),
            (err: unknown) => err instanceof EvaluationError && /a secondary member must join after the primary/.test(err.message),
        );
    });
});
