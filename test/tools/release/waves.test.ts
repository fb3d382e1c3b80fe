import * as assert from "node:assert/strict";
import { planWaves } from "../../../tools/release/waves";
import { parseRaw, prodRaw } from "../../support/config";

const regionsOf = (waves: ReturnType<typeof planWaves>) => waves.map((w) => [w.cells.map((c) => c.region), w.bakeMinutes]);

describe("release waves", () => {
    it("prod: the secondary with the least traffic alone first (30 min), the other secondary, then the primary (10 min each)", () => {
        const stack = parseRaw(prodRaw());
        const users = Object.fromEntries(stack.fleet.cells.map((c) => [c.region, c.capacity.normalUsers]));
        assert.ok(users["ap-southeast-1"] < users["eu-central-1"], JSON.stringify(users));
        assert.deepEqual(regionsOf(planWaves(stack)), [
            [["ap-southeast-1"], 30],
            [["eu-central-1"], 10],
            [["us-east-1"], 10],
        ]);
    });

    it("four regions: the canary alone, then the other two secondaries together, then the primary", () => {
        const stack = parseRaw(prodRaw((raw) => raw.regions.push({ name: "us-west-2" })));
        const waves = planWaves(stack);
        assert.equal(waves.length, 3);
        assert.equal(waves[0].cells.length, 1);
        assert.deepEqual(
            waves[1].cells.map((c) => c.region).sort(),
            ["ap-southeast-1", "eu-central-1", "us-west-2"].filter((r) => r !== waves[0].cells[0].region).sort(),
        );
        assert.deepEqual(
            waves[2].cells.map((c) => c.region),
            ["us-east-1"],
        );
    });

    it("follows platform:release.waves and its bake times; --emergency is one wave of every cell at the later bake", () => {
        const stack = parseRaw(
            prodRaw(
                (raw) =>
                    (raw.release = { waves: [["eu-central-1"], ["ap-southeast-1", "us-east-1"]], canaryBakeMinutes: 45, bakeMinutes: 15 }),
            ),
        );
        assert.deepEqual(regionsOf(planWaves(stack)), [
            [["eu-central-1"], 45],
            [["ap-southeast-1", "us-east-1"], 15],
        ]);
        assert.deepEqual(regionsOf(planWaves(stack, true)), [[["us-east-1", "eu-central-1", "ap-southeast-1"], 15]]);
    });
});
