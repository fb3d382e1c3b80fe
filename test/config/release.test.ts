import * as assert from "node:assert/strict";
import { pinProblems } from "../../config/release";
import { TEST_IMAGE, parseRaw, prodRaw, stackProblems } from "../support/config";

const NEW_IMAGE = `123456789012.dkr.ecr.us-east-1.amazonaws.com/api@sha256:${"b".repeat(64)}`;
const THIRD_IMAGE = `123456789012.dkr.ecr.us-east-1.amazonaws.com/api@sha256:${"c".repeat(64)}`;

/** The prod stack with `pins` on the entries named, and `release` as the section. */
function prodWith(pins: Record<string, unknown>, release?: unknown) {
    return prodRaw((raw) => {
        for (const entry of raw.regions as Record<string, unknown>[]) {
            if (pins[entry.name as string] !== undefined) entry.pins = pins[entry.name as string];
        }
        if (release !== undefined) raw.release = release;
    });
}

describe("release config (per-cell pins, waves, bake times)", () => {
    it("gives every cell the stack-wide values when none is pinned, and the release defaults", () => {
        const { config } = parseRaw(prodRaw());
        assert.deepEqual(config.cellReleases, {
            "us-east-1": { image: TEST_IMAGE, kubernetesVersion: "1.36", auroraEngineVersion: "16.9" },
            "eu-central-1": { image: TEST_IMAGE, kubernetesVersion: "1.36", auroraEngineVersion: "16.9" },
            "ap-southeast-1": { image: TEST_IMAGE, kubernetesVersion: "1.36", auroraEngineVersion: "16.9" },
        });
        assert.deepEqual(config.release, { canaryBakeMinutes: 30, bakeMinutes: 10, max5xxPercent: 0.1 });
    });

    it("gives a pinned cell its pin and the others the stack's values", () => {
        const { config } = parseRaw(
            prodWith({ "ap-southeast-1": { image: NEW_IMAGE, kubernetesVersion: "1.35", auroraEngineVersion: "16.10" } }),
        );
        assert.deepEqual(config.cellReleases["ap-southeast-1"], {
            image: NEW_IMAGE,
            kubernetesVersion: "1.35",
            auroraEngineVersion: "16.10",
        });
        assert.deepEqual(config.cellReleases["us-east-1"], { image: TEST_IMAGE, kubernetesVersion: "1.36", auroraEngineVersion: "16.9" });
    });

    it("refuses a third image while two run", () => {
        assert.deepEqual(stackProblems(prodWith({ "ap-southeast-1": { image: NEW_IMAGE }, "eu-central-1": { image: THIRD_IMAGE } })), [
            `platform:regions[2].pins.image: the cells would run 3 distinct images (us-east-1: sha256:4f1c8e0b7a9d…; eu-central-1: sha256:cccccccccccc…; ap-southeast-1: sha256:bbbbbbbbbbbb…); a release moves cells from one image to one other: finish or roll back the release under way before starting another`,
        ]);
    });

    it("accepts two adjacent Kubernetes minors (a fleet mid-upgrade)", () => {
        assert.deepEqual(stackProblems(prodWith({ "ap-southeast-1": { kubernetesVersion: "1.35" } })), []);
    });

    it("refuses Kubernetes minors two apart, and three minors at once (pinProblems, whatever the table pins)", () => {
        const found = (entries: { name: string; pins?: { kubernetesVersion: string } }[]) => {
            const out: string[] = [];
            pinProblems(entries, { image: TEST_IMAGE, kubernetesVersion: "1.36", auroraEngineVersion: "16.9" }, (m, i, k) =>
                out.push(`[${i}].${k}: ${m}`),
            );
            return out;
        };
        const why = "EKS upgrades one minor at a time, so a fleet mid-upgrade runs two adjacent minors at most";
        assert.deepEqual(found([{ name: "a" }, { name: "b", pins: { kubernetesVersion: "1.34" } }]), [
            `[1].kubernetesVersion: the cells would run Kubernetes 1.34, 1.36; ${why}`,
        ]);
        assert.deepEqual(
            found([{ name: "a" }, { name: "b", pins: { kubernetesVersion: "1.35" } }, { name: "c", pins: { kubernetesVersion: "1.37" } }]),
            [`[1].kubernetesVersion: the cells would run Kubernetes 1.35, 1.36, 1.37; ${why}`],
        );
        assert.deepEqual(found([{ name: "a" }, { name: "b", pins: { kubernetesVersion: "1.37" } }]), []);
    });

    it("refuses a pin that is not a digest, and a Kubernetes minor without add-on pins", () => {
        const problems = stackProblems(prodWith({ "eu-central-1": { image: "api:latest", kubernetesVersion: "1.30" } }));
        assert.equal(problems.length, 2);
        assert.match(problems[0], /^platform:regions\[1\]\.pins\.image: "api:latest" .*pinned by digest/);
        assert.match(
            problems[1],
            /^platform:regions\[1\]\.pins\.kubernetesVersion: "1\.30" is not a version this program pins add-ons for/,
        );
    });

    it("refuses an unknown key in pins (the Aurora engine is the global cluster's, never a cell's)", () => {
        const problems = stackProblems(prodWith({ "eu-central-1": { engineVersion: "16.10" } }));
        assert.equal(problems.length, 1);
        assert.match(problems[0], /^platform:regions\[1\]\.pins/);
        assert.match(problems[0], /engineVersion/);
    });

    describe("the Aurora engine pin (a minor, the secondaries before the primary)", () => {
        const at = (region: number) => `platform:regions[${region}].pins.auroraEngineVersion`;

        it("accepts secondaries ahead of the primary, and every cell on the new minor", () => {
            assert.deepEqual(stackProblems(prodWith({ "ap-southeast-1": { auroraEngineVersion: "16.10" } })), []);
            const all = { auroraEngineVersion: "16.10" };
            assert.deepEqual(stackProblems(prodWith({ "us-east-1": all, "eu-central-1": all, "ap-southeast-1": all })), []);
        });

        it("refuses another major: a major goes through platform:data.engineVersion", () => {
            assert.deepEqual(stackProblems(prodWith({ "eu-central-1": { auroraEngineVersion: "17.5" } })), [
                `${at(1)}: eu-central-1 pins Aurora 17.5, another major than platform:data.engineVersion 16.9; a cell pins a minor of the stack's major only: a major goes through platform:data.engineVersion (the global cluster)`,
            ]);
        });

        it("refuses a pin below the stack-wide version (Aurora cannot downgrade)", () => {
            assert.deepEqual(stackProblems(prodWith({ "eu-central-1": { auroraEngineVersion: "16.4" } })), [
                `${at(1)}: eu-central-1 pins Aurora 16.4, below platform:data.engineVersion 16.9; Aurora cannot downgrade an engine (going back is a restore from a snapshot): pin 16.9 or later, or remove the pin`,
            ]);
        });

        it("refuses three versions at once", () => {
            const problems = stackProblems(
                prodWith({ "eu-central-1": { auroraEngineVersion: "16.10" }, "ap-southeast-1": { auroraEngineVersion: "16.11" } }),
            );
            assert.deepEqual(problems, [
                `${at(2)}: the global database's members would run 3 Aurora versions (16.9, 16.10, 16.11); a minor upgrade moves them from one version to one other: finish the upgrade under way first`,
            ]);
        });

        it("refuses the primary ahead of a secondary", () => {
            assert.deepEqual(
                stackProblems(
                    prodWith({ "us-east-1": { auroraEngineVersion: "16.10" }, "ap-southeast-1": { auroraEngineVersion: "16.10" } }),
                ),
                [
                    `${at(0)}: the primary us-east-1 would run Aurora 16.10, ahead of the secondary eu-central-1 (16.9); AWS upgrades the secondaries before the primary ("upgrade global replicas first"): pin every secondary to 16.10 first`,
                ],
            );
        });

        it("refuses a version without global write forwarding, like platform:data.engineVersion", () => {
            const problems = stackProblems(prodWith({ "eu-central-1": { auroraEngineVersion: "13.9" } }));
            assert.equal(problems.length, 1);
            assert.match(
                problems[0],
                /^platform:regions\[1\]\.pins\.auroraEngineVersion: "13\.9" does not support global write forwarding/,
            );
        });

        it("judges no pin against a bad platform:data.engineVersion (reported once, on its own)", () => {
            const raw = prodWith({ "eu-central-1": { auroraEngineVersion: "16.10" } });
            (raw as Record<string, unknown>).data = { engineVersion: "sixteen" };
            const problems = stackProblems(raw);
            assert.equal(problems.length, 1);
            assert.match(problems[0], /^platform:data\.engineVersion: "sixteen"/);
        });
    });

    it("refuses waves that miss a region, repeat one or name one the stack lacks", () => {
        assert.deepEqual(stackProblems(prodWith({}, { waves: [["ap-southeast-1"], ["ap-southeast-1", "eu-west-1"]] })), [
            `platform:release.waves[1][0]: "ap-southeast-1" is already in wave 1; list each region in one wave`,
            `platform:release.waves[1][1]: "eu-west-1" is not in platform:regions (us-east-1, eu-central-1, ap-southeast-1); list only the stack's regions`,
            `platform:release.waves: us-east-1, eu-central-1 in no wave; every region of platform:regions takes each release`,
        ]);
    });

    it("refuses a bake shorter than the longest SLO alarm window", () => {
        const problems = stackProblems(prodWith({}, { canaryBakeMinutes: 4 }));
        assert.equal(problems.length, 1);
        assert.match(problems[0], /^platform:release\.canaryBakeMinutes: 4 .*from 5 to 1440/);
    });

    it("refuses a 5xx limit that is not a percentage above 0", () => {
        for (const bad of [0, 101, "1%"]) {
            const problems = stackProblems(prodWith({}, { max5xxPercent: bad }));
            assert.equal(problems.length, 1, String(bad));
            assert.match(problems[0], /^platform:release\.max5xxPercent: .*a percentage above 0, at most 100/);
        }
        assert.equal(parseRaw(prodWith({}, { max5xxPercent: 0.5 })).config.release.max5xxPercent, 0.5);
    });
});
