import * as assert from "node:assert/strict";
import { DATA_DEFAULTS, majorOf } from "../../config/data";
import { type PlatformConfig } from "../../config/platform";
import { type Raw } from "../../config/problems";
import { catalogRegions } from "../../regions/catalog";
import { awsFacts } from "../support/awsFacts";
import { checkProblems, parseRaw, prodRaw, stackProblems, withSections } from "../support/config";

const parse = (sections: Raw): PlatformConfig => parseRaw(withSections(prodRaw(), sections)).config;
/** The problems of the prod config with `sections` replaced, as "path: message" lines. */
const problemsOf = (sections: Raw) => stackProblems(withSections(prodRaw(), sections));
/** The problems of the prod config with `platform:data` replaced. */
const dataProblems = (data: unknown) => problemsOf({ data });

/** Cells for the first `n` catalog regions, the first one primary. */
function regionsOf(n: number): Raw[] {
    return catalogRegions()
        .slice(0, n)
        .map((r, i) => (i === 0 ? { name: r.name, primary: true } : { name: r.name }));
}

describe("platform:data config", () => {
    it("defaults every setting when the section is absent (the production sizing, pinned)", () => {
        // prod's own section (it pins homeRegion) removed.
        const config = parse({ data: undefined });
        assert.deepEqual(config.data, {
            engineVersion: "16.9",
            instanceClass: "db.r7g.large",
            port: 5433,
            databaseName: "api",
            backupRetentionDays: 14,
            cache: { engineVersion: "8.1", nodeType: "cache.r7g.large", replicasPerShard: 1, snapshotRetentionDays: 7 },
            rpoBound: true,
        });
    });

    it("takes explicit values", () => {
        const config = parse({ data: { engineVersion: "17.5", port: 6543, cache: { replicasPerShard: 2, nodeType: "cache.r6g.xlarge" } } });
        assert.equal(config.data.engineVersion, "17.5");
        assert.equal(config.data.port, 6543);
        assert.deepEqual([config.data.cache.replicasPerShard, config.data.cache.nodeType], [2, "cache.r6g.xlarge"]);
    });

    describe("the defaults exist in every catalog region (aws-facts.json)", () => {
        const facts = awsFacts();

        it("the fact file covers every catalog region", () => {
            assert.deepEqual(
                catalogRegions()
                    .map((r) => r.name)
                    .filter((r) => !facts.regions.includes(r)),
                [],
            );
        });

        it(`Aurora PostgreSQL ${DATA_DEFAULTS.engineVersion} is a published version`, () => {
            assert.ok(facts.auroraPostgresVersions.includes(DATA_DEFAULTS.engineVersion));
            assert.ok(majorOf(DATA_DEFAULTS.engineVersion) >= 16, "16+ supports global write forwarding in every minor");
        });

        it(`${DATA_DEFAULTS.instanceClass} exists in every region`, () => {
            const missing = catalogRegions()
                .filter((r) => !facts.auroraPgClassesByRegion[r.name]?.includes(DATA_DEFAULTS.instanceClass))
                .map((r) => r.name);
            assert.deepEqual(missing, []);
        });

        it(`Valkey ${DATA_DEFAULTS.cache.engineVersion} is a published version`, () => {
            assert.ok(facts.cacheEngineVersions.valkey.includes(DATA_DEFAULTS.cache.engineVersion));
        });

        it(`${DATA_DEFAULTS.cache.nodeType} exists in every region`, () => {
            const missing = catalogRegions()
                .filter((r) => !facts.cacheNodeTypesByRegion[r.name]?.includes(DATA_DEFAULTS.cache.nodeType))
                .map((r) => r.name);
            assert.deepEqual(missing, []);
        });
    });

    describe("rejects", () => {
        checkProblems(problemsOf, {
            "more regions than one primary and 10 Aurora secondaries": [
                [
                    { regions: regionsOf(12) },
                    [
                        "platform:regions: 12 regions need 11 secondary clusters, but an Aurora global database has at most 10 secondary regions; list at most 11 regions",
                    ],
                ],
                [{ regions: regionsOf(11) }, []],
            ],
            "an engine version that is not major.minor": [
                [{ data: { engineVersion: "16" } }, ['platform:data.engineVersion: "16" is not an Aurora PostgreSQL version such as 16.9']],
            ],
        });

        it("an engine version without global write forwarding", () => {
            assert.deepEqual(problemsOf({ data: { engineVersion: "15.3" } }), [
                'platform:data.engineVersion: "15.3" does not support global write forwarding, which the secondary regions use; use 16.x or later (or 15.4+, 14.9+)',
            ]);
            assert.deepEqual(problemsOf({ data: { engineVersion: "13.9" } }).length, 1);
            assert.deepEqual(problemsOf({ data: { engineVersion: "15.4" } }), []);
        });

        checkProblems(dataProblems, {
            "an instance class that is not memory-optimised": [
                [
                    { instanceClass: "db.t4g.medium" },
                    [
                        'platform:data.instanceClass: "db.t4g.medium" is not memory-optimised; an Aurora global database needs a db.r* or db.x* class, e.g. db.r7g.large',
                    ],
                ],
            ],
            "a memory-optimised class whose memory the program does not know (regions/auroraClasses.ts)": [
                [
                    { instanceClass: "db.r8g.large" },
                    [
                        'platform:data.instanceClass: "db.r8g.large" is not a class whose memory this program knows (regions/auroraClasses.ts: the memory-optimised Aurora PostgreSQL classes offered in every catalog region, families db.r5, db.r6g, db.r6i, db.r7g); choose one of those, e.g. db.r7g.large, or add the class with its AWS source',
                    ],
                ],
                [{ instanceClass: "db.r6i.xlarge" }, []],
            ],
            "an instance class that is not one": [
                [
                    { instanceClass: "r7g.large" },
                    ['platform:data.instanceClass: "r7g.large" is not an RDS instance class such as db.r7g.large'],
                ],
            ],
            "the well-known port and ports outside RDS's range": [
                [
                    { port: 5432 },
                    ["platform:data.port: 5432 is PostgreSQL's well-known port; pick another port from 1150 to 65535 (default 5433)"],
                ],
                [{ port: 80 }, ["platform:data.port: 80 is out of range; expected an integer from 1150 to 65535"]],
            ],
            "a database name that is not an identifier": [
                [
                    { databaseName: "My-DB" },
                    ['platform:data.databaseName: "My-DB" is not a lower-case identifier of at most 63 characters, e.g. api'],
                ],
            ],
            "backup retention under 7 days or over 35": [
                [{ backupRetentionDays: 3 }, ["platform:data.backupRetentionDays: 3 is out of range; expected an integer from 7 to 35"]],
                [{ backupRetentionDays: 36 }, ["platform:data.backupRetentionDays: 36 is out of range; expected an integer from 7 to 35"]],
            ],
            "cache replicas out of range (none would leave no failover target)": [
                [
                    { cache: { replicasPerShard: 0 } },
                    ["platform:data.cache.replicasPerShard: 0 is out of range; expected an integer from 1 to 5"],
                ],
                [
                    { cache: { replicasPerShard: 6 } },
                    ["platform:data.cache.replicasPerShard: 6 is out of range; expected an integer from 1 to 5"],
                ],
            ],
            "a cache version that is not Valkey": [
                [
                    { cache: { engineVersion: "7.0" } },
                    ['platform:data.cache.engineVersion: "7.0" is not a Valkey version; Valkey starts at 7.2'],
                ],
            ],
            "a cache node type that is not one": [
                [
                    { cache: { nodeType: "r7g.large" } },
                    ['platform:data.cache.nodeType: "r7g.large" is not an ElastiCache node type such as cache.r7g.large'],
                ],
            ],
            "unknown keys, with the value given, naming the known ones": [
                [
                    { readerCount: 2, cache: { shard: 3 } },
                    [
                        "platform:data.cache.shard: is not a known setting (given 3); known settings here: engineVersion, nodeType, replicasPerShard, snapshotRetentionDays",
                        "platform:data.readerCount: is not a known setting (given 2); known settings here: engineVersion, instanceClass, port, databaseName, backupRetentionDays, cache, rpoBound, homeRegion",
                    ],
                ],
            ],
            "a section that is not a map": [
                ["big", ['platform:data: "big" is not a map; expected a map of settings, or nothing (every key has a default)']],
            ],
            "a malformed version only once, not also as one without write forwarding": [
                [
                    { engineVersion: 15 },
                    ["platform:data.engineVersion: 15 is not a string; expected an Aurora PostgreSQL version such as 16.9"],
                ],
            ],
        });
    });
});
