import * as assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { projectRoot } from "../../../plan/stackConfig";
import { synopsis, usage } from "../../../plan/usage";
import { TOOL_EXIT } from "../../../tools/common";
import { exitCodeOf, main } from "../../../tools/drill/main";
import { DRILL_FLAGS } from "../../../tools/drill/options";
import { ENV, FAST, useDrillRig } from "../../support/drillRig";
import { captureIo } from "../../support/loopback";

const ROOT = projectRoot();

describe("drill command", function () {
    this.timeout(20000);
    const rig = useDrillRig();

    it("exits 0 for a dry run or a completed drill, 1 when no reroute was seen, 3 when it failed", () => {
        assert.deepEqual((["planned", "completed", "no-reroute", "failed"] as const).map(exitCodeOf), [
            TOOL_EXIT.ok,
            TOOL_EXIT.ok,
            TOOL_EXIT.objective,
            TOOL_EXIT.failure,
        ]);
    });

    it("runs the drill: exit 0 when it completes, 3 when the API fails it", async () => {
        const io = captureIo();
        assert.equal(await main(rig.args(), io, ENV, FAST), TOOL_EXIT.ok, io.stderr());
        assert.match(io.stdout(), /Drill of us-east-1 \(use1\): COMPLETED\n/);
        rig.standIn.failures.disable = [500];
        assert.equal(await main(rig.args(), captureIo(), ENV, FAST), TOOL_EXIT.failure);
        assert.equal(rig.standIn.pools[0].enabled, true);
    });

    it("rejects bad input in one line, exit 2, before calling anything", async () => {
        for (const [argv, message] of [
            [[], `drill: --region is required (${synopsis("drill", DRILL_FLAGS)})\n`],
            [
                ["--region", "us-west-2"],
                'drill: --region "us-west-2" is not a cell of stack prod; its cells: us-east-1 (use1), eu-central-1 (euc1), ap-southeast-1 (apse1)\n',
            ],
            [["--region", "use1", "--users", "zero"], 'drill: --users "zero" is not a whole number from 1 to 100000\n'],
        ] as const) {
            const io = captureIo();
            assert.equal(await main([...argv, "--execute", "--api-base", rig.standIn.url], io, ENV, FAST), TOOL_EXIT.input, argv.join(" "));
            assert.equal(io.stderr(), message);
            assert.equal(io.stdout(), "");
        }
        assert.deepEqual(rig.standIn.calls, []);
    });

    it("prints its usage with --help, exit 0", async () => {
        const io = captureIo();
        assert.equal(await main(["--help"], io, {}), TOOL_EXIT.ok);
        assert.equal(io.stdout(), `${usage("drill", DRILL_FLAGS)}\n`);
        assert.equal(io.stderr(), "");
    });

    it("Ctrl-C (SIGINT) during a drill puts the pool back before the process exits", async () => {
        const child = spawn(process.execPath, [path.join(ROOT, ".build", "tools", "drill", "main.js"), ...rig.args(["--during", "10"])], {
            env: { ...process.env, ...ENV },
            stdio: ["ignore", "pipe", "pipe"],
        });
        let stderr = "";
        child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
        rig.standIn.onChange = (pool) => {
            if (!pool.enabled) setTimeout(() => child.kill("SIGINT"), 100);
        };
        const code = await new Promise<number | null>((resolve) => child.on("exit", (exitCode) => resolve(exitCode)));
        assert.equal(code, TOOL_EXIT.failure, stderr);
        assert.equal(rig.standIn.pools[0].enabled, true);
        assert.deepEqual(
            rig.standIn.calls.map((c) => c.kind),
            ["list", "health", "disable", "enable"],
        );
        assert.match(stderr, /drill: interrupted: restoring the pool\ndrill: pool api-example-com-use1 restored \(enabled: true\)\n/);
    });

    it("with --writes keeps a write ledger: exit 0 within its budgets, 1 when the writer lost acknowledged writes", async () => {
        const report = path.join(rig.dir, "ledger-report.json");
        // The switch answers 502 for a while: the RTO is measured from the first failed request.
        rig.failSwitch = true;
        const io = captureIo();
        const args = ["--writes", "/drill/writes", "--max-rto", "5", "--max-failback", "5", "--report", report];
        assert.equal(await main(rig.args(args), io, ENV, FAST), TOOL_EXIT.ok, io.stderr());
        const ledger = JSON.parse(readFileSync(report, "utf8")).ledger;
        assert.equal(ledger.writes.lost, 0);
        assert.equal(ledger.writes.acknowledged, rig.rows.length);
        assert.ok(ledger.writes.acknowledged > 0);
        assert.ok(ledger.rtoMs > 0 && ledger.failbackMs !== null, JSON.stringify(ledger));
        assert.deepEqual(
            ledger.budgets.map((b: { figure: string; exceeded: boolean }) => [b.figure, b.exceeded]),
            [
                ["lostWrites", false],
                ["duplicatedWrites", false],
                ["rtoMs", false],
                ["failbackMs", false],
            ],
        );
        assert.match(
            io.stdout(),
            /\nfailover: \d+ writes sent, \d+ acknowledged, \d+ rows on the new primary\n {2}lost 0, duplicated 0, late 0\n/,
        );

        // A writer that acknowledges and then loses the writes of the switch: over the zero budget.
        rig.failSwitch = false;
        rig.loseWhileSwitching = true;
        rig.rows.length = 0;
        const lossy = captureIo();
        assert.equal(await main(rig.args(args), lossy, ENV, FAST), TOOL_EXIT.objective, lossy.stderr());
        const lost = JSON.parse(readFileSync(report, "utf8")).ledger;
        assert.ok(lost.writes.lost > 0, JSON.stringify(lost.writes));
        assert.equal(lost.withinBudget, false);
        assert.match(lossy.stdout(), /budget lostWrites: \d+ ≤ 0 EXCEEDED/);
    });
});
