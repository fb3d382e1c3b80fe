import * as assert from "node:assert/strict";
import { CLOUDFLARE_REGIONS } from "../../regions/catalog";
import { isServing } from "../../regions/fleet";
import { cell, testCell } from "../support/cells";
import { fleetOf, knobs, traffic } from "../support/fleet";

const THREE = [cell("us-east-1", true), cell("eu-central-1"), cell("ap-southeast-1")];
const SHARES = traffic({ ENAM: 0.5, WEU: 0.3, SEAS: 0.2 });

describe("the fleet: every derived fact, once", () => {
    it("serves from every cell not being decommissioned, and steers over those only", () => {
        const cells = [THREE[0], THREE[1], testCell("ap-southeast-1", { decommissioning: true })];
        const { fleet } = fleetOf({ cells, capacity: knobs(), traffic: SHARES });
        assert.deepEqual(
            fleet.serving.map((c) => c.region),
            ["us-east-1", "eu-central-1"],
        );
        for (const r of CLOUDFLARE_REGIONS) assert.deepEqual([...fleet.steering.regions[r]].sort(), ["eu-central-1", "us-east-1"], r);
        assert.deepEqual(fleet.steering.defaultPools, ["us-east-1", "eu-central-1"]);
        assert.equal(fleet.steering.fallbackPool, "us-east-1");
        // The drained cell keeps its place and the minimum figures, and carries nobody.
        assert.deepEqual(
            fleet.cells.map((c) => [c.region, c.capacity.normalUsers]),
            [
                ["us-east-1", 5000],
                ["eu-central-1", 5000],
                ["ap-southeast-1", 0],
            ],
        );
    });

    it("splits the target over the Cloudflare regions once, in whole users that sum to it", () => {
        const { fleet } = fleetOf({ cells: THREE, capacity: knobs({ targetConcurrentUsers: 10001 }), traffic: SHARES });
        assert.deepEqual(
            [fleet.usersByCloudflareRegion.ENAM, fleet.usersByCloudflareRegion.WEU, fleet.usersByCloudflareRegion.SEAS],
            [5001, 3000, 2000],
        );
        assert.equal(
            fleet.cells.reduce((sum, c) => sum + c.capacity.normalUsers, 0),
            10001,
        );
    });

    it("gives each cell its own figures from the one capacity plan, in config order", () => {
        const { fleet } = fleetOf({ cells: THREE, capacity: knobs(), traffic: SHARES });
        fleet.cells.forEach((c, i) => assert.equal(c.capacity, fleet.capacity.cells[i]));
        assert.equal(fleet.primary, fleet.cells[0]);
    });

    it("keeps the global database in the home region given, else the primary's", () => {
        assert.equal(fleetOf({ cells: THREE, capacity: knobs(), traffic: SHARES }).fleet.homeRegion, "us-east-1");
        const moved = fleetOf({ cells: [cell("us-east-1"), cell("eu-central-1", true)], capacity: knobs(), traffic: SHARES });
        assert.equal(moved.fleet.homeRegion, "eu-central-1");
    });

    it("names the input to change for a broken limit (below the stack's namespace)", () => {
        const { problems } = fleetOf({
            cells: THREE,
            capacity: knobs({ usersPerReader: 500, targetConcurrentUsers: 20000 }),
            traffic: SHARES,
        });
        assert.deepEqual([...new Set(problems.map((p) => p.key))], ["capacity.usersPerReader"]);
    });

    it("refuses an input the config validation would have refused: not one primary, or no serving cell left", () => {
        assert.throws(
            () => fleetOf({ cells: [cell("us-east-1"), cell("eu-central-1")], capacity: knobs(), traffic: SHARES }),
            /^Error: planFleet: 0 primary cells/,
        );
        assert.throws(
            () => fleetOf({ cells: THREE, capacity: knobs({ regionFailuresTolerated: 3 }), traffic: SHARES }),
            /^Error: planFleet: 3 tolerated failures leave none of 3 serving cells$/,
        );
        assert.equal(isServing({ decommissioning: true }), false);
    });
});
