import * as assert from "node:assert/strict";
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { projectRoot } from "../../../plan/stackConfig";
import { readPins, readStackWide, writePins, writeStackWide } from "../../../tools/release/stackFile";

const REGIONS = ["us-east-1", "eu-central-1", "ap-southeast-1"];

describe("release edits of the stack file", () => {
    let dir: string;
    let file: string;
    const original = readFileSync(path.join(projectRoot(), "Pulumi.prod.yaml"), "utf8");
    beforeEach(() => {
        dir = mkdtempSync(path.join(tmpdir(), "release-file-"));
        file = path.join(dir, "Pulumi.prod.yaml");
        copyFileSync(path.join(projectRoot(), "Pulumi.prod.yaml"), file);
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    it("pins one cell as one flow map under its entry, and removing it restores the file byte for byte", () => {
        writePins(file, "image", { "ap-southeast-1": "repo@sha256:1" });
        const text = readFileSync(file, "utf8");
        assert.match(text, /- name: ap-southeast-1\n {6}pins: \{image: repo@sha256:1\}\n/);
        assert.deepEqual(readPins(file, "image", REGIONS), {
            "us-east-1": undefined,
            "eu-central-1": undefined,
            "ap-southeast-1": "repo@sha256:1",
        });
        writePins(file, "kubernetesVersion", { "ap-southeast-1": "1.35" });
        writePins(file, "image", { "ap-southeast-1": undefined });
        assert.deepEqual(readPins(file, "kubernetesVersion", REGIONS)["ap-southeast-1"], "1.35");
        writePins(file, "kubernetesVersion", { "ap-southeast-1": undefined });
        assert.equal(readFileSync(file, "utf8"), original);
    });

    it("makes a value stack-wide and removes every cell's pin of it, comments kept; creates platform:compute when absent", () => {
        writePins(file, "image", { "ap-southeast-1": "repo@sha256:2", "eu-central-1": "repo@sha256:2" });
        writeStackWide(file, "image", "repo@sha256:2", REGIONS);
        assert.equal(readStackWide(file, "image"), "repo@sha256:2");
        assert.deepEqual(Object.values(readPins(file, "image", REGIONS)), [undefined, undefined, undefined]);
        assert.match(readFileSync(file, "utf8"), /# The API image, pinned by digest/);
        assert.equal(readStackWide(file, "kubernetesVersion"), undefined);
        writeStackWide(file, "kubernetesVersion", "1.35", REGIONS);
        assert.equal(readStackWide(file, "kubernetesVersion"), "1.35");
    });

    it("refuses a region the file does not list", () => {
        assert.throws(() => writePins(file, "image", { "eu-west-1": "x" }), /no entry for eu-west-1 in platform:regions/);
    });
});
