import * as assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { projectRoot } from "../../plan/stackConfig";
import { TOOL_EXIT } from "../../tools/common";
import { main, parseOptions, runDrill } from "../../tools/drill";
import { ACCOUNT, type StandIn, TOKEN, startStandIn } from "../support/cfstandin";
import { type Target, captureIo, closedPort, startTarget } from "../support/loopback";

const ROOT = projectRoot();

describe("drill: the command", function () {
    this.timeout(20000);
    let dir: string;
    let standIn: StandIn;
    let target: Target;
    /** Seconds the load balancer takes to notice the disabled pool; answers 502 meanwhile. */
    const switchMs = 200;
    let switching = false;
    /** Whether the target answers 502 while switching. */
    let failSwitch = false;

    before(() => {
        dir = mkdtempSync(path.join(tmpdir(), "drill-"));
        writeFileSync(
            path.join(dir, "paced.yaml"),
            "name: paced\nthinkMs: { min: 20, max: 20 }\nrequests:\n  - { method: GET, path: /v1/sync }\n",
        );
    });
    after(() => rmSync(dir, { recursive: true, force: true }));

    beforeEach(async () => {
        standIn = await startStandIn([
            { id: "p1", name: "api-example-com-use1", enabled: true },
            { id: "p2", name: "api-example-com-euc1", enabled: true },
            { id: "p3", name: "api-example-com-apse1", enabled: true },
        ]);
        // The target plays the load balancer: served by us-east-1 while its pool is enabled,
        // by eu-central-1 once it is out, with a short window of errors in between.
        let served = "us-east-1";
        switching = false;
        standIn.onChange = (pool) => {
            if (pool.id !== "p1") return;
            if (pool.enabled) {
                served = "us-east-1";
                return;
            }
            switching = true;
            setTimeout(() => {
                switching = false;
                served = pool.enabled ? "us-east-1" : "eu-central-1";
            }, switchMs);
        };
        failSwitch = false;
        target = await startTarget({ headers: () => ({ "x-served-region": served }), status: () => (failSwitch && switching ? 502 : 200) });
    });
    afterEach(async () => {
        await standIn.close();
        await target.close();
    });

    const env = { CLOUDFLARE_API_TOKEN: TOKEN };
    const args = (extra: string[] = []) => [
        "--region",
        "us-east-1",
        "--execute",
        "--target",
        target.url,
        "--api-base",
        standIn.url,
        "--users",
        "2",
        "--scenario",
        path.join(dir, "paced.yaml"),
        "--before",
        "0.4",
        "--during",
        "2",
        "--settle",
        "0.3",
        "--after",
        "0.3",
        "--restore-wait",
        "1",
        ...extra,
    ];
    const fast = { apiRetries: 0, restoreAttempts: 3, restorePauseMs: 10, healthPollMs: 50 };

    it("without --execute prints the expectation and changes nothing", async () => {
        const io = captureIo();
        const report = path.join(dir, "planned.json");
        assert.equal(await main(["--region", "use1", "--api-base", standIn.url, "--report", report], io, {}), TOOL_EXIT.ok);
        assert.match(io.stdout(), /^If us-east-1 \(use1\) fails in stack prod, its 11250 users move:\n/);
        assert.match(io.stdout(), /Dry run: nothing changed\./);
        assert.deepEqual(standIn.calls, []);
        const r = JSON.parse(readFileSync(report, "utf8"));
        assert.deepEqual([r.executed, r.outcome, r.pool, r.expectation.cells[0].users], [false, "planned", null, 18750]);
    });

    it("takes the pool out under load, measures the reroute, restores it and reports", async () => {
        const io = captureIo();
        const report = path.join(dir, "report.json");
        assert.equal(await main(args(["--report", report]), io, env, fast), TOOL_EXIT.ok, io.stderr());
        assert.deepEqual(
            standIn.calls.map((c) => [c.kind, c.method, c.path, c.body]),
            [
                ["list", "GET", `/client/v4/accounts/${ACCOUNT}/load_balancers/pools`, undefined],
                ["health", "GET", `/client/v4/accounts/${ACCOUNT}/load_balancers/pools/p1/health`, undefined],
                ["disable", "PATCH", `/client/v4/accounts/${ACCOUNT}/load_balancers/pools/p1`, { enabled: false }],
                ["enable", "PATCH", `/client/v4/accounts/${ACCOUNT}/load_balancers/pools/p1`, { enabled: true }],
                ["health", "GET", `/client/v4/accounts/${ACCOUNT}/load_balancers/pools/p1/health`, undefined],
            ],
        );
        assert.ok(standIn.calls.every((c) => c.authorization === `Bearer ${TOKEN}`));
        assert.deepEqual(
            standIn.pools.map((p) => p.enabled),
            [true, true, true],
        );
        const r = JSON.parse(readFileSync(report, "utf8"));
        assert.deepEqual(
            [r.executed, r.outcome, r.restored, r.baselineRegion, r.reroutedTo, r.pool],
            [true, "completed", true, "us-east-1", "eu-central-1", { id: "p1", name: "api-example-com-use1", enabled: true }],
        );
        assert.ok(r.rerouteMs >= switchMs && r.rerouteMs < switchMs + 600, `reroute ${r.rerouteMs} ms`);
        assert.deepEqual(r.poolHealthBefore, { healthy: true, locations: 2 });
        assert.deepEqual(r.poolHealthAfter, { healthy: true, locations: 2 });
        for (const phase of ["before", "during", "after"]) {
            assert.ok(
                r.phases[phase].requests > 5 && r.phases[phase].latencyMs.p99 >= r.phases[phase].latencyMs.p50,
                `${phase}: ${JSON.stringify(r.phases[phase])}`,
            );
        }
        assert.equal(r.phases.before.errorRate, 0);
        const events: string[] = r.timeline.map((e: { event: string }) => e.event);
        assert.deepEqual(
            events.map((e) => e.replace(/\d+/g, "N")),
            [
                "pool api-example-com-useN (pN) found, enabled: true",
                "load started: N users against http://N.N.N.N:N",
                "disabling pool api-example-com-useN",
                "pool api-example-com-useN disabled (API answered enabled: false)",
                "rerouted to eu-central-N after N ms",
                "pool api-example-com-useN restored (enabled: true)",
                "load stopped after N requests",
                "pool api-example-com-useN reports healthy again",
            ],
        );
        assert.equal(events[4], `rerouted to eu-central-1 after ${r.rerouteMs} ms`);
        const at: number[] = r.timeline.map((e: { atMs: number }) => e.atMs);
        assert.deepEqual(
            [...at].sort((a, b) => a - b),
            at,
        );
        assert.match(
            io.stdout(),
            /Drill of us-east-1 \(use1\): COMPLETED\n {2}pool api-example-com-use1 \(p1\), restored: true\n {2}reroute \d+ ms \(us-east-1 → eu-central-1\); errors during the switch: 0\n {2}before {2}\d+ requests/,
        );
    });

    it("counts the errors of the switch", async () => {
        failSwitch = true;
        const report = path.join(dir, "errors.json");
        assert.equal(await main(args(["--report", report]), captureIo(), env, fast), TOOL_EXIT.ok);
        const r = JSON.parse(readFileSync(report, "utf8"));
        assert.ok(r.errorsDuringSwitch >= 2 && r.errorsDuringSwitch <= 2 * (switchMs / 20 + 2), `errors ${r.errorsDuringSwitch}`);
        assert.ok(
            r.errorsSettledMs !== null && r.errorsSettledMs < r.rerouteMs + 100,
            `settled ${r.errorsSettledMs}, reroute ${r.rerouteMs}`,
        );
        assert.equal(r.phases.during.httpErrors, r.errorsDuringSwitch);
        assert.equal(r.phases.after.errorRate, 0);
    });

    it("when the API fails to disable the pool, restores it anyway and says what happened", async () => {
        standIn.failures.disable = [500];
        const io = captureIo();
        const report = path.join(dir, "api-error.json");
        assert.equal(await main(args(["--report", report]), io, env, fast), TOOL_EXIT.failure);
        assert.deepEqual(
            standIn.calls.map((c) => c.kind),
            ["list", "health", "disable", "enable", "health"],
        );
        assert.equal(standIn.pools[0].enabled, true);
        assert.match(
            io.stderr(),
            /drill: disabling the pool failed: Cloudflare API answered 500: 1000 internal error; restoring the pool\ndrill: pool api-example-com-use1 restored \(enabled: true\)\n/,
        );
        const r = JSON.parse(readFileSync(report, "utf8"));
        assert.deepEqual([r.outcome, r.restored], ["failed", true]);
        assert.deepEqual(r.problems, ["disabling the pool failed: Cloudflare API answered 500: 1000 internal error; restoring the pool"]);
        assert.match(io.stdout(), /Drill of us-east-1 \(use1\): FAILED\n/);
    });

    it("retries the restore when the API errors, and shouts when the pool stays disabled", async () => {
        standIn.failures.enable = [503];
        const io = captureIo();
        assert.equal(await main(args(), io, env, fast), TOOL_EXIT.ok);
        assert.deepEqual(standIn.calls.filter((c) => c.kind === "enable").length, 2);
        assert.match(
            io.stderr(),
            /restoring pool api-example-com-use1 failed \(attempt 1 of 3\): Cloudflare API answered 503: 1000 internal error\n/,
        );
        assert.equal(standIn.pools[0].enabled, true);

        standIn.failures.enable = [503, 503, 503];
        const stuck = captureIo();
        assert.equal(await main(args(), stuck, env, fast), TOOL_EXIT.failure);
        assert.equal(standIn.pools[0].enabled, false);
        assert.match(stuck.stderr(), /POOL api-example-com-use1 \(p1\) IS STILL DISABLED: re-enable it now/);
        assert.match(stuck.stdout(), /FAILED — POOL STILL DISABLED/);
    });

    it("an aborted drill puts the pool back", async () => {
        const controller = new AbortController();
        standIn.onChange = (pool) => {
            if (!pool.enabled) setTimeout(() => controller.abort(), 50);
        };
        const io = captureIo();
        const { code, report } = await runDrill(parseOptions(args(), env, ROOT), { ...fast, io, signal: controller.signal });
        assert.equal(code, TOOL_EXIT.failure);
        assert.deepEqual(
            standIn.calls.map((c) => c.kind),
            ["list", "health", "disable", "enable"],
        );
        assert.equal(standIn.pools[0].enabled, true);
        assert.deepEqual([report.outcome, report.restored, report.problems], ["failed", true, ["interrupted: restoring the pool"]]);
    });

    it("Ctrl-C (SIGINT) during a drill puts the pool back before the process exits", async () => {
        const child = spawn(process.execPath, [path.join(ROOT, ".build", "tools", "drill.js"), ...args(["--during", "10"])], {
            env: { ...process.env, ...env },
            stdio: ["ignore", "pipe", "pipe"],
        });
        let stderr = "";
        child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
        standIn.onChange = (pool) => {
            if (!pool.enabled) setTimeout(() => child.kill("SIGINT"), 100);
        };
        const code = await new Promise<number | null>((resolve) => child.on("exit", (c) => resolve(c)));
        assert.equal(code, TOOL_EXIT.failure, stderr);
        assert.equal(standIn.pools[0].enabled, true);
        assert.deepEqual(
            standIn.calls.map((c) => c.kind),
            ["list", "health", "disable", "enable"],
        );
        assert.match(stderr, /drill: interrupted: restoring the pool\ndrill: pool api-example-com-use1 restored \(enabled: true\)\n/);
    });

    it("refuses a pool that is already disabled, touching nothing", async () => {
        standIn.pools[0].enabled = false;
        const io = captureIo();
        assert.equal(await main(args(), io, env, fast), TOOL_EXIT.failure);
        assert.deepEqual(
            standIn.calls.map((c) => c.kind),
            ["list"],
        );
        assert.match(io.stderr(), /drill: pool api-example-com-use1 is already disabled: someone took it out; the drill will not touch it/);
    });

    it("refuses a pool that is unhealthy before the drill", async () => {
        standIn.healthy = false;
        const io = captureIo();
        assert.equal(await main(args(), io, env, fast), TOOL_EXIT.failure);
        assert.deepEqual(
            standIn.calls.map((c) => c.kind),
            ["list", "health"],
        );
        assert.match(
            io.stderr(),
            /drill: pool api-example-com-use1 is unhealthy before the drill: its traffic is already failing over; fix it first\n/,
        );
    });

    it("without the region header, keeps the pool out for --during and judges by errors", async () => {
        failSwitch = true;
        const report = path.join(dir, "no-header.json");
        const io = captureIo();
        assert.equal(
            await main(args(["--region-header", "x-not-sent", "--during", "0.6", "--report", report]), io, env, fast),
            TOOL_EXIT.ok,
            io.stderr(),
        );
        const r = JSON.parse(readFileSync(report, "utf8"));
        assert.deepEqual([r.outcome, r.baselineRegion, r.rerouteMs, r.restored], ["completed", null, null, true]);
        assert.deepEqual(r.problems, [
            "no response carried x-not-sent before the pool went out: the reroute is judged by errors settling only",
        ]);
        assert.ok(
            r.errorsDuringSwitch > 0 && r.errorsSettledMs !== null && r.errorsSettledMs < switchMs + 100,
            `${r.errorsDuringSwitch} errors, settled ${r.errorsSettledMs}`,
        );
        assert.ok(r.phases.during.toMs - r.phases.during.fromMs >= 600);
    });

    it("says which pools exist when none matches --pool-name", async () => {
        const io = captureIo();
        assert.equal(await main(args(["--pool-name", "api-example-com-usw2"]), io, env, fast), TOOL_EXIT.failure);
        assert.match(
            io.stderr(),
            /drill: no load-balancer pool name starts with "api-example-com-usw2" \(pools in the account: api-example-com-apse1, api-example-com-euc1, api-example-com-use1\); pass --pool-name PREFIX\n/,
        );
    });

    it("refuses an unreachable target before touching the pool", async () => {
        const port = await closedPort();
        const io = captureIo();
        const a = args();
        a[a.indexOf(target.url)] = `http://127.0.0.1:${port}`;
        assert.equal(await main(a, io, env, fast), TOOL_EXIT.failure);
        assert.deepEqual(
            standIn.calls.map((c) => c.kind),
            ["list", "health"],
        );
        assert.match(
            io.stderr(),
            new RegExp(`drill: target http://127\\.0\\.0\\.1:${port} is unreachable: connect ECONNREFUSED 127\\.0\\.0\\.1:${port}\n`),
        );
        assert.equal(standIn.pools[0].enabled, true);
    });

    it("rejects bad input in one line, exit 2, before calling anything", async () => {
        writeFileSync(path.join(dir, "malformed.yaml"), "requests:\n  - { method: GET, path: /a\n");
        for (const [argv, e, message] of [
            [
                ["--region", "us-west-2"],
                {},
                'drill: --region "us-west-2" is not a cell of stack prod; its cells: us-east-1 (use1), eu-central-1 (euc1), ap-southeast-1 (apse1)\n',
            ],
            [
                ["--region", "use1", "--execute"],
                {},
                "drill: --execute needs a Cloudflare API token in CLOUDFLARE_API_TOKEN (Load Balancing: Monitors and Pools Write)\n",
            ],
            [[], {}, /^drill: --region is required \(usage: npm run drill -- --region NAME/],
            [
                ["--region", "use1", "--stack", "nosuch"],
                {},
                `drill: ${path.join(ROOT, "Pulumi.nosuch.yaml")} does not exist; create it or pass --stack with an existing stack (or --config FILE)\n`,
            ],
            [
                ["--region", "use1", "--scenario", path.join(dir, "missing.yaml")],
                {},
                `drill: scenario ${path.join(dir, "missing.yaml")}: no such file\n`,
            ],
            [
                ["--region", "use1", "--scenario", path.join(dir, "malformed.yaml")],
                {},
                /^drill: scenario .*malformed\.yaml is not valid YAML or JSON: .+\n$/,
            ],
            [
                ["--region", "use1", "--api-base", "not a url"],
                {},
                'drill: --api-base "not a url" is not a URL; expected e.g. https://api.example.com\n',
            ],
        ] as const) {
            const io = captureIo();
            assert.equal(await main([...argv], io, e), TOOL_EXIT.input, argv.join(" "));
            if (typeof message === "string") assert.equal(io.stderr(), message);
            else assert.match(io.stderr(), message);
            assert.ok(!io.stderr().trimEnd().includes("\n"));
        }
        assert.deepEqual(standIn.calls, []);
    });

    it("prints its usage with --help", async () => {
        const io = captureIo();
        assert.equal(await main(["--help"], io, {}), TOOL_EXIT.ok);
        assert.match(io.stdout(), /^usage: npm run drill -- --region NAME \[--stack prod\] \[--execute\]/);
    });

    it("defaults the pool prefix to the Edge's pool name and the target to the stack's hostname", () => {
        const o = parseOptions(["--region", "eu-central-1", "--stack", "staging"], {}, ROOT);
        assert.deepEqual(
            [o.poolPrefix, o.target, o.regionHeader, o.apiBase],
            ["api-staging-example-com-euc1", "https://api.staging.example.com", "x-served-region", undefined],
        );
        assert.equal(
            parseOptions(["--region", "use1"], { CLOUDFLARE_BASE_URL: "http://127.0.0.1:9/client/v4" }, ROOT).apiBase,
            "http://127.0.0.1:9/client/v4",
        );
    });

    it("takes each cell's maximum from the capacity model: maxReplicas × usersPerPod", () => {
        // prod: us-east-1 and eu-central-1 scale to 24 pods, ap-southeast-1 to 8; 800 users each.
        assert.deepEqual(parseOptions(["--region", "us-east-1"], {}, ROOT).maxUsers, {
            "us-east-1": 19200,
            "eu-central-1": 19200,
            "ap-southeast-1": 6400,
        });
    });
});
