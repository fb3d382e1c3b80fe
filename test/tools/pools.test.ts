import * as assert from "node:assert/strict";
import { findPool, readHealth } from "../../tools/pools";

describe("pools: finding the pool and reading its health", () => {
    const pools = [
        { id: "a", name: "prod-use1-pool", enabled: true },
        { id: "b", name: "prod-euc1-pool", enabled: true },
        { id: "c", name: "staging-use1-pool", enabled: true },
    ];

    it("finds the one pool named with the prefix, and refuses none or several", () => {
        assert.equal(findPool(pools, "prod-use1").id, "a");
        assert.throws(
            () => findPool(pools, "prod-apse1"),
            /^Error: no load-balancer pool name starts with "prod-apse1" \(pools in the account: prod-euc1-pool, prod-use1-pool, staging-use1-pool\); pass --pool-name PREFIX$/,
        );
        assert.throws(
            () => findPool(pools, "prod-"),
            /^Error: 2 pools start with "prod-" \(prod-use1-pool, prod-euc1-pool\); pass a longer --pool-name$/,
        );
    });

    it("reads pool health keyed by location and in the flat documented shape", () => {
        // Cloudflare's rule is a majority, not unanimity: one flaky location of three is healthy, two of three is not.
        assert.deepEqual(readHealth({ ENAM: { healthy: true }, WNAM: { healthy: false }, NSAM: { healthy: true } }), {
            healthy: true,
            locations: 3,
        });
        assert.deepEqual(readHealth({ ENAM: { healthy: false }, WNAM: { healthy: false }, NSAM: { healthy: true } }), {
            healthy: false,
            locations: 3,
        });
        assert.deepEqual(readHealth({ "Ashburn, VA": { healthy: true }, "Frankfurt, DE": { healthy: false } }), {
            healthy: false,
            locations: 2,
        });
        assert.deepEqual(readHealth({ "Ashburn, VA": { healthy: true } }), { healthy: true, locations: 1 });
        assert.deepEqual(readHealth({ healthy: true, origins: [] }), { healthy: true, locations: 1 });
        assert.deepEqual(readHealth(undefined), { healthy: null, locations: 0 });
    });
});
