/**
 * The writer guard's very source, run through the real @aws-sdk/client-rds against a fake RDS
 * endpoint on loopback that speaks the RDS query protocol (form-encoded Action=… requests, XML
 * answers), reached the way a Lambda reaches RDS but for AWS_ENDPOINT_URL_RDS, the SDK's
 * per-service endpoint override. The fake reads the request fields the SDK really sends
 * (DBClusterIdentifier, TargetDBInstanceIdentifier) and answers with the real response shape
 * (DBClusters/DBCluster/DBClusterMembers/DBClusterMember/IsClusterWriter), so a wrong field name
 * in the handler fails here.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { writerGuardEvent } from "../../../components/data/writerGuard";
import { WRITER_GUARD_HANDLER_SOURCE } from "../../../components/data/writerGuardHandler";

interface Member {
    readonly id: string;
    writer: boolean;
}
interface Cluster {
    readonly id: string;
    status: string;
    readonly members: Member[];
    /** Describes left before a failover under way completes; Infinity: it never does. */
    failoverDescribes: number;
    failoverTarget?: string;
    /** Describes left while the cluster is busy (e.g. `modifying`) before it is `available`. */
    busyDescribes?: number;
    /** Failovers the target instance refuses for its own state (rebooting) before it takes one. */
    targetBusyRefusals?: number;
    /** Where the next failovers land instead of their target (AWS may pick another instance), in order. */
    landOn?: string[];
}
interface Call {
    readonly action: string;
    readonly params: Record<string, string>;
}
interface Handler {
    handler(event: Record<string, unknown>): Promise<Record<string, unknown>>;
}

const NS = "http://rds.amazonaws.com/doc/2014-10-31/";
const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;");

/** A fake RDS API: DescribeDBClusters and FailoverDBCluster on one cluster, as the query protocol has them. */
class FakeRds {
    readonly calls: Call[] = [];
    private server?: http.Server;
    constructor(readonly cluster: Cluster) {}

    async start(): Promise<string> {
        this.server = http.createServer((req, res) => {
            let body = "";
            req.on("data", (d: Buffer) => (body += d.toString("utf8")));
            req.on("end", () => {
                const params = Object.fromEntries(new URLSearchParams(body));
                this.calls.push({ action: params.Action, params });
                const [status, xml] = this.answer(params, req.headers.authorization);
                res.writeHead(status, { "content-type": "text/xml" });
                res.end(xml);
            });
        });
        await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
        return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
    }
    stop(): Promise<void> {
        return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    }

    private error(code: string, message: string): [number, string] {
        return [
            400,
            `<ErrorResponse xmlns="${NS}"><Error><Type>Sender</Type><Code>${code}</Code><Message>${esc(message)}</Message></Error><RequestId>r-1</RequestId></ErrorResponse>`,
        ];
    }

    private answer(params: Record<string, string>, authorization: string | undefined): [number, string] {
        // The SDK signs every request (SigV4); an unsigned one would be refused by RDS.
        if (!authorization?.startsWith("AWS4-HMAC-SHA256 ")) return this.error("MissingAuthenticationToken", "unsigned request");
        const c = this.cluster;
        if (params.DBClusterIdentifier !== c.id)
            return this.error("DBClusterNotFoundFault", `DBCluster ${params.DBClusterIdentifier} not found.`);
        if (params.Action === "DescribeDBClusters") {
            if (c.busyDescribes !== undefined && --c.busyDescribes <= 0) {
                c.status = "available";
                c.busyDescribes = undefined;
            }
            if (c.failoverTarget !== undefined && --c.failoverDescribes <= 0) {
                const landed = c.landOn?.shift() ?? c.failoverTarget;
                for (const m of c.members) m.writer = m.id === landed;
                c.status = "available";
                c.failoverTarget = undefined;
            }
            return [200, this.wrap("DescribeDBClusters", `<DBClusters>${this.clusterXml()}</DBClusters>`)];
        }
        if (params.Action === "FailoverDBCluster") {
            if (c.status !== "available") return this.error("InvalidDBClusterStateFault", `DbCluster ${c.id} is in ${c.status} state.`);
            const target = params.TargetDBInstanceIdentifier;
            if (c.targetBusyRefusals !== undefined && c.targetBusyRefusals-- > 0)
                return this.error("InvalidDBInstanceStateFault", `Instance ${target} is in rebooting state.`);
            if (!c.members.some((m) => m.id === target && !m.writer))
                return this.error("InvalidDBInstanceStateFault", `${target} is not a reader of ${c.id}`);
            c.status = "failing-over";
            c.failoverTarget = target;
            return [200, this.wrap("FailoverDBCluster", this.clusterXml())];
        }
        return this.error("InvalidAction", `no ${params.Action} here`);
    }

    private clusterXml(): string {
        const c = this.cluster;
        const members = c.members
            .map(
                (m, i) =>
                    `<DBClusterMember><DBInstanceIdentifier>${m.id}</DBInstanceIdentifier><IsClusterWriter>${m.writer}</IsClusterWriter><DBClusterParameterGroupStatus>in-sync</DBClusterParameterGroupStatus><PromotionTier>${i === 0 ? 0 : 1}</PromotionTier></DBClusterMember>`,
            )
            .join("");
        return `<DBCluster><DBClusterIdentifier>${c.id}</DBClusterIdentifier><Status>${c.status}</Status><Engine>aurora-postgresql</Engine><DBClusterMembers>${members}</DBClusterMembers></DBCluster>`;
    }
    private wrap(action: string, result: string): string {
        return `<${action}Response xmlns="${NS}"><${action}Result>${result}</${action}Result><ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata></${action}Response>`;
    }
}

const CLUSTER = "use1-data-db-cluster-0a1b2c3";
const ids = (n: number) => Array.from({ length: n }, (_, i) => `use1-data-db-${i + 1}-00${i + 1}abcd`);
/** Five instances, `writer` (1-based) the writer; or none (a secondary). */
const cluster = (writer: number | null, status = "available"): Cluster => ({
    id: CLUSTER,
    status,
    members: ids(5).map((id, i) => ({ id, writer: i + 1 === writer })),
    failoverDescribes: 2,
});
const actions = (fake: FakeRds) => fake.calls.map((c) => c.action);

describe("writer guard handler against a fake RDS endpoint", function () {
    this.timeout(60_000);
    let dir: string;
    let guard: Handler;
    const saved: Record<string, string | undefined> = {};
    const setEnv = (vars: Record<string, string>) => {
        for (const [k, v] of Object.entries(vars)) {
            if (!(k in saved)) saved[k] = process.env[k];
            process.env[k] = v;
        }
    };
    // Fast polling for the tests; the program's own figures are pinned in writerGuard.test.ts.
    const event = (keep: string[], timeoutMs = 2000) => ({ ...writerGuardEvent("us-east-1", CLUSTER, keep), timeoutMs, pollMs: 20 });

    let fake: FakeRds;
    const start = async (c: Cluster) => {
        fake = new FakeRds(c);
        setEnv({ AWS_ENDPOINT_URL_RDS: await fake.start() });
    };

    before(() => {
        // Test-only credentials: the SDK signs with them; the fake only checks that a signature is there.
        setEnv({
            AWS_ACCESS_KEY_ID: "AKIAFAKEFAKEFAKEFAKE",
            AWS_SECRET_ACCESS_KEY: "fake-secret-test-only",
            AWS_EC2_METADATA_DISABLED: "true",
        });
        // The handler next to a node_modules holding the SDK, as the Lambda runtime holds it.
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "writer-guard-"));
        fs.writeFileSync(path.join(dir, "index.js"), WRITER_GUARD_HANDLER_SOURCE);
        fs.symlinkSync(path.join(__dirname, "..", "..", "..", "..", "node_modules"), path.join(dir, "node_modules"), "dir");
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        guard = require(path.join(dir, "index.js")) as Handler;
    });
    // What the function logs (to CloudWatch in AWS), kept here instead of printed.
    let logs: string[] = [];
    const print = console.log;
    beforeEach(() => {
        logs = [];
        console.log = (line: string) => void logs.push(line);
    });
    afterEach(() => {
        console.log = print;
        return fake?.stop();
    });
    after(() => {
        for (const [k, v] of Object.entries(saved))
            if (v === undefined) delete process.env[k];
            else process.env[k] = v;
        if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });

    it("keeps a writer that stays: one DescribeDBClusters of this cluster, no failover (a scale-in, or the first up)", async () => {
        await start(cluster(2));
        assert.deepEqual(await guard.handler(event(ids(3))), { cluster: CLUSTER, action: "none", writer: ids(5)[1] });
        assert.deepEqual(actions(fake), ["DescribeDBClusters"]);
        assert.deepEqual(fake.calls[0].params, { Action: "DescribeDBClusters", Version: "2014-10-31", DBClusterIdentifier: CLUSTER });
    });

    for (const status of ["available", "backing-up"])
        it(`does nothing in a secondary, whose instances are all readers, and waits for nothing (${status}, as a new one may be)`, async () => {
            await start(cluster(null, status));
            assert.deepEqual(await guard.handler(event(ids(3))), { cluster: CLUSTER, action: "none", writer: null });
            assert.deepEqual(actions(fake), ["DescribeDBClusters"]);
        });

    it("retries a failover the cluster's state refuses (InvalidDBClusterStateFault while modifying), then fails over", async () => {
        await start({ ...cluster(5, "modifying"), busyDescribes: 2 });
        const out = await guard.handler(event(ids(3)));
        assert.deepEqual([out.action, out.from, out.writer], ["failover", ids(5)[4], ids(5)[0]]);
        assert.deepEqual(actions(fake), [
            "DescribeDBClusters",
            "FailoverDBCluster",
            "DescribeDBClusters",
            "FailoverDBCluster",
            "DescribeDBClusters",
            "DescribeDBClusters",
        ]);
        assert.deepEqual(
            logs.map((l) => (JSON.parse(l) as { message: string }).message),
            ["the cluster refuses a failover for now; retrying", "failing over before the writer's instance is deleted"],
        );
    });

    it("moves a writer about to be removed to the first instance that stays, then waits until it is the writer and available", async () => {
        await start(cluster(5));
        const out = await guard.handler(event(ids(3)));
        assert.deepEqual(
            { ...out, seconds: undefined },
            { cluster: CLUSTER, action: "failover", from: ids(5)[4], writer: ids(5)[0], seconds: undefined },
        );
        assert.deepEqual(actions(fake), ["DescribeDBClusters", "FailoverDBCluster", "DescribeDBClusters", "DescribeDBClusters"]);
        assert.deepEqual(fake.calls[1].params, {
            Action: "FailoverDBCluster",
            Version: "2014-10-31",
            DBClusterIdentifier: CLUSTER,
            TargetDBInstanceIdentifier: ids(5)[0],
        });
        assert.deepEqual(
            fake.cluster.members.filter((m) => m.writer).map((m) => m.id),
            [ids(5)[0]],
        );
        assert.deepEqual(
            logs.map((l) => JSON.parse(l) as unknown),
            [{ message: "failing over before the writer's instance is deleted", cluster: CLUSTER, from: ids(5)[4], to: ids(5)[0] }],
        );
    });

    it("waits out a failover already under way; when it lands on an instance that stays, it adds none", async () => {
        // AWS is failing over (status failing-over, old writer -5 still flagged) towards -2.
        const c = cluster(5, "failing-over");
        c.failoverTarget = ids(5)[1];
        await start(c);
        assert.deepEqual(await guard.handler(event(ids(3))), { cluster: CLUSTER, action: "none", writer: ids(5)[1] });
        assert.deepEqual(actions(fake), ["DescribeDBClusters", "DescribeDBClusters"]);
    });

    it("waits out a failover under way even while an instance that stays is still flagged writer, and moves the writer again if it lands on one that goes", async () => {
        // AWS is failing over from -2 (kept) towards -5 (to be removed): returning at once would let the delete take the writer.
        const c = cluster(2, "failing-over");
        c.failoverTarget = ids(5)[4];
        await start(c);
        const out = await guard.handler(event(ids(3)));
        assert.deepEqual([out.action, out.from, out.writer], ["failover", ids(5)[4], ids(5)[0]]);
        // Waited (failing-over), saw -5 the writer, failed over to -1, saw it the writer and available.
        assert.deepEqual(actions(fake), ["DescribeDBClusters", "DescribeDBClusters", "FailoverDBCluster", "DescribeDBClusters"]);
    });

    it("fails over again when its failover lands on another instance that goes, within the same budget", async () => {
        await start({ ...cluster(5), landOn: [ids(5)[3]] });
        const out = await guard.handler(event(ids(3)));
        assert.deepEqual([out.action, out.writer], ["failover", ids(5)[0]]);
        assert.equal(actions(fake).filter((a) => a === "FailoverDBCluster").length, 2);
        assert.ok(logs.some((l) => l.includes("the failover landed on an instance that goes")));
    });

    it("retries a failover the target refuses for its own state (InvalidDBInstanceStateFault while rebooting), then fails over", async () => {
        await start({ ...cluster(5), targetBusyRefusals: 1 });
        const out = await guard.handler(event(ids(3)));
        assert.deepEqual([out.action, out.from, out.writer], ["failover", ids(5)[4], ids(5)[0]]);
        assert.equal(actions(fake).filter((a) => a === "FailoverDBCluster").length, 2);
        assert.match(logs[0], /"error":"InvalidDBInstanceStateFault: Instance use1-data-db-1-001abcd is in rebooting state\."/);
    });

    it("fails with a clear error when the failover does not finish in time, and the up stops before any delete", async () => {
        const c = cluster(4);
        await start(c);
        // The failover never completes.
        const stuck = { ...c, failoverDescribes: Number.POSITIVE_INFINITY };
        Object.assign(c, stuck);
        await assert.rejects(
            guard.handler(event(ids(3), 300)),
            new RegExp(
                `^Error: cluster ${CLUSTER} did not reach writer ${ids(5)[0]} after a failover from ${ids(5)[3]} within 0.3 s \\(status failing-over, writer ${ids(5)[3]}\\); the update stops before any instance is deleted`,
            ),
        );
        assert.equal(actions(fake).filter((a) => a === "FailoverDBCluster").length, 1, "one failover, not one per poll");
    });

    it("names the API's own error (an unknown cluster) instead of guessing", async () => {
        await start({ ...cluster(1), id: "another-cluster" });
        await assert.rejects(guard.handler(event(ids(3))), /DBCluster use1-data-db-cluster-0a1b2c3 not found/);
    });
});
