import * as assert from "node:assert/strict";
import { apportionUsers, failureSets } from "../../../regions/capacity/routing";
import { traffic } from "../../support/fleet";

describe("capacity: users and failure sets", () => {
    it("splits the target into whole users that sum to it (largest remainder, ties in Cloudflare order)", () => {
        // 10 / 3 = 3.33 each: floors 3 + 3 + 3, the one left goes to ENAM (before WEU and SEAS in CLOUDFLARE_REGIONS)
        const thirds = apportionUsers(10, traffic({ ENAM: 1 / 3, WEU: 1 / 3, SEAS: 1 / 3 }));
        assert.deepEqual([thirds.ENAM, thirds.WEU, thirds.SEAS, thirds.WNAM], [4, 3, 3, 0]);
        // shares summing to 0.99 are normalised: 99 × 0.49 / 0.99 = 49, 99 × 0.50 / 0.99 = 50
        const near = apportionUsers(99, traffic({ ENAM: 0.49, WEU: 0.5 }));
        assert.deepEqual([near.ENAM, near.WEU], [49, 50]);
        assert.equal(
            Object.values(apportionUsers(7, traffic({}))).reduce((a, b) => a + b, 0),
            0,
        );
    });

    it("enumerates every failure set of up to k regions, fewest first, in config order", () => {
        assert.deepEqual(failureSets(["a", "b", "c"], 0), [[]]);
        assert.deepEqual(failureSets(["a", "b", "c"], 2), [[], ["a"], ["b"], ["c"], ["a", "b"], ["a", "c"], ["b", "c"]]);
        assert.equal(failureSets(["a", "b", "c", "d", "e"], 2).length, 16); // 1 + 5 + 10
        assert.equal(failureSets(["a", "b", "c", "d", "e"], 4).length, 31); // 2^5 − 1 (all but everything down)
    });
});
