import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { PLAN_FLAGS } from "../../plan/cli";
import { projectRoot } from "../../plan/stackConfig";
import { flagRows, synopsis, usage } from "../../plan/usage";
import { tableAfter } from "../support/markdown";

const CLI = path.join(projectRoot(), ".build", "plan", "cli.js");

describe("plan command line", () => {
    it("the README's flag table lists exactly the flags plan/cli.ts accepts, as --help describes them", () => {
        const documented = tableAfter("README.md", synopsis("plan", PLAN_FLAGS).replace(/^usage: /, ""));
        assert.deepEqual(
            documented.map((row) => row.flag.split(" ")[0]),
            Object.keys(PLAN_FLAGS).map((name) => `--${name}`),
        );
        assert.deepEqual(documented, flagRows(PLAN_FLAGS));
    });

    it("prints its usage with --help, exit 0, and quotes the synopsis under a bad flag, exit 2", () => {
        const help = spawnSync(process.execPath, [CLI, "--help"], { encoding: "utf8" });
        assert.deepEqual([help.status, help.stdout, help.stderr], [0, `${usage("plan", PLAN_FLAGS)}\n`, ""]);
        const bad = spawnSync(process.execPath, [CLI, "--bogus"], { encoding: "utf8" });
        assert.deepEqual([bad.status, bad.stdout, bad.stderr], [2, "", `Unknown option '--bogus'\n${synopsis("plan", PLAN_FLAGS)}\n`]);
    });
});
