/** `npm run release -- --dry-run` on prod (the issue's "done when"), and the flags' refusals. */
import * as assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { projectRoot } from "../../../plan/stackConfig";
import { flagRows, synopsis } from "../../../plan/usage";
import { RELEASE_FLAGS, main, parseOptions } from "../../../tools/release/main";
import { RELEASE_EXIT } from "../../../tools/release/run";
import { captureIo } from "../../support/loopback";
import { tableAfter } from "../../support/markdown";

const DIGEST = `sha256:${"b".repeat(64)}`;

describe("npm run release: flags and the dry run", function () {
    this.timeout(600_000);

    it("--dry-run prints prod's waves with their cells, targets, gates and bake times, plans every state (exit 0) and changes nothing", async () => {
        const before = readFileSync(path.join(projectRoot(), "Pulumi.prod.yaml"), "utf8");
        const io = captureIo();
        const code = await main(["--image", DIGEST, "--dry-run"], { io, env: {}, signal: new AbortController().signal });
        assert.equal(code, RELEASE_EXIT.ok, io.stderr());
        const out = io.stdout();
        // 285 URNs in apse1: 281 since issue 17's log domain setup (+9) and Grafana's role, policy and Pod Identity association (+3),
        // its logically air-gapped backup vault (+1, issue 15), its failed-backup EventBridge rule and target (+2) and its
        // global-lag no-data ticket (+1, issue 17).
        assert.match(
            out,
            /^wave 1\/3: ap-southeast-1; bake 30 min\n {2}apse1: 285 target URNs under urn:pulumi:prod::platform::platform:cell:RegionalCell::apse1\n/m,
        );
        assert.match(out, /^wave 2\/3: eu-central-1; bake 10 min$/m);
        assert.match(out, /^wave 3\/3: us-east-1; bake 10 min$/m);
        assert.match(
            out,
            /gate: Cloudflare pool api-example-com-apse1 healthy; alarms platform-prod-apse1-alb-elb-5xx, platform-prod-apse1-alb-target-5xx, platform-prod-apse1-alb-p99-latency neither in ALARM nor without data; 5xx under 0\.1 % of requests; the image in ECR in ap-southeast-1 first/,
        );
        assert.equal(out.match(/offline plan with .* on the new image: exit 0/g)?.length, 3);
        assert.equal(readFileSync(path.join(projectRoot(), "Pulumi.prod.yaml"), "utf8"), before);
    });

    it("--dry-run of an Aurora minor prints the secondaries' waves first, the primary's last, and the global cluster's refresh", async () => {
        const io = captureIo();
        const code = await main(["--aurora-engine-version", "16.10", "--dry-run"], { io, env: {}, signal: new AbortController().signal });
        assert.equal(code, RELEASE_EXIT.ok, io.stderr());
        const out = io.stdout();
        assert.deepEqual(
            [...out.matchAll(/^wave (\d)\/3: ([a-z0-9-, ]+);/gm)].map((m) => `${m[1]} ${m[2]}`),
            ["1 ap-southeast-1", "2 eu-central-1", "3 us-east-1"],
        );
        assert.equal(out.match(/offline plan with .* on the new auroraEngineVersion: exit 0/g)?.length, 3);
        assert.match(
            out,
            /then platform:data\.engineVersion := 16\.10, the pins removed, pulumi refresh --target <the global cluster>, and pulumi preview --expect-no-changes/,
        );
    });

    it("is documented in docs/releases.md with the flags --help prints", () => {
        const synopsisLine = synopsis("release", RELEASE_FLAGS).replace(/^usage: /, "");
        assert.deepEqual(tableAfter("docs/releases.md", synopsisLine), flagRows(RELEASE_FLAGS));
    });

    it("refuses conflicting or missing flags", () => {
        const cases: [string[], RegExp][] = [
            [[], /give --image DIGEST, --kubernetes-version X\.Y or --aurora-engine-version X\.Y/],
            [["--image", DIGEST, "--kubernetes-version", "1.35"], /not --image and --kubernetes-version/],
            [["--kubernetes-version", "1.35", "--aurora-engine-version", "16.10"], /not --kubernetes-version and --aurora-engine-version/],
            [["--resume", "--rollback"], /--resume and --rollback exclude each other/],
            [["--rollback", "--image", DIGEST], /--rollback continues the release under way: give no --image/],
            [["--image", DIGEST, "--reason", "x"], /--reason only applies with --emergency/],
            [["--image", DIGEST, "--poll-seconds", "1"], /--poll-seconds "1" is not a whole number from 5 to 600/],
        ];
        for (const [argv, message] of cases) assert.throws(() => parseOptions(argv), message, argv.join(" "));
        assert.deepEqual((({ key, value }) => ({ key, value }))(parseOptions(["--aurora-engine-version", "16.10"])), {
            key: "auroraEngineVersion",
            value: "16.10",
        });
        const options = parseOptions(["--image", DIGEST]);
        assert.equal(options.stateFile, path.join(projectRoot(), "releases", "prod.json"));
        assert.equal(options.pulumiTimeoutMinutes, 90);
    });
});
