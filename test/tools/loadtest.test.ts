import * as assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { projectRoot } from "../../plan/stackConfig";
import { flagRows, synopsis, usage } from "../../plan/usage";
import { TOOL_EXIT } from "../../tools/common";
import { type DistributedFlags, rateLimitProblems } from "../../tools/distributed/command";
import { planRun } from "../../tools/distributed/run";
import { LOADTEST_FLAGS, main, parseOptions } from "../../tools/loadtest";
import { type Target, captureIo, closedPort, startTarget } from "../support/loopback";
import { tableAfter } from "../support/markdown";
import { BUSY_YAML, pacedYaml, scratchFolder } from "../support/scenarios";

const ROOT = projectRoot();
/** A digest-pinned image as --image takes it (test data: no such digest is claimed to exist). */
const IMAGE = `node:22-bookworm-slim@sha256:${"0123456789abcdef".repeat(4)}`;
const scratch = scratchFolder("loadtest-");

describe("loadtest: the command", function () {
    this.timeout(15000);
    let target: Target;
    afterEach(() => target?.close());
    const args = (t: string, extra: string[] = []) => [
        "--target",
        t,
        "--scenario",
        scratch.file("paced.yaml", pacedYaml(10)),
        "--users",
        "3",
        "--duration",
        "0.8",
        "--quiet",
        ...extra,
    ];
    /**
     * Counted, not timed: 60 requests (--max-requests) end the run, --duration only bounds it, with no
     * warm-up every request is counted, and any answer within --timeout meets --p99-ms 5000, so the
     * verdict depends on the errors alone, never on how busy the machine is (speed: `npm run bench`).
     */
    const counted = (t: string, extra: string[] = []) =>
        args(t, ["--duration", "20", "--warmup", "0", "--max-requests", "60", "--timeout", "5", "--p99-ms", "5000", ...extra]);

    it("passes against a target that answers every request, exit 0, and writes the JSON report", async () => {
        target = await startTarget();
        const io = captureIo();
        const json = path.join(scratch.path(), "fast.json");
        assert.equal(await main(counted(target.url, ["--json", json]), io), TOOL_EXIT.ok);
        const report = JSON.parse(readFileSync(json, "utf8"));
        assert.equal(report.target, target.url);
        assert.equal(report.users, 3);
        assert.equal(report.scenario, "paced");
        assert.equal(report.requests, 60);
        assert.equal(target.seen.length, 60);
        assert.deepEqual(report.errors, { http: 0, socket: 0, timeouts: 0 });
        assert.deepEqual(report.objective, { p99Ms: 5000, maxErrorRate: 0.001, holds: true, reasons: [] });
        assert.deepEqual(report.model, { kind: "closed" });
        assert.equal(report.byClass.read.requests, report.requests);
        assert.equal(report.byClass.write.requests, 0);
        assert.match(io.stdout(), /objective p99 < 5000 ms and errors < 0\.1%: HOLDS/);
    });

    it("fails against a slow target (p99 above 30 ms), exit 1", async () => {
        target = await startTarget({ delayMs: () => 45 });
        const io = captureIo();
        const json = path.join(scratch.path(), "slow.json");
        assert.equal(await main(args(target.url, ["--json", json]), io), TOOL_EXIT.objective);
        const report = JSON.parse(readFileSync(json, "utf8"));
        assert.equal(report.objective.holds, false);
        const [, p99] = /^p99 ([\d.]+) ms is not under 30 ms$/.exec(report.objective.reasons[0])!;
        assert.ok(Number(p99) >= 45, report.objective.reasons[0]);
        assert.equal(report.errorRate, 0);
        assert.match(io.stdout(), /FAILS \(p99 [\d.]+ ms is not under 30 ms\)/);
    });

    it("fails against an erroring target (1 in 10 answers 500), exit 1", async () => {
        target = await startTarget({ errorEvery: 10 });
        const io = captureIo();
        const json = path.join(scratch.path(), "erroring.json");
        assert.equal(await main(counted(target.url, ["--json", json]), io), TOOL_EXIT.objective);
        const report = JSON.parse(readFileSync(json, "utf8"));
        // 60 requests, every 10th answered 500: exactly 6 errors.
        assert.equal(report.errorRate, 0.1);
        assert.deepEqual([report.errors.http, report.statusCodes["500"]], [6, 6]);
        assert.deepEqual(report.objective.reasons, ["error rate 10% is not under 0.1%"]);
    });

    it("takes the objective from --p99-ms and --max-error-rate", async () => {
        // The defaults fail this target twice (p99 45 ms ≥ 30 ms, 10 % errors); the flags pass it.
        target = await startTarget({ delayMs: () => 45, errorEvery: 10 });
        assert.equal(await main(counted(target.url, ["--max-error-rate", "0.2"]), captureIo()), TOOL_EXIT.ok);
    });

    it("shows progress on stderr while it runs", async () => {
        target = await startTarget();
        const io = captureIo();
        const a = args(target.url)
            .filter((x) => x !== "--quiet")
            .map((x) => (x === "0.8" ? "1.3" : x));
        await main(a, io);
        assert.match(
            io.stderr(),
            /^loadtest: 3 users for 1\.3 s \(first 0\.325 s warm-up\) against http:\/\/127\.0\.0\.1:\d+ \(paced; closed model: each user thinks, sends and waits for the answer\)\n\[ {3}1s\] users 3 {2}[\d.]+ req\/s {2}p99 [\d.]+ ms {2}errors [\d.]+% {2}total \d+\n$/,
        );
    });

    it("when interrupted, stops early, prints what it measured and exits 3 (never a pass)", async () => {
        target = await startTarget();
        const io = captureIo();
        const controller = new AbortController();
        setTimeout(() => controller.abort(), 400);
        const started = Date.now();
        const a = args(target.url).map((x) => (x === "0.8" ? "20" : x));
        assert.equal(await main([...a, "--warmup", "0"], io, controller.signal), TOOL_EXIT.failure);
        assert.ok(Date.now() - started < 2000, `took ${Date.now() - started} ms`);
        assert.match(io.stdout(), /^3 users, 0\.\d s, closed model: \d+ requests/);
        assert.match(
            io.stderr(),
            /^loadtest: 3 users for 20 s \(first 0 s warm-up\) against [^\n]+\nloadtest: interrupted; the figures cover the part that ran\n$/,
        );
    });

    it("prints its usage with --help, generated from its flag table, exit 0", async () => {
        const io = captureIo();
        assert.equal(await main(["--help"], io), TOOL_EXIT.ok);
        assert.equal(io.stdout(), `${usage("loadtest", LOADTEST_FLAGS)}\n`);
        assert.match(
            io.stdout(),
            /^usage: npm run loadtest -- \[--target URL \| --stack NAME\] .* \[--quiet\] \[--ramp \[--start N\] \[--step N\] \[--max N\]\] \[--distributed \[--dry-run\] .*\]\n\n {2}--target URL +the API to load \(default https:\/\/<platform:domain> of the stack\)\n/,
        );
        assert.equal(io.stderr(), "");
    });

    it("is documented in docs/qa.md with the flags --help prints", () => {
        const synopsisLine = synopsis("loadtest", LOADTEST_FLAGS).replace(/^usage: /, "");
        assert.deepEqual(tableAfter("docs/qa.md", synopsisLine), flagRows(LOADTEST_FLAGS));
    });

    it("rejects an unreachable target in one line, exit 3, before any load", async () => {
        const io = captureIo();
        const port = await closedPort();
        assert.equal(await main(["--target", `http://127.0.0.1:${port}`, "--quiet"], io), TOOL_EXIT.failure);
        assert.equal(io.stderr(), `loadtest: target http://127.0.0.1:${port} is unreachable: connect ECONNREFUSED 127.0.0.1:${port}\n`);
        assert.equal(io.stdout(), "");
    });

    it("rejects a malformed scenario file in one line, exit 2", async () => {
        target = await startTarget();
        const io = captureIo();
        const bad = scratch.file("bad.yaml", "requests:\n  - { method: GET, path: /a, weight: zero }\n");
        assert.equal(await main(["--target", target.url, "--scenario", bad], io), TOOL_EXIT.input);
        assert.equal(
            io.stderr(),
            `loadtest: scenario bad.yaml is invalid: bad.yaml:requests[0].weight: "zero" is not a positive number; a weight is a relative frequency such as 60\n`,
        );
        assert.equal(target.seen.length, 0);
    });

    it("rejects bad flags and a missing scenario file in one line, exit 2", async () => {
        for (const [argv, message] of [
            [["--users", "0", "--target", "http://127.0.0.1:9"], 'loadtest: --users "0" is not a whole number from 1 to 100000\n'],
            [["--duration", "7200", "--target", "http://127.0.0.1:9"], 'loadtest: --duration "7200" is not a number from 0.1 to 3600\n'],
            [["--target", "ftp://x"], 'loadtest: --target "ftp://x" is not an http(s) URL\n'],
            [["--target", "http://127.0.0.1:9", "--scenario", "/nonexistent.yaml"], "loadtest: scenario /nonexistent.yaml: no such file\n"],
            [
                ["--target", "http://127.0.0.1:9", "--users", "10", "--max-requests", "5"],
                "loadtest: --max-requests 5 is below --users 10: every user needs at least one request\n",
            ],
            [["--target", "http://127.0.0.1:9", "--start", "5"], "loadtest: --start, --step and --max only apply with --ramp\n"],
            [
                ["--target", "http://127.0.0.1:9", "--bogus"],
                `loadtest: Unknown option '--bogus' (${synopsis("loadtest", LOADTEST_FLAGS)})\n`,
            ],
            [["--target", "http://127.0.0.1:9", "--ramp", "--start", "50", "--max", "20"], "loadtest: --max 20 is below --start 50\n"],
            [["--target", "http://127.0.0.1:9", "--rate", "5"], "loadtest: --rate only applies with --model open\n"],
            [["--target", "http://127.0.0.1:9", "--model", "poisson"], 'loadtest: --model "poisson" is not closed or open\n'],
            [
                ["--target", "http://127.0.0.1:9", "--engine", "local"],
                "loadtest: --dry-run, --users-per-worker, --engine, --sites, --start-in and --image only apply with --distributed\n",
            ],
            [
                ["--target", "http://127.0.0.1:9", "--distributed", "--ramp"],
                "loadtest: --ramp and --distributed do not go together: find the knee against one pod (docs/qa.md)\n",
            ],
            [
                ["--target", "http://127.0.0.1:9", "--distributed", "--engine", "ssh"],
                'loadtest: --engine "ssh" is not kubernetes or local\n',
            ],
            [
                ["--target", "http://127.0.0.1:9", "--ramp", "--start", "5", "--max", "20", "--max-requests", "10"],
                "loadtest: --max-requests 10 is below --max 20: every user needs at least one request\n",
            ],
            [
                ["--target", "http://127.0.0.1:9", "--duration", "2", "--warmup", "2"],
                "loadtest: --warmup 2 must be below --duration 2: the warm-up is part of each run\n",
            ],
            [
                ["--stack", "nosuch"],
                `loadtest: ${path.join(ROOT, "Pulumi.nosuch.yaml")} does not exist; create it or pass --stack with an existing stack (or --config FILE)\n`,
            ],
        ] as const) {
            const io = captureIo();
            assert.equal(await main([...argv], io), TOOL_EXIT.input, argv.join(" "));
            assert.equal(io.stderr(), message);
        }
    });

    it("runs the open model at --rate and says so in the report", async () => {
        target = await startTarget();
        const io = captureIo();
        const json = path.join(scratch.path(), "open.json");
        // Counted, not timed: 40 arrivals (--max-requests) end the run, --duration only bounds it; with no
        // warm-up every arrival is counted, and any answer within --timeout meets --p99-ms, so the exit
        // status is the wiring's, not the machine's speed (the rate itself: test/tools/load.test.ts).
        const argv = ["--target", target.url, "--scenario", scratch.file("paced.yaml", pacedYaml(10)), "--users", "3", "--quiet"];
        const bounds = ["--duration", "20", "--warmup", "0", "--max-requests", "40", "--timeout", "5", "--p99-ms", "5000"];
        assert.equal(await main([...argv, ...bounds, "--model", "open", "--rate", "100", "--json", json], io), TOOL_EXIT.ok);
        const report = JSON.parse(readFileSync(json, "utf8"));
        assert.deepEqual(report.model, { kind: "open", ratePerSecond: 100 });
        assert.match(io.stdout(), /^3 users, [\d.]+ s, open model: 40 requests/);
        assert.equal(report.requests, 40);
        assert.equal(target.seen.length, 40);
        // Little's law without --rate: 3 users / 10 ms of think = 300 requests/s.
        assert.deepEqual(
            parseOptions([
                "--target",
                "http://127.0.0.1:1",
                "--users",
                "3",
                "--model",
                "open",
                "--scenario",
                scratch.file("p.yaml", pacedYaml(10)),
            ]).model,
            { kind: "open", ratePerSecond: 300 },
        );
    });

    it("--distributed --dry-run prints the Jobs it would start per region for the stack's 25,000 users, and starts nothing", async () => {
        const io = captureIo();
        assert.equal(await main(["--distributed", "--dry-run", "--image", IMAGE], io), TOOL_EXIT.ok);
        const out = io.stdout();
        assert.match(
            out,
            /^distributed run [a-z0-9]+-[0-9a-f]{4} \(dry run: nothing started\): 25000 users of stack prod's traffic against https:\/\/api\.example\.com, closed model/,
        );
        const regions = [
            ...out.matchAll(
                /^ {2}(\S+) \((\S+) users, steered to (\S+)\): (\d+) users, (\d+) workers? .*Job (loadtest-\S+) in loadgen on (\S+)$/gm,
            ),
        ];
        assert.deepEqual(
            regions.map((m) => [m[1], m[2], m[3], Number(m[4]), Number(m[5]), m[7]]),
            [
                ["us-west-2", "WNAM", "us-east-1", 3750, 2, "loadgen-usw2"],
                ["us-east-1", "ENAM", "us-east-1", 7500, 4, "loadgen-use1"],
                ["eu-central-1", "WEU", "eu-central-1", 5000, 3, "loadgen-euc1"],
                ["eu-north-1", "EEU", "eu-central-1", 2500, 2, "loadgen-eun1"],
                ["ap-southeast-2", "OC", "ap-southeast-1", 1250, 1, "loadgen-apse2"],
                ["ap-southeast-1", "SEAS", "ap-southeast-1", 2500, 2, "loadgen-apse1"],
                ["ap-northeast-1", "NEAS", "ap-southeast-1", 2500, 2, "loadgen-apne1"],
            ],
        );
        // Each Job follows as YAML.
        assert.equal(out.match(/^kind: Job$/gm)?.length, 7);
        assert.equal(out.match(/^ {10}image: (\S+)$/m)?.[1], IMAGE);
        // The shipped sites list no egress, and prod exempts none: every site is far above 600 a minute.
        assert.deepEqual(
            [
                ...out.matchAll(
                    /^ {2}a run would be refused: (\S+)'s (\d+) users send about (\d+) API requests per 60 s through the site's egress, .*loadgen:sites\[\d\]\.egress and in platform:edge\.rateLimit\.exemptSources of Pulumi\.prod\.yaml .*$/gm,
                ),
            ].map((m) => [m[1], Number(m[2])]),
            [
                ["us-west-2", 3750],
                ["us-east-1", 7500],
                ["eu-central-1", 5000],
                ["eu-north-1", 2500],
                ["ap-southeast-2", 1250],
                ["ap-southeast-1", 2500],
                ["ap-northeast-1", 2500],
            ],
        );
        assert.equal(out.match(/a run would be refused/g)?.length, 7);
    });

    it("--distributed --dry-run without --image shows the Jobs with the image marked not given, and that a run would be refused", async () => {
        const io = captureIo();
        assert.equal(await main(["--distributed", "--dry-run"], io), TOOL_EXIT.ok);
        const out = io.stdout();
        assert.equal(out.match(/^kind: Job$/gm)?.length, 7);
        assert.deepEqual(
            [...new Set([...out.matchAll(/^ {10}image: (.+)$/gm)].map((m) => m[1]))],
            ['"<not given: pass --image NAME@sha256:DIGEST>"'],
        );
        assert.match(
            out,
            /^ {2}a run would be refused: --image is not given: a run on Kubernetes is refused until it is pinned by digest; get the multi-arch index digest with `docker buildx imagetools inspect node:22-bookworm-slim`/m,
        );
        const pinned = captureIo();
        assert.equal(await main(["--distributed", "--dry-run", "--image", IMAGE], pinned), TOOL_EXIT.ok);
        assert.doesNotMatch(pinned.stdout(), /--image is not given|<not given/);
    });

    it("--distributed needs --image pinned by digest for Jobs, and says how to get one", async () => {
        for (const argv of [
            ["--distributed"],
            ["--distributed", "--image", "node:22-bookworm-slim"],
            ["--distributed", "--dry-run", "--image", "node:22"],
        ]) {
            const io = captureIo();
            assert.equal(await main(argv, io), TOOL_EXIT.input, argv.join(" "));
            assert.match(
                io.stderr(),
                /^loadtest: --image .*docker buildx imagetools inspect node:22-bookworm-slim.*--image node:22-bookworm-slim@sha256:<that digest>/,
            );
        }
        // The local engine makes no Jobs: it runs this machine's Node.
        assert.equal(parseOptions(["--distributed", "--engine", "local", "--target", "http://127.0.0.1:1"]).distributed!.image, undefined);
    });

    it("--distributed starts the workers 480 s out by default (node groups at zero), and the Jobs' deadline follows", () => {
        const flags = parseOptions(["--distributed", "--dry-run", "--image", IMAGE]).distributed!;
        assert.equal(flags.startInS, 480);
        assert.equal(parseOptions(["--distributed", "--engine", "local", "--target", "http://127.0.0.1:1"]).distributed!.startInS, 3);
    });

    it("refuses a site above the zone's rate limit unless all its egress is exempt, and passes it once it is", () => {
        const options = parseOptions(["--distributed", "--dry-run", "--image", IMAGE]);
        const flags = options.distributed!;
        const plan = planRun({
            ...options,
            model: "closed",
            usersPerWorker: flags.usersPerWorker,
            startInS: flags.startInS,
            traffic: flags.traffic,
            steering: flags.steering,
        });
        const withEgress = (exempt: string[]): DistributedFlags => ({
            ...flags,
            sites: { ...flags.sites!, sites: flags.sites!.sites.map((s, i) => ({ ...s, egress: [`198.51.100.${i + 1}`] })) },
            zoneLimit: { ...flags.zoneLimit, rateLimit: { ...flags.zoneLimit.rateLimit, exemptSources: exempt } },
        });
        assert.equal(rateLimitProblems(plan, withEgress(["198.51.100.0/24"]), options).length, 0);
        assert.deepEqual(
            rateLimitProblems(plan, withEgress(["198.51.100.1/32"]), options).map((p) => /^(\S+)'s/.exec(p)![1]),
            ["us-west-2", "eu-central-1", "eu-north-1", "ap-southeast-2", "ap-southeast-1", "ap-northeast-1"],
        );
        // Another host than the stack's (a loopback server) has no zone limit.
        assert.deepEqual(rateLimitProblems(plan, flags, { ...options, target: "http://127.0.0.1:1" }), []);
    });

    it("--distributed --engine local runs every worker as a process and prints the merged report", async () => {
        target = await startTarget({ delayMs: () => 2 });
        const io = captureIo();
        const json = path.join(scratch.path(), "distributed.json");
        const argv = [
            "--distributed",
            "--engine",
            "local",
            "--stack",
            "staging",
            "--target",
            target.url,
            "--users",
            "6",
            "--users-per-worker",
            "2",
        ];
        const timing = [
            "--scenario",
            scratch.file("paced40.yaml", pacedYaml(40)),
            "--duration",
            "1",
            "--warmup",
            "0.2",
            "--start-in",
            "1.5",
            // Counted, not timed (see `counted`): the cap ends the run, any answer within --timeout meets --p99-ms.
            "--duration",
            "20",
            "--warmup",
            "0",
            "--max-requests",
            "60",
            "--timeout",
            "5",
            "--p99-ms",
            "5000",
        ];
        assert.equal(await main([...argv, ...timing, "--json", json], io), TOOL_EXIT.ok);
        const report = JSON.parse(readFileSync(json, "utf8"));
        assert.deepEqual(
            report.regions.map((r: { region: string; users: number; workers: number }) => [r.region, r.users, r.workers]),
            [
                ["us-east-1", 3, 2],
                ["eu-central-1", 3, 2],
            ],
        );
        assert.deepEqual(report.failedWorkers, []);
        assert.match(io.stdout(), /^whole run +all +6 +4 /m);
        assert.equal(target.seen.length, 60);
        assert.match(io.stdout(), /objective p99 < 5000 ms and errors < 0\.1%: HOLDS$/m);
    });

    it("defaults the target to https://<platform:domain> of the stack", () => {
        assert.equal(parseOptions(["--users", "30"]).target, "https://api.example.com");
        assert.equal(parseOptions(["--stack", "staging", "--users", "30"]).target, "https://api-staging.example.com");
    });

    it("without --users (or --max), runs the most users under the zone's rate limit on the stack's hostname, and says so", async () => {
        const plain = parseOptions([]);
        assert.equal(plain.users, 38);
        assert.deepEqual(plain.notes, [
            `--users not given: 38 instead of 100, the most users under the zone's rate limit of 600 API requests per 60 s per client address on api.example.com (docs/qa.md, "The zone's rate limit")`,
        ]);
        // Staging's limit is raised for the CI gate (Pulumi.staging.yaml): 100 users fit, and the gate's 1,000.
        assert.deepEqual([parseOptions(["--stack", "staging"]).users, parseOptions(["--stack", "staging"]).notes], [100, []]);
        assert.deepEqual(parseOptions(["--ramp"]).ramp, { start: 9, step: 9, max: 38 });
        assert.match(parseOptions(["--ramp"]).notes.join("\n"), /^--max not given: 38 instead of 2000, /);
        assert.deepEqual(parseOptions(["--ramp", "--start", "10", "--step", "5"]).ramp, { start: 10, step: 5, max: 38 });
        // Another target has no zone limit: the plain default.
        const loopback = parseOptions(["--target", "http://127.0.0.1:1"]);
        assert.deepEqual([loopback.users, loopback.notes], [100, []]);
        assert.deepEqual(parseOptions(["--target", "http://127.0.0.1:1", "--ramp"]).ramp, { start: 100, step: 100, max: 2000 });
    });

    it("runs docs/qa.md's CI gate from one hosted runner: staging's raised limit takes 1,000 users, not 1,100", () => {
        const gate = /^ {2}- run: npm run loadtest -- (.+)$/m.exec(readFileSync(path.join(projectRoot(), "docs/qa.md"), "utf8"))![1];
        assert.equal(gate, "--stack staging --users 1000 --duration 120 --json loadtest.json");
        assert.equal(parseOptions(gate.split(" ")).users, 1000);
        assert.throws(
            () => parseOptions(["--stack", "staging", "--users", "1100"]),
            /above the zone's limit of 16000 per client address.*--users 1031 or fewer/,
        );
    });

    it("refuses, from one machine, an explicit load above the zone's rate limit on the stack's hostname", () => {
        assert.throws(
            () => parseOptions(["--users", "100"]),
            (err: Error) =>
                err.message ===
                "100 users send about 1551 API requests per 60 s from this machine, above the zone's limit of 600 per client address: the edge would answer 429 and spoil the load test; use --users 38 or fewer, or list this machine's egress in platform:edge.rateLimit.exemptSources (Business plan) and pass --rate-limit-exempt",
        );
        assert.throws(
            () => parseOptions(["--rate-limit-exempt", "--users", "100"]),
            /--rate-limit-exempt needs this machine's egress in platform:edge\.rateLimit\.exemptSources, which is empty$/,
        );
        assert.throws(() => parseOptions(["--ramp", "--max", "200"]), /^Error: --max: 200 users send about 3102 API requests per 60 s/);
        assert.equal(parseOptions(["--users", "38"]).users, 38);
    });

    it("defaults --max-requests to what the users send in --duration, so the duration ends the run", () => {
        // The shipped scenario: 3.675 s mean think; 25,000 users for 600 s send at most 4,081,633, and a tenth more.
        const options = parseOptions(["--target", "http://127.0.0.1:1", "--users", "25000", "--duration", "600"]);
        assert.equal(options.maxRequests, Math.ceil((25000 / 3.675) * 600 * 1.1) + 25000);
        assert.equal(
            parseOptions(["--target", "http://127.0.0.1:1", "--model", "open", "--rate", "5500", "--duration", "600"]).maxRequests,
            Math.ceil(5500 * 600 * 1.1) + 100,
        );
        assert.equal(parseOptions(["--target", "http://127.0.0.1:1", "--users", "30", "--max-requests", "60"]).maxRequests, 60);
        assert.throws(
            () => parseOptions(["--target", "http://127.0.0.1:1", "--model", "open", "--rate", "5500", "--duration", "3600"]),
            /^Error: 100 users would send about 19800000 requests in --duration 3600, above the 10000000 --max-requests allows: shorten --duration or split the load \(--distributed\)$/,
        );
        assert.deepEqual(parseOptions(["--target", "http://127.0.0.1:1"]).objective, { p99Ms: 30, maxErrorRate: 0.001 });
    });
});

describe("loadtest: the capacity probe (--ramp)", function () {
    this.timeout(20000);
    const K = 3;
    let target: Target;
    // 2 ms while at most K requests are in flight, 250 ms beyond: the knee is K users (test/tools/ramp.test.ts
    // says why the objective is 100 ms).
    beforeEach(async () => {
        target = await startTarget({ delayMs: (inFlight) => (inFlight > K ? 250 : 2) });
    });
    afterEach(() => target.close());

    it("prints the knee, writes it as JSON, exit 0; exit 1 when the first step already breaks", async () => {
        const io = captureIo();
        const json = path.join(scratch.path(), "ramp.json");
        const argv = [
            "--ramp",
            "--target",
            target.url,
            "--scenario",
            scratch.file("busy.yaml", BUSY_YAML),
            "--duration",
            "0.8",
            "--warmup",
            "0.2",
            "--p99-ms",
            "100",
            "--quiet",
        ];
        assert.equal(await main([...argv, "--start", "2", "--step", "2", "--max", "8", "--json", json], io), TOOL_EXIT.ok);
        const report = JSON.parse(readFileSync(json, "utf8"));
        assert.deepEqual([report.kneeUsers, report.brokeAt, report.steps.map((s: { users: number }) => s.users)], [2, 4, [2, 4]]);
        assert.match(io.stdout(), /knee: 2 users \(the objective broke at 4\)/);
        const late = captureIo();
        assert.equal(await main([...argv, "--start", "5", "--max", "5"], late), TOOL_EXIT.objective);
        assert.match(late.stdout(), /knee: none — the objective already broke at 5 users; lower --start/);
    });
});
