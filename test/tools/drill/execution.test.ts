import * as assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { projectRoot } from "../../../plan/stackConfig";
import { type DrillRuntime, runDrill } from "../../../tools/drill/execution";
import { parseOptions } from "../../../tools/drill/options";
import { type DrillReport } from "../../../tools/drill/report";
import { ACCOUNT, TOKEN } from "../../support/cfstandin";
import { ENV, FAST, SWITCH_MS, useDrillRig } from "../../support/drillRig";
import { captureIo, closedPort } from "../../support/loopback";

const ROOT = projectRoot();

describe("drill execution", function () {
    this.timeout(20000);
    const rig = useDrillRig();
    /** Runs the drill of `argv` against the rig; its report and what it wrote. */
    const drill = async (argv: string[], runtime: Omit<DrillRuntime, "io"> = FAST) => {
        const io = captureIo();
        const report = await runDrill(parseOptions(argv, ENV, ROOT), { ...runtime, io });
        return { report, stdout: io.stdout(), stderr: io.stderr() };
    };

    it("without --execute prints the expectation, changes nothing and reports the plan", async () => {
        const file = path.join(rig.dir, "planned.json");
        const { report, stdout } = await drill(["--region", "use1", "--api-base", rig.standIn.url, "--report", file]);
        assert.match(stdout, /^If us-east-1 \(use1\) fails in stack prod, its 11250 users move:\n/);
        assert.match(stdout, /Dry run: nothing changed\./);
        assert.deepEqual(rig.standIn.calls, []);
        assert.deepEqual(
            [report.executed, report.outcome, report.pool, report.expectation.cells[0].users],
            [false, "planned", null, 18750],
        );
        assert.deepEqual(JSON.parse(readFileSync(file, "utf8")), JSON.parse(JSON.stringify(report)));
    });

    it("takes the pool out under load, measures the reroute, restores it and reports", async () => {
        const file = path.join(rig.dir, "report.json");
        const { report, stdout, stderr } = await drill(rig.args(["--report", file]));
        assert.equal(report.outcome, "completed", stderr);
        assert.deepEqual(
            rig.standIn.calls.map((c) => [c.kind, c.method, c.path, c.body]),
            [
                ["list", "GET", `/client/v4/accounts/${ACCOUNT}/load_balancers/pools`, undefined],
                ["health", "GET", `/client/v4/accounts/${ACCOUNT}/load_balancers/pools/p1/health`, undefined],
                ["disable", "PATCH", `/client/v4/accounts/${ACCOUNT}/load_balancers/pools/p1`, { enabled: false }],
                ["enable", "PATCH", `/client/v4/accounts/${ACCOUNT}/load_balancers/pools/p1`, { enabled: true }],
                ["health", "GET", `/client/v4/accounts/${ACCOUNT}/load_balancers/pools/p1/health`, undefined],
            ],
        );
        assert.ok(rig.standIn.calls.every((c) => c.authorization === `Bearer ${TOKEN}`));
        assert.deepEqual(
            rig.standIn.pools.map((p) => p.enabled),
            [true, true, true],
        );
        const r: DrillReport = JSON.parse(readFileSync(file, "utf8"));
        assert.deepEqual(r, JSON.parse(JSON.stringify(report)));
        assert.deepEqual(
            [r.executed, r.outcome, r.restored, r.baselineRegion, r.reroutedTo, r.pool],
            [true, "completed", true, "us-east-1", "eu-central-1", { id: "p1", name: "api-example-com-use1", enabled: true }],
        );
        assert.ok(r.rerouteMs! >= SWITCH_MS && r.rerouteMs! < SWITCH_MS + 600, `reroute ${r.rerouteMs} ms`);
        assert.deepEqual(r.poolHealthBefore, { healthy: true, locations: 2 });
        assert.deepEqual(r.poolHealthAfter, { healthy: true, locations: 2 });
        for (const [name, phase] of Object.entries(r.phases)) assert.ok(phase!.requests > 5, `${name}: ${JSON.stringify(phase)}`);
        assert.equal(r.phases.before!.errorRate, 0);
        const events = r.timeline.map((e) => e.event);
        assert.deepEqual(
            events.map((e) => e.replace(/\d+/g, "N")),
            [
                "pool api-example-com-useN (pN) found, enabled: true",
                "load started: N users against http://N.N.N.N:N, each keeping the __cflb affinity cookie",
                "disabling pool api-example-com-useN",
                "pool api-example-com-useN disabled (API answered enabled: false)",
                "rerouted to eu-central-N after N ms",
                "pool api-example-com-useN restored (enabled: true)",
                "load stopped after N requests",
                "pool api-example-com-useN reports healthy again",
            ],
        );
        assert.equal(events[4], `rerouted to eu-central-1 after ${r.rerouteMs} ms`);
        assert.match(
            stdout,
            /Drill of us-east-1 \(use1\): COMPLETED\n {2}pool api-example-com-use1 \(p1\), restored: true\n {2}reroute \d+ ms \(us-east-1 → eu-central-1\); errors during the switch: 0\n {2}before {2}\d+ requests/,
        );
    });

    it("counts the errors of the switch", async () => {
        rig.failSwitch = true;
        const { report: r } = await drill(rig.args());
        assert.equal(r.outcome, "completed");
        assert.ok(r.errorsDuringSwitch >= 2 && r.errorsDuringSwitch <= 2 * (SWITCH_MS / 20 + 2), `errors ${r.errorsDuringSwitch}`);
        assert.ok(
            r.errorsSettledMs !== null && r.errorsSettledMs < r.rerouteMs! + 100,
            `settled ${r.errorsSettledMs}, reroute ${r.rerouteMs}`,
        );
        assert.equal(r.phases.during!.httpErrors, r.errorsDuringSwitch);
        assert.equal(r.phases.after!.errorRate, 0);
    });

    it("when the API fails to disable the pool, restores it anyway and says what happened", async () => {
        rig.standIn.failures.disable = [500];
        const { report: r, stdout, stderr } = await drill(rig.args());
        assert.deepEqual(
            rig.standIn.calls.map((c) => c.kind),
            ["list", "health", "disable", "enable", "health"],
        );
        assert.equal(rig.standIn.pools[0].enabled, true);
        assert.match(
            stderr,
            /drill: disabling the pool failed: Cloudflare API answered 500: 1000 internal error; restoring the pool\ndrill: pool api-example-com-use1 restored \(enabled: true\)\n/,
        );
        assert.deepEqual([r.outcome, r.restored], ["failed", true]);
        assert.deepEqual(r.problems, ["disabling the pool failed: Cloudflare API answered 500: 1000 internal error; restoring the pool"]);
        assert.match(stdout, /Drill of us-east-1 \(use1\): FAILED\n/);
    });

    it("retries the restore when the API errors, and shouts when the pool stays disabled", async () => {
        rig.standIn.failures.enable = [503];
        const retried = await drill(rig.args());
        assert.equal(retried.report.outcome, "completed");
        assert.deepEqual(rig.standIn.calls.filter((c) => c.kind === "enable").length, 2);
        assert.match(
            retried.stderr,
            /restoring pool api-example-com-use1 failed \(attempt 1 of 3\): Cloudflare API answered 503: 1000 internal error\n/,
        );
        assert.equal(rig.standIn.pools[0].enabled, true);

        rig.standIn.failures.enable = [503, 503, 503];
        const stuck = await drill(rig.args());
        assert.deepEqual([stuck.report.outcome, stuck.report.restored], ["failed", false]);
        assert.equal(rig.standIn.pools[0].enabled, false);
        assert.match(stuck.stderr, /POOL api-example-com-use1 \(p1\) IS STILL DISABLED: re-enable it now/);
        assert.match(stuck.stdout, /FAILED — POOL STILL DISABLED/);
    });

    it("an aborted drill puts the pool back", async () => {
        const controller = new AbortController();
        rig.standIn.onChange = (pool) => {
            if (!pool.enabled) setTimeout(() => controller.abort(), 50);
        };
        const { report } = await drill(rig.args(), { ...FAST, signal: controller.signal });
        assert.deepEqual(
            rig.standIn.calls.map((c) => c.kind),
            ["list", "health", "disable", "enable"],
        );
        assert.equal(rig.standIn.pools[0].enabled, true);
        assert.deepEqual([report.outcome, report.restored, report.problems], ["failed", true, ["interrupted: restoring the pool"]]);
    });

    it("refuses a pool that is already disabled, touching nothing", async () => {
        rig.standIn.pools[0].enabled = false;
        const { report, stderr } = await drill(rig.args());
        assert.equal(report.outcome, "failed");
        assert.deepEqual(
            rig.standIn.calls.map((c) => c.kind),
            ["list"],
        );
        assert.match(stderr, /drill: pool api-example-com-use1 is already disabled: someone took it out; the drill will not touch it/);
    });

    it("refuses a pool that is unhealthy before the drill", async () => {
        rig.standIn.healthy = false;
        const { report, stderr } = await drill(rig.args());
        assert.deepEqual([report.outcome, report.poolHealthBefore], ["failed", { healthy: false, locations: 2 }]);
        assert.deepEqual(
            rig.standIn.calls.map((c) => c.kind),
            ["list", "health"],
        );
        assert.match(
            stderr,
            /drill: pool api-example-com-use1 is unhealthy before the drill: its traffic is already failing over; fix it first\n/,
        );
    });

    it("without the region header, keeps the pool out for --during and judges by errors", async () => {
        rig.failSwitch = true;
        const { report: r, stderr } = await drill(rig.args(["--region-header", "x-not-sent", "--during", "0.6"]));
        assert.deepEqual([r.outcome, r.baselineRegion, r.rerouteMs, r.restored], ["completed", null, null, true], stderr);
        assert.deepEqual(r.problems, [
            "no response carried x-not-sent before the pool went out: the reroute is judged by errors settling only",
        ]);
        assert.ok(
            r.errorsDuringSwitch > 0 && r.errorsSettledMs !== null && r.errorsSettledMs < SWITCH_MS + 100,
            `${r.errorsDuringSwitch} errors, settled ${r.errorsSettledMs}`,
        );
        assert.ok(r.phases.during!.toMs - r.phases.during!.fromMs >= 600);
    });

    it("says which pools exist when none matches --pool-name", async () => {
        const { report, stderr } = await drill(rig.args(["--pool-name", "api-example-com-usw2"]));
        assert.deepEqual([report.outcome, report.pool], ["failed", null]);
        assert.match(
            stderr,
            /drill: no load-balancer pool name starts with "api-example-com-usw2" \(pools in the account: api-example-com-apse1, api-example-com-euc1, api-example-com-use1\); pass --pool-name PREFIX\n/,
        );
    });

    it("refuses an unreachable target before touching the pool", async () => {
        const port = await closedPort();
        const argv = rig.args();
        argv[argv.indexOf(rig.target.url)] = `http://127.0.0.1:${port}`;
        const { report, stderr } = await drill(argv);
        assert.equal(report.outcome, "failed");
        assert.deepEqual(
            rig.standIn.calls.map((c) => c.kind),
            ["list", "health"],
        );
        assert.match(
            stderr,
            new RegExp(`drill: target http://127\\.0\\.0\\.1:${port} is unreachable: connect ECONNREFUSED 127\\.0\\.0\\.1:${port}\n`),
        );
        assert.equal(rig.standIn.pools[0].enabled, true);
    });
});
