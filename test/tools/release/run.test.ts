/**
 * `npm run release` end to end without credentials: a stand-in `pulumi` on PATH, stand-ins for
 * Cloudflare's pools and CloudWatch's alarms on loopback, a copy of Pulumi.prod.yaml as the stack
 * file, and a clock that jumps over the bakes. The offline plan of prod is made once (for the
 * targets); every state the release writes is parsed as the program would parse it.
 */
import * as assert from "node:assert/strict";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { parse } from "yaml";
import { projectRoot } from "../../../plan/stackConfig";
import { main } from "../../../tools/release/main";
import { type PlanResult, planFile } from "../../../tools/release/planCheck";
import { RELEASE_EXIT, stackOf } from "../../../tools/release/run";
import { type ReleaseState, readState } from "../../../tools/release/state";
import { cellTargets } from "../../../tools/release/targets";
import { type StandIn, TOKEN, startStandIn } from "../../support/cfstandin";
import { AWS_TEST_CREDENTIALS, type CloudWatchStandIn, startCloudWatch } from "../../support/cloudWatchStandIn";
import { captureIo } from "../../support/loopback";
import { type PulumiStandIn, installPulumiStandIn } from "../../support/pulumiStandIn";

const ROOT = projectRoot();
const DIGEST = `sha256:${"b".repeat(64)}`;
const OLD = "123456789012.dkr.ecr.us-east-1.amazonaws.com/api@sha256:4f1c8e0b7a9d2c3e5f6a7b8c9d0e1f2a3b4c5d6e7f8091a2b3c4d5e6f7a8b9c0";
const NEW = `123456789012.dkr.ecr.us-east-1.amazonaws.com/api@${DIGEST}`;
const CELL = (code: string) => `urn:pulumi:prod::platform::platform:cell:RegionalCell::${code}`;

describe("npm run release", function () {
    this.timeout(300_000);
    let prodPlan: PlanResult;
    let dir: string;
    let file: string;
    let pulumi: PulumiStandIn;
    let cloudflare: StandIn;
    let cloudwatch: CloudWatchStandIn;
    let clock: number;

    before(async () => {
        prodPlan = await planFile(path.join(ROOT, "Pulumi.prod.yaml"), "prod");
        assert.equal(prodPlan.code, 0, prodPlan.stderr);
    });

    beforeEach(async () => {
        dir = mkdtempSync(path.join(tmpdir(), "release-test-"));
        file = path.join(dir, "Pulumi.prod.yaml");
        copyFileSync(path.join(ROOT, "Pulumi.prod.yaml"), file);
        pulumi = installPulumiStandIn(dir);
        cloudflare = await startStandIn(
            ["use1", "euc1", "apse1"].map((code) => ({ id: `pool${code}`, name: `api-example-com-${code}`, enabled: true })),
        );
        cloudwatch = await startCloudWatch();
        clock = Date.parse("2026-12-02T12:00:00Z");
    });

    afterEach(async () => {
        await cloudflare.close();
        await cloudwatch.close();
        rmSync(dir, { recursive: true, force: true });
    });

    /** The release with `argv` on the copy; the plan is prod's (same URNs), after the state parses as the program would. */
    async function release(argv: string[], signal = new AbortController().signal, awsEnv: NodeJS.ProcessEnv = AWS_TEST_CREDENTIALS) {
        const io = captureIo();
        const code = await main([...argv, "--stack-file", file, "--poll-seconds", "60"], {
            io,
            root: ROOT,
            signal,
            env: {
                ...process.env,
                AWS_ACCESS_KEY_ID: undefined,
                AWS_SECRET_ACCESS_KEY: undefined,
                AWS_SESSION_TOKEN: undefined,
                AWS_PROFILE: undefined,
                ...awsEnv,
                PATH: `${pulumi.bin}:${process.env.PATH}`,
                CLOUDFLARE_API_TOKEN: TOKEN,
                CLOUDFLARE_BASE_URL: cloudflare.url,
                AWS_ENDPOINT_URL_CLOUDWATCH: cloudwatch.url,
                AWS_ENDPOINT_URL_ECR: cloudwatch.url,
            },
            now: () => clock,
            sleep: async (ms) => void (clock += ms),
            plan: async (planned) => {
                try {
                    stackOf(ROOT, planned, "prod");
                } catch (err) {
                    return { code: 2, stderr: (err as Error).message };
                }
                return prodPlan;
            },
        });
        return { code, out: io.stdout(), err: io.stderr() };
    }

    const state = (): ReleaseState => readState(path.join(dir, "releases", "prod.json"))!;
    const stackFile = () => parse(readFileSync(file, "utf8")).config as Record<string, any>;
    const ups = () => pulumi.calls().filter((c) => c.argv[0] === "up");
    const targetsOf = (argv: string[]) => argv.filter((a) => a.startsWith("urn:"));
    const cellsTargeted = (argv: string[]) => ["use1", "euc1", "apse1"].filter((code) => targetsOf(argv).includes(CELL(code)));

    it("releases in three waves, canary first, each up seeing only its wave's cells pinned and targeted, then makes the image stack-wide", async () => {
        const result = await release(["--image", DIGEST]);
        assert.equal(result.code, RELEASE_EXIT.ok, result.err);
        const calls = pulumi.calls();
        assert.deepEqual(
            calls.map((c) => c.argv[0] + (c.argv.includes("--expect-no-changes") ? " --expect-no-changes" : "")),
            ["preview", "up", "preview", "up", "preview", "up", "preview --expect-no-changes"],
        );
        assert.deepEqual(
            ups().map((c) => cellsTargeted(c.argv)),
            [["apse1"], ["euc1"], ["use1"]],
        );
        // Each wave's up targets exactly its cell's URNs (the cell and everything under it).
        const targets = cellTargets(prodPlan.plan!);
        for (const up of ups()) assert.deepEqual(targetsOf(up.argv), targets.get(cellsTargeted(up.argv)[0])!.urns);
        // apse1's URNs: 281 since issue 17's log domain setup (9 more: its component and 7 resources, the master role's
        // policy) and Grafana's role, policy and Pod Identity association (3 more); 282 with its logically air-gapped
        // backup vault (issue 15); 284 with its failed-backup EventBridge rule and target; 285 with its global-lag no-data ticket.
        assert.equal(targetsOf(ups()[0].argv).length, 285);
        assert.deepEqual(
            ups().map((c) => c.pins),
            [
                { "us-east-1": null, "eu-central-1": null, "ap-southeast-1": NEW },
                { "us-east-1": null, "eu-central-1": NEW, "ap-southeast-1": NEW },
                { "us-east-1": NEW, "eu-central-1": NEW, "ap-southeast-1": NEW },
            ],
        );
        assert.ok(ups().every((c) => c.stackImage === OLD && c.argv.includes("--yes") && c.argv.includes("--skip-preview")));
        // The policy pack judges every real preview and update, as the README's own preview runs it.
        for (const call of pulumi.calls().filter((c) => c.argv[0] === "preview" || c.argv[0] === "up")) {
            const at = call.argv.indexOf("--policy-pack");
            assert.deepEqual(
                call.argv.slice(at, at + 4),
                ["--policy-pack", "policy", "--policy-pack-config", "policy/config/prod.json"],
                call.argv[0],
            );
        }
        const last = calls.at(-1)!;
        assert.equal(last.stackImage, NEW);
        assert.deepEqual(last.pins, { "us-east-1": null, "eu-central-1": null, "ap-southeast-1": null });
        assert.equal(targetsOf(last.argv).length, 0);
        assert.equal(stackFile()["platform:app"].image, NEW);
        assert.equal(state().status, "done");
        assert.deepEqual(
            state().waves.map((w) => [w.regions, w.status, w.bakeMinutes]),
            [
                [["ap-southeast-1"], "done", 30],
                [["eu-central-1"], "done", 10],
                [["us-east-1"], "done", 10],
            ],
        );
        // Baked: 30 + 10 + 10 minutes on the clock, the gate asked about every cell reached so far.
        assert.equal(clock - Date.parse("2026-12-02T12:00:00Z"), 50 * 60_000);
        assert.ok(cloudwatch.calls.some((c) => c.region === "ap-southeast-1" && c.names.includes("platform-prod-apse1-alb-p99-latency")));
        assert.match(result.out, /Release \d{8}T\d{6}Z of prod: image → .*: done/);
        // Comments of the stack file survive the edits.
        assert.match(readFileSync(file, "utf8"), /# The API image, pinned by digest/);
    });

    it("stops at the first wave when its p99 alarm fires during the bake, and --rollback restores the cell", async () => {
        cloudwatch.stateOf = (name) => (name === "platform-prod-apse1-alb-p99-latency" && ups().length > 0 ? "ALARM" : "OK");
        const stopped = await release(["--image", DIGEST]);
        assert.equal(stopped.code, RELEASE_EXIT.stopped);
        assert.match(stopped.err, /unhealthy while wave 1 baked:\n {4}- apse1: alarm platform-prod-apse1-alb-p99-latency is in ALARM/);
        assert.match(stopped.err, /npm run release -- --stack prod --rollback/);
        assert.equal(ups().length, 1);
        assert.deepEqual(
            state().waves.map((w) => w.status),
            ["failed", "pending", "pending"],
        );
        assert.equal(state().status, "failed");
        assert.equal(stackFile()["platform:regions"][2].pins.image, NEW);

        const refused = await release(["--image", DIGEST]);
        assert.equal(refused.code, RELEASE_EXIT.input);
        assert.match(refused.err, /is failed .*--resume .*--rollback/);

        const rolledBack = await release(["--rollback"]);
        assert.equal(rolledBack.code, RELEASE_EXIT.ok, rolledBack.err);
        assert.equal(ups().length, 2);
        assert.deepEqual(cellsTargeted(ups()[1].argv), ["apse1"]);
        assert.deepEqual(ups()[1].pins, { "us-east-1": null, "eu-central-1": null, "ap-southeast-1": null });
        assert.ok(ups()[1].argv.some((a) => /roll back image/.test(a)));
        assert.equal(state().status, "rolledBack");
        assert.equal(readFileSync(file, "utf8"), readFileSync(path.join(ROOT, "Pulumi.prod.yaml"), "utf8"));
    });

    it("leaves a state it resumes from when interrupted while an update hangs", async () => {
        pulumi.script({ up: ["ok", "hang"] });
        const controller = new AbortController();
        const watcher = setInterval(() => {
            if (ups().length === 2) setTimeout(() => controller.abort(), 300);
        }, 100);
        const interrupted = await release(["--image", DIGEST], controller.signal).finally(() => clearInterval(watcher));
        assert.equal(interrupted.code, RELEASE_EXIT.interrupted);
        assert.match(interrupted.err, /interrupted during the update of wave 2; state saved .*--resume/);
        assert.equal(state().status, "interrupted");
        assert.deepEqual(
            state().waves.map((w) => w.status),
            ["done", "applying", "pending"],
        );

        const resumed = await release(["--resume"]);
        assert.equal(resumed.code, RELEASE_EXIT.ok, resumed.err);
        assert.deepEqual(
            ups().map((c) => cellsTargeted(c.argv)),
            [["apse1"], ["euc1"], ["euc1"], ["use1"]],
        );
        assert.equal(state().status, "done");
        assert.ok(state().events.some((e) => e.message === "resumed (was interrupted)"));
        assert.equal(stackFile()["platform:app"].image, NEW);
    });

    it("rolls back at once with --auto-rollback when an update fails", async () => {
        pulumi.script({ up: ["ok", "fail"] });
        const result = await release(["--image", DIGEST, "--auto-rollback"]);
        assert.equal(result.code, RELEASE_EXIT.stopped);
        assert.match(result.err, /the update of wave 2 failed \(pulumi exited 255\)/);
        // Newest first: wave 2's cell, then the canary.
        assert.deepEqual(
            ups().map((c) => cellsTargeted(c.argv)),
            [["apse1"], ["euc1"], ["euc1"], ["apse1"]],
        );
        assert.deepEqual(ups().at(-1)!.pins, { "us-east-1": null, "eu-central-1": null, "ap-southeast-1": null });
        assert.equal(state().status, "rolledBack");
    });

    it("ends done but exits 1 when the whole stack then previews with changes made outside the release", async () => {
        pulumi.script({ preview: ["ok", "ok", "ok", "fail"] });
        const result = await release(["--image", DIGEST]);
        assert.equal(result.code, RELEASE_EXIT.stopped);
        assert.match(result.err, /done, but the whole stack's preview \(no change expected\) failed .*review them and run pulumi up/);
        assert.equal(state().status, "done");
        assert.equal(stackFile()["platform:app"].image, NEW);
    });

    it("refuses to start while a pool is unhealthy, changing nothing", async () => {
        cloudflare.healthy = false;
        const result = await release(["--image", DIGEST]);
        assert.equal(result.code, RELEASE_EXIT.stopped);
        assert.match(result.err, /unhealthy before wave 1:\n {4}- apse1: Cloudflare pool api-example-com-apse1 is unhealthy/);
        assert.equal(pulumi.calls().length, 0);
        assert.equal(readFileSync(file, "utf8"), readFileSync(path.join(ROOT, "Pulumi.prod.yaml"), "utf8"));
    });

    it("checks the new image is in ECR in each wave's region first, and stops before pinning a region it has not reached", async () => {
        cloudwatch.hasImage = (region) => region !== "eu-central-1";
        const result = await release(["--image", DIGEST]);
        assert.equal(result.code, RELEASE_EXIT.stopped);
        assert.match(
            result.err,
            /image sha256:b{64} of api is not in ECR in eu-central-1 \(not found\): ECR replication has not copied it yet .*run --resume/,
        );
        assert.deepEqual(
            ups().map((c) => cellsTargeted(c.argv)),
            [["apse1"]],
        );
        assert.equal(stackFile()["platform:regions"][1].pins, undefined);
        assert.deepEqual(
            cloudwatch.imageCalls.map((c) => [c.region, c.repository, c.digest]),
            [
                ["ap-southeast-1", "api", DIGEST],
                ["eu-central-1", "api", DIGEST],
            ],
        );
        cloudwatch.hasImage = () => true;
        const resumed = await release(["--resume"]);
        assert.equal(resumed.code, RELEASE_EXIT.ok, resumed.err);
        assert.equal(state().status, "done");
    });

    it("waits while an alarm has insufficient data, and fails the bake if it still has none at its end", async () => {
        // The canary's p99 alarm has no data for 20 minutes after the update, then OK.
        let since = 0;
        cloudwatch.stateOf = (name) => {
            if (name !== "platform-prod-apse1-alb-p99-latency" || ups().length === 0) return "OK";
            since ||= clock;
            return clock - since < 20 * 60_000 ? "INSUFFICIENT_DATA" : "OK";
        };
        const waited = await release(["--image", DIGEST]);
        assert.equal(waited.code, RELEASE_EXIT.ok, "the canary bakes 30 min: the alarm has data after 20");
        assert.match(waited.out, /waiting for data: apse1: alarm platform-prod-apse1-alb-p99-latency has insufficient data/);
        since = 0;
        const before = ups().length;
        cloudwatch.stateOf = (name) => {
            if (name !== "platform-prod-apse1-alb-p99-latency" || ups().length === before) return "OK";
            since ||= clock;
            return clock - since < 20 * 60_000 ? "INSUFFICIENT_DATA" : "OK";
        };
        const late = await release(["--image", `sha256:${"c".repeat(64)}`, "--emergency", "--reason", "test"]);
        assert.equal(late.code, RELEASE_EXIT.stopped, "an emergency wave bakes 10 min: the alarm is still without data");
        assert.match(
            late.err,
            /not judged healthy at the end of wave 1's 10-min bake:\n {4}- apse1: alarm platform-prod-apse1-alb-p99-latency has insufficient data/,
        );
    });

    it("judges a small cell by its 5xx rate over the bake, not the alarms' fixed counts", async () => {
        // 9 5xx a minute stay under the alarms' 10 a minute; 9 of 600 requests a minute is 1.5 %.
        cloudwatch.sumOf = (metric, balancer) =>
            metric === "RequestCount"
                ? 6000
                : metric === "HTTPCode_Target_5XX_Count" && balancer.includes("apse1") && ups().length > 0
                  ? 90
                  : 0;
        const result = await release(["--image", DIGEST]);
        assert.equal(result.code, RELEASE_EXIT.stopped);
        assert.match(
            result.err,
            /unhealthy while wave 1 baked:\n {4}- apse1: 1\.500 % of its requests got a 5xx in the last \d+ min \(90 of 6000; the limit is 0\.1 %, platform:release\.max5xxPercent\)/,
        );
        const window = cloudwatch.metricCalls.find((c) => c.loadBalancer === "app/platform-prod-apse1-alb/0123456789abcdef")!;
        assert.deepEqual(window.metrics, ["HTTPCode_ELB_5XX_Count", "HTTPCode_Target_5XX_Count", "RequestCount"]);
        assert.equal(ups().length, 1);
    });

    it("reads AWS credentials through the SDK's default chain: a profile of the shared credentials file", async () => {
        const credentials = path.join(dir, "credentials");
        writeFileSync(credentials, "[release]\naws_access_key_id = AKIDPROFILE\naws_secret_access_key = profile-secret-not-a-secret\n");
        const result = await release(["--image", DIGEST], undefined, {
            AWS_PROFILE: "release",
            AWS_SHARED_CREDENTIALS_FILE: credentials,
            AWS_CONFIG_FILE: path.join(dir, "no-config"),
        });
        assert.equal(result.code, RELEASE_EXIT.ok, result.err);
        assert.ok(cloudwatch.calls.length > 0 && cloudwatch.calls.every((c) => c.accessKeyId === "AKIDPROFILE"));
    });

    it("--emergency applies every cell in one wave and records the reason", async () => {
        const result = await release(["--image", DIGEST, "--emergency", "--reason", "CVE-2026-0001 fix"]);
        assert.equal(result.code, RELEASE_EXIT.ok, result.err);
        assert.deepEqual(
            ups().map((c) => cellsTargeted(c.argv)),
            [["use1", "euc1", "apse1"]],
        );
        assert.equal(state().emergencyReason, "CVE-2026-0001 fix");
        assert.match(result.out, /EMERGENCY release, every cell at once: CVE-2026-0001 fix/);
    });

    it("upgrades Kubernetes one minor up only, and refuses to roll a minor back (EKS never downgrades)", async () => {
        const downgrade = await release(["--kubernetes-version", "1.35"]);
        assert.equal(downgrade.code, RELEASE_EXIT.input);
        assert.match(downgrade.err, /the cells run 1\.36; EKS updates a control plane one minor up at a time and never down/);
        writeFileSync(
            file,
            readFileSync(file, "utf8").replace("platform:app:", 'platform:compute:\n    kubernetesVersion: "1.35"\n  platform:app:'),
        );
        pulumi.script({ up: ["fail"] });
        const failed = await release(["--kubernetes-version", "1.36"]);
        assert.equal(failed.code, RELEASE_EXIT.stopped, failed.err);
        assert.equal(stackFile()["platform:regions"][2].pins.kubernetesVersion, "1.36");
        const rollback = await release(["--rollback"]);
        assert.equal(rollback.code, RELEASE_EXIT.failure);
        assert.match(rollback.err, /a Kubernetes minor cannot be rolled back \(EKS never downgrades a control plane\): fix forward/);
        assert.equal(ups().length, 1);
    });

    it("upgrades an Aurora minor the secondaries first, the primary last, refreshes the global cluster before the last preview, and refuses a rollback", async () => {
        const result = await release(["--aurora-engine-version", "16.10"]);
        assert.equal(result.code, RELEASE_EXIT.ok, result.err);
        assert.deepEqual(
            ups().map((c) => cellsTargeted(c.argv)),
            [["apse1"], ["euc1"], ["use1"]],
        );
        const [refresh, last] = pulumi.calls().slice(-2);
        assert.equal(last.argv[0], "preview");
        assert.ok(last.argv.includes("--expect-no-changes") && !last.argv.includes("--refresh"), last.argv.join(" "));
        // The global cluster's version followed its members: a refresh of it alone records that in the
        // state (a preview never writes it), so the new stack-wide value is no change, now and later.
        assert.deepEqual(refresh.argv.slice(0, 1), ["refresh"]);
        assert.ok(refresh.argv.includes("--yes") && refresh.argv.includes("--skip-preview"), refresh.argv.join(" "));
        assert.deepEqual(targetsOf(refresh.argv), [
            "urn:pulumi:prod::platform::platform:data:GlobalDatabase$aws:rds/globalCluster:GlobalCluster::global-db-cluster",
        ]);
        assert.equal(stackFile()["platform:data"].engineVersion, "16.10");
        assert.ok((stackFile()["platform:regions"] as { pins?: unknown }[]).every((r) => r.pins === undefined));
        assert.ok(
            pulumi
                .calls()
                .slice(0, -1)
                .every((c) => !c.argv.includes("--refresh")),
        );

        // A failed wave: the engine cannot be rolled back, the pin stays.
        // The stand-in counts every up of the test: the first release's three, then the next's two.
        pulumi.script({ up: ["ok", "ok", "ok", "ok", "fail"] });
        const failed = await release(["--aurora-engine-version", "16.11"]);
        assert.equal(failed.code, RELEASE_EXIT.stopped, failed.err);
        const ranBefore = ups().length;
        const rollback = await release(["--rollback"]);
        assert.equal(rollback.code, RELEASE_EXIT.failure);
        assert.match(
            rollback.err,
            /an Aurora engine version cannot be rolled back \(Aurora never downgrades an engine; going back is a restore from a snapshot or a point in time into a new cluster, docs\/database\.md\): fix forward/,
        );
        assert.equal(ups().length, ranBefore, "no update was run");
        assert.equal(stackFile()["platform:regions"][2].pins.auroraEngineVersion, "16.11");
    });

    it("refuses an Aurora minor whose waves put the primary with or before a secondary (custom waves, --emergency), changing nothing", async () => {
        const before = readFileSync(file, "utf8");
        writeFileSync(
            file,
            before.replace(
                "platform:regions:",
                "platform:release:\n    waves: [[us-east-1], [eu-central-1, ap-southeast-1]]\n  platform:regions:",
            ),
        );
        const custom = await release(["--aurora-engine-version", "16.10"]);
        assert.equal(custom.code, RELEASE_EXIT.input);
        assert.match(
            custom.err,
            /--aurora-engine-version 16\.10: the primary's wave 1 does not come after the secondaries eu-central-1 \(wave 2\), ap-southeast-1 \(wave 2\); AWS upgrades a global database's secondaries before its primary \("upgrade global replicas first"\): put the primary alone in the last wave of platform:release\.waves/,
        );
        writeFileSync(file, before);
        const emergency = await release(["--aurora-engine-version", "16.10", "--emergency", "--reason", "CVE"]);
        assert.equal(emergency.code, RELEASE_EXIT.input);
        assert.match(emergency.err, /the primary's wave 1 does not come after the secondaries .*\(no --emergency\)/);
        const major = await release(["--aurora-engine-version", "17.5"]);
        assert.equal(major.code, RELEASE_EXIT.input);
        assert.match(major.err, /after wave 1 the stack would be invalid: .*another major than platform:data\.engineVersion 16\.9/);
        assert.equal(pulumi.calls().length, 0);
        assert.equal(readFileSync(file, "utf8"), before);
    });

    it("refuses bad input before any change: no digest, a Kubernetes minor without pins, --emergency without a reason, no credentials", async () => {
        const cases: [string[], RegExp][] = [
            [["--image", "api:latest"], /--image "api:latest" is not sha256:<64 hex>/],
            [
                ["--kubernetes-version", "1.37"],
                /after wave 1 the stack would be invalid: .*pins\.kubernetesVersion: "1\.37" is not a version this program pins add-ons for/,
            ],
            [["--image", DIGEST, "--emergency"], /--emergency needs --reason TEXT/],
            [["--resume"], /no release under way/],
        ];
        for (const [argv, message] of cases) {
            const result = await release(argv);
            assert.equal(result.code, RELEASE_EXIT.input, argv.join(" "));
            assert.match(result.err, message);
        }
        const io = captureIo();
        const code = await main(["--image", DIGEST, "--stack-file", file], {
            io,
            root: ROOT,
            signal: new AbortController().signal,
            env: {},
        });
        assert.equal(code, RELEASE_EXIT.input);
        assert.match(io.stderr(), /the health gate needs CLOUDFLARE_API_TOKEN/);
        assert.equal(pulumi.calls().length, 0);
    });
});
