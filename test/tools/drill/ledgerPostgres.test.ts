/**
 * The drill's ledger against a real PostgreSQL primary and its asynchronous streaming replica
 * (test/support/postgres.ts), with writes through a loopback API stand-in:
 * - failover: the replica's stream is cut (a region's isolation), the primary keeps
 *   acknowledging, then crashes mid-load; the replica is promoted and the API repointed. The
 *   ledger must count exactly the acknowledged writes the replica never received (the test reads
 *   them off the replica before promoting it), plus one late and one duplicated write injected
 *   on purpose; the failover's zero-loss budget is exceeded (exit 1);
 * - switchover: writes are fenced, the replica catches up, the primary stops cleanly, the
 *   replica is promoted: nothing lost, within every budget (exit 0); then a failback the same
 *   way, back to the first node.
 */
import * as assert from "node:assert/strict";
import { type Client } from "pg";
import { StepClock, budgetExit, countWrites, failbackMs, formatLedger, ledgerReport, recoveryMs } from "../../../tools/drill/ledger";
import { WriteLoad, readBack } from "../../../tools/drill/writes";
import { LedgerApi, REGION_HEADER } from "../../support/ledgerApi";
import { type Node, ReplicatedPostgres, postgresBin } from "../../support/postgres";

const PRIMARY = "us-east-1";
const SURVIVOR = "eu-central-1";
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** DRILL_LEDGER_PRINT=1 prints each run's ledger summary (docs/qa.md shows one). */
const show = (text: string) => (process.env.DRILL_LEDGER_PRINT === "1" ? process.stdout.write(`${text}\n`) : undefined);

/** Polls `check` every 20 ms until it holds, for at most `ms`. */
async function until(what: string, check: () => Promise<boolean> | boolean, ms = 20_000): Promise<void> {
    const end = Date.now() + ms;
    while (!(await check())) {
        if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
        await sleep(20);
    }
}

async function ids(client: Client): Promise<Set<number>> {
    return new Set((await client.query<{ id: string }>("SELECT id FROM ledger")).rows.map((r) => Number(r.id)));
}

async function caughtUp(primary: Client, replica: Client): Promise<boolean> {
    const p = await primary.query<{ lsn: string }>("SELECT pg_current_wal_lsn()::text AS lsn");
    const r = await replica.query<{ ok: boolean }>("SELECT pg_last_wal_replay_lsn() >= $1::pg_lsn AS ok", [p.rows[0].lsn]);
    return r.rows[0].ok === true;
}

const bin = postgresBin();

// Without a PostgreSQL server the real-database tests cannot run: CI (which installs it in .ci/run)
// fails rather than passing with them skipped; elsewhere they are skipped with the reason printed.
if (bin === undefined) {
    describe("drill ledger: a real PostgreSQL server", () => {
        it("is installed under /usr/lib/postgresql", function () {
            const reason = "no PostgreSQL server under /usr/lib/postgresql: install it with apt-get install -y postgresql (.ci/run does)";
            if (!process.env.CI) {
                console.warn(`    skipped, ${reason}`);
                this.skip();
            }
            assert.fail(reason);
        });
    });
}

(bin ? describe : describe.skip)("drill ledger against a real PostgreSQL primary and async replica", function () {
    this.timeout(120_000);
    let db: ReplicatedPostgres;
    let api: LedgerApi;
    let primary: Client;
    let replica: Client;

    beforeEach(async () => {
        db = await ReplicatedPostgres.start(bin!);
        primary = await db.primary.client();
        await primary.query("CREATE TABLE ledger (run text NOT NULL, id bigint NOT NULL, at timestamptz NOT NULL DEFAULT now())");
        replica = await db.replica.client();
        await until(
            "the table on the replica",
            async () => (await replica.query("SELECT to_regclass('ledger') IS NOT NULL AS t")).rows[0].t,
        );
        api = new LedgerApi();
        await api.listen();
        await api.point(db.primary, PRIMARY);
    });

    afterEach(async () => {
        await api?.close();
        await primary?.end().catch(() => undefined);
        await replica?.end().catch(() => undefined);
        db?.close();
    });

    const load = () => new WriteLoad({ url: api.url, writers: 2, regionHeader: REGION_HEADER, timeoutMs: 2000 });

    it("failover: counts exactly the acknowledged writes the replica never got, and the injected late and duplicated ones", async () => {
        const clock = new StepClock();
        const writes = load();
        await until("200 acknowledged writes", () => writes.acknowledgedCount >= 200);
        api.dropAcks = 1;
        api.applyTwice = 1;
        await until("the injected faults", () => api.droppedAcks.length === 1 && api.appliedTwice.length === 1);
        const injected = [api.droppedAcks[0], api.appliedTwice[0]];
        await until("the replica holding the injected writes", async () => {
            const held = await ids(replica);
            return injected.every((id) => held.has(id));
        });

        // Cut the replica's stream: from here the primary acknowledges writes the replica never gets.
        await clock.time("cut-replication", async () => {
            await replica.query("ALTER SYSTEM SET primary_conninfo = ''");
            await replica.query("SELECT pg_reload_conf()");
            await until(
                "the WAL receiver to stop",
                async () => (await replica.query("SELECT count(*)::int AS n FROM pg_stat_wal_receiver")).rows[0].n === 0,
            );
            // What it received is all it will ever have: wait until it has replayed all of it.
            await until("the replica to replay what it received", async () => {
                const r = await replica.query("SELECT pg_last_wal_replay_lsn() >= pg_last_wal_receive_lsn() AS done");
                return r.rows[0].done === true;
            });
        });
        const atCut = writes.acknowledgedCount;
        await until("100 more acknowledged writes on the primary alone", () => writes.acknowledgedCount >= atCut + 100);

        // The primary crashes mid-load; the replica is promoted and the API repointed.
        await primary.end().catch(() => undefined);
        await clock.time("stop-primary", async () => db.pgCtl(db.primary, "stop-immediate"));
        await sleep(200); // the outage the writers see before recovery starts
        // What the replica holds once nothing more can reach it (cut off, primary gone) and it has
        // replayed all it has: read off the standby itself, before it is promoted.
        let last = "";
        await until("the replica's replay to settle", async () => {
            const lsn = (await replica.query<{ lsn: string }>("SELECT pg_last_wal_replay_lsn()::text AS lsn")).rows[0].lsn;
            const settled = lsn === last;
            last = lsn;
            if (!settled) await sleep(300);
            return settled;
        });
        const replicated = await ids(replica);
        // Acknowledged by the old primary: no writer acknowledges anything until the repoint.
        const ackedByOld = writes.acknowledgedIds();
        await clock.time("promote", async () => db.pgCtl(db.replica, "promote"));
        await clock.time("repoint", () => api.point(db.replica, SURVIVOR));
        const promotedAt = writes.acknowledgedCount;
        await until("50 writes acknowledged by the new primary", () => writes.acknowledgedCount >= promotedAt + 50);
        const ledger = await writes.stop();

        const counts = countWrites(ledger, await readBack(api.url, writes.run, 5000));
        // What the test knows it lost: acknowledged by the old primary, and not on the replica it cut off.
        const expectedLost = ackedByOld.filter((id) => !replicated.has(id));
        assert.ok(expectedLost.length >= 100, `lost ${expectedLost.length}`);
        assert.equal(counts.lost, expectedLost.length);
        assert.deepEqual(counts.lostIds, expectedLost.slice(0, 1000));
        assert.deepEqual([counts.late, counts.lateIds], [1, [api.droppedAcks[0]]]);
        assert.deepEqual([counts.duplicated, counts.duplicatedIds], [1, [api.appliedTwice[0]]]);
        assert.equal(counts.acknowledged, ledger.acknowledged.length);

        const rto = recoveryMs(ledger.requests, SURVIVOR);
        assert.ok(rto !== null && rto >= 200, `RTO ${rto}`);
        const report = ledgerReport(
            "failover",
            { writes: counts, rtoMs: rto, failbackMs: null, steps: clock.steps },
            { lostWrites: 0, rtoMs: 60_000 },
        );
        assert.deepEqual(
            report.steps.map((s) => s.step),
            ["cut-replication", "stop-primary", "promote", "repoint"],
        );
        assert.deepEqual(
            report.budgets.map((b) => [b.figure, b.exceeded]),
            [
                ["lostWrites", true],
                ["rtoMs", false],
            ],
        );
        assert.equal(budgetExit(report), 1);
        show(formatLedger(report));
    });

    it("switchover and failback: fence, catch up, clean stop, promote; nothing lost either way", async () => {
        const clock = new StepClock();
        const writes = load();
        const switchTo = async (from: Node, fromClient: () => Client, to: Node, region: string) => {
            await clock.time(`fence:${region}`, async () => api.fence(true));
            await clock.time(`catch-up:${region}`, () => until("the replica to catch up", () => caughtUp(fromClient(), replica)));
            await fromClient().end();
            await replica.end();
            await clock.time(`stop:${region}`, async () => db.pgCtl(from, "stop-fast"));
            await clock.time(`promote:${region}`, async () => db.pgCtl(to, "promote"));
            await clock.time(`repoint:${region}`, async () => {
                await api.point(to, region);
                api.fence(false);
            });
        };

        await until("200 acknowledged writes", () => writes.acknowledgedCount >= 200);
        await switchTo(db.primary, () => primary, db.replica, SURVIVOR);
        const switched = writes.acknowledgedCount;
        await until("100 writes on the new primary", () => writes.acknowledgedCount >= switched + 100);

        // Failback: the old primary (stopped cleanly) follows the new one, catches up, and takes over again.
        const standby = `${db.primary.dir}/standby.signal`;
        await import("node:fs").then((fs) => {
            fs.writeFileSync(standby, "");
            fs.appendFileSync(
                `${db.primary.dir}/postgresql.auto.conf`,
                `\nprimary_conninfo = 'host=127.0.0.1 port=${db.replica.port} user=postgres'\n`,
            );
        });
        db.pgCtl(db.primary, "start");
        primary = await db.replica.client();
        replica = await db.primary.client();
        const failbackStart = performance.now();
        await switchTo(db.replica, () => primary, db.primary, PRIMARY);
        const back = writes.acknowledgedCount;
        await until("100 writes after the failback", () => writes.acknowledgedCount >= back + 100);
        const ledger = await writes.stop();
        // An earlier drill's rows stay in the table: its ids (from 1 too) are not this run's duplicates.
        const writer = await db.primary.client();
        await writer.query("INSERT INTO ledger (run, id) VALUES ('an-earlier-drill', 1), ('an-earlier-drill', 2)");
        await writer.end();

        const counts = countWrites(ledger, await readBack(api.url, writes.run, 5000));
        assert.deepEqual([counts.lost, counts.duplicated, counts.late], [0, 0, 0]);
        assert.equal(counts.held, ledger.acknowledged.length);
        const report = ledgerReport(
            "switchover",
            {
                writes: counts,
                rtoMs: recoveryMs(ledger.requests, SURVIVOR),
                failbackMs: failbackMs(ledger.requests, PRIMARY, failbackStart),
                steps: clock.steps,
            },
            {
                lostWrites: 0,
                duplicatedWrites: 0,
                lateWrites: 0,
                rtoMs: 60_000,
                failbackMs: 60_000,
                stepMs: { [`promote:${SURVIVOR}`]: 30_000 },
            },
        );
        assert.ok(report.rtoMs !== null && report.failbackMs !== null, JSON.stringify([report.rtoMs, report.failbackMs]));
        assert.deepEqual(
            report.budgets.filter((b) => b.exceeded),
            [],
        );
        assert.equal(budgetExit(report), 0);
        show(formatLedger(report));
        assert.equal(report.steps.length, 10);
    });
});
