import * as assert from "node:assert/strict";
import { AURORA_CLASSES, auroraMaxConnections, defaultMaxConnections } from "../../regions/auroraClasses";
import { catalogRegions } from "../../regions/catalog";
import { awsFacts } from "../support/awsFacts";

describe("Aurora instance classes (regions/auroraClasses.ts)", () => {
    it("lists exactly the memory-optimised Aurora PostgreSQL classes offered in every catalog region (aws-facts.json)", () => {
        const facts = awsFacts();
        const everywhere = catalogRegions()
            .map((r) => new Set(facts.auroraPgClassesByRegion[r.name] ?? []))
            .reduce((a, b) => new Set([...a].filter((c) => b.has(c))));
        const memoryOptimised = [...everywhere].filter((c) => /^db\.(r|x)\d/.test(c)).sort();
        assert.deepEqual(Object.keys(AURORA_CLASSES).sort(), memoryOptimised);
    });

    it("cites AWS's hardware page on every row, and the max_connections page where it gives a published default", () => {
        for (const [name, cls] of Object.entries(AURORA_CLASSES)) {
            assert.match(cls.source, /Concepts\.DBInstanceClass\.Summary\.html/, name);
            assert.equal(/AuroraPostgreSQL\.Managing\.html/.test(cls.source), cls.publishedMaxConnections !== undefined, name);
        }
    });

    it("takes AWS's published default where there is one (below the formula over the nominal memory)", () => {
        assert.equal(auroraMaxConnections("db.r6g.large"), 1722);
        assert.equal(auroraMaxConnections("db.r5.large"), 1600);
        assert.equal(auroraMaxConnections("db.r6g.xlarge"), 3479);
        assert.equal(defaultMaxConnections(16 * 1024 ** 3), 1802, "the formula over 16 GiB, above both published 16 GiB figures");
    });

    it("takes the lowest published default of the same memory for a class AWS does not list", () => {
        assert.equal(auroraMaxConnections("db.r7g.large"), 1600);
        assert.equal(auroraMaxConnections("db.r6i.large"), 1600);
        assert.equal(auroraMaxConnections("db.r7g.xlarge"), 3300);
        assert.equal(auroraMaxConnections("db.r7g.2xlarge"), 5000);
    });

    it("uses the formula only where the 5000 cap holds whatever memory RDS reserves (up to a third)", () => {
        for (const [name, cls] of Object.entries(AURORA_CLASSES)) {
            const published = Object.values(AURORA_CLASSES).some(
                (c) => c.memoryGiB === cls.memoryGiB && c.publishedMaxConnections !== undefined,
            );
            if (published) continue;
            assert.equal(defaultMaxConnections((cls.memoryGiB * 1024 ** 3 * 2) / 3), 5000, name);
            assert.equal(auroraMaxConnections(name), 5000, name);
        }
    });

    it("refuses a class not in the table", () => {
        assert.throws(() => auroraMaxConnections("db.r8g.large"), /db\.r8g\.large is not in AURORA_CLASSES/);
    });
});
