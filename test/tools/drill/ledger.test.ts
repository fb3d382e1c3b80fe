import * as assert from "node:assert/strict";
import {
    LIST_LIMIT,
    StepClock,
    budgetExit,
    checkBudgets,
    countWrites,
    failbackMs,
    formatLedger,
    ledgerReport,
    recoveryMs,
} from "../../../tools/drill/ledger";

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe("drill ledger: counting", () => {
    it("counts lost (acknowledged, absent), duplicated (held twice) and late (held, never acknowledged)", () => {
        const ledger = { sent: range(1, 10), acknowledged: [1, 2, 3, 4, 5, 6, 8], requests: [] };
        // 4 and 6 lost; 2 held twice; 7 and 9 landed though the client saw an error; 10 never landed.
        const counts = countWrites(ledger, [1, 2, 2, 3, 5, 7, 8, 9]);
        assert.deepEqual(counts, {
            sent: 10,
            acknowledged: 7,
            held: 8,
            lost: 2,
            duplicated: 1,
            late: 2,
            lostIds: [4, 6],
            duplicatedIds: [2],
            lateIds: [7, 9],
        });
    });

    it("counts exactly beyond the listed ids", () => {
        const counts = countWrites({ sent: range(1, 3000), acknowledged: range(1, 3000), requests: [] }, []);
        assert.deepEqual([counts.lost, counts.lostIds.length, counts.lostIds[LIST_LIMIT - 1]], [3000, LIST_LIMIT, LIST_LIMIT]);
    });

    it("refuses a ledger whose ids are not unique and monotonic, or acknowledge what was never sent", () => {
        assert.throws(() => countWrites({ sent: [1, 2, 2], acknowledged: [], requests: [] }, []), /sent twice/);
        assert.throws(() => countWrites({ sent: [1, 3, 2], acknowledged: [], requests: [] }, []), /2 after 3 is not monotonic/);
        assert.throws(() => countWrites({ sent: [1], acknowledged: [5], requests: [] }, []), /5 acknowledged but never sent/);
    });
});

describe("drill ledger: recovery, failback, steps, budgets", () => {
    const requests = [
        { atMs: 100, ok: true, servedBy: "us-east-1" },
        { atMs: 200, ok: false },
        { atMs: 250, ok: true, servedBy: "us-east-1" },
        { atMs: 900, ok: true, servedBy: "eu-central-1" },
        { atMs: 5000, ok: true, servedBy: "us-east-1" },
    ];

    it("RTO: first failure to the survivor's first success; failback: its start to the original's first success", () => {
        assert.equal(recoveryMs(requests, "eu-central-1"), 700);
        assert.equal(recoveryMs(requests, "ap-southeast-1"), null);
        assert.equal(recoveryMs(requests.slice(0, 1), "eu-central-1"), null, "the survivor never served");
        assert.equal(recoveryMs([requests[0], requests[3]], "eu-central-1"), 0, "nothing failed: no downtime");
        // From the send of the first failing request: one that timed out 4,800 ms after it left counts from then.
        const timedOut = [requests[0], { atMs: 5200, sentMs: 400, ok: false }, { atMs: 6000, ok: true, servedBy: "eu-central-1" }];
        assert.equal(recoveryMs(timedOut, "eu-central-1"), 5600);
        assert.equal(failbackMs(requests, "us-east-1", 1000), 4000);
        assert.equal(failbackMs(requests, "us-east-1", 6000), null);
    });

    it("times steps in order, a failing step included", async () => {
        let t = 0;
        const clock = new StepClock(() => (t += 10));
        await clock.time("promote", async () => undefined);
        await assert.rejects(
            clock.time("repoint", async () => {
                throw new Error("boom");
            }),
        );
        assert.deepEqual(clock.steps, [
            { step: "promote", startMs: 10, endMs: 20, durationMs: 10 },
            { step: "repoint", startMs: 30, endMs: 40, durationMs: 10 },
        ]);
    });

    it("exceeds a budget when over it or unmeasured; exits 1 then, 0 within every budget", () => {
        const writes = countWrites({ sent: [1, 2], acknowledged: [1, 2], requests: [] }, [1]);
        const figures = { writes, rtoMs: 700, failbackMs: null, steps: [{ step: "promote", startMs: 0, endMs: 50, durationMs: 50 }] };
        assert.deepEqual(
            checkBudgets(figures, { lostWrites: 0, rtoMs: 1000, failbackMs: 60_000, stepMs: { promote: 40, fence: 10 } }).map((b) => [
                b.figure,
                b.value,
                b.exceeded,
            ]),
            [
                ["lostWrites", 1, true],
                ["rtoMs", 700, false],
                ["failbackMs", null, true],
                ["step:promote", 50, true],
                ["step:fence", null, true],
            ],
        );
        assert.equal(budgetExit(ledgerReport("failover", figures, { lostWrites: 0 })), 1);
        assert.equal(budgetExit(ledgerReport("failover", figures, { lostWrites: 1, rtoMs: 700 })), 0);
        assert.equal(
            formatLedger(ledgerReport("failover", figures, { lostWrites: 0 })),
            [
                "failover: 2 writes sent, 2 acknowledged, 1 rows on the new primary",
                "  lost 1, duplicated 0, late 0 (lost ids 2…2)",
                "  RTO 700 ms, failback not seen",
                "  step promote: 50 ms",
                "  budget lostWrites: 1 ≤ 0 EXCEEDED",
            ].join("\n"),
        );
    });
});
