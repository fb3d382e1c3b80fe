import * as assert from "node:assert/strict";
import { type PlatformConfig, namespaceValues, parseConfig } from "../../config/platform";
import { type Raw } from "../../config/problems";
import {
    checkProblems,
    exampleRaw as edit,
    prodCapacity,
    prodRaw,
    stackProblems,
    TEST_IMAGE as IMAGE,
    withSections,
} from "../support/config";

const valid = () => edit();
/** The example with `cidr` set on its region entry `i`. */
const withCidr = (i: number, cidr: string) => edit((r) => (r.regions[i].cidr = cidr));
/** The catalog's regions, as the messages list them. */
const REGIONS =
    "us-east-1, us-east-2, us-west-2, ca-central-1, sa-east-1, eu-west-1, eu-west-2, eu-central-1, eu-north-1, ap-south-1, ap-southeast-1, ap-southeast-2, ap-northeast-1, me-central-1, af-south-1";
/** The problems of `raw` as "path: message" lines; [] when it is valid. `null`: no aws:region. */
const problems = (raw: Raw, awsRegion: string | null = "us-east-1") => stackProblems(raw, awsRegion);

describe("config", () => {
    it("parses the design's example into typed cells with catalog defaults", () => {
        const config: PlatformConfig = parseConfig(valid(), "us-east-1");
        assert.deepEqual(
            config.cells.map((c) => [c.region, c.code, c.primary, c.cidr]),
            [
                ["us-east-1", "use1", true, "10.10.0.0/16"],
                ["eu-central-1", "euc1", false, "10.22.0.0/16"],
                ["ap-southeast-1", "apse1", false, "10.31.0.0/16"],
            ],
        );
        assert.equal(config.traffic.ENAM, 0.3);
        assert.equal(config.traffic.SAF, 0);
        assert.deepEqual(config.app, { image: IMAGE, replicateImage: true, port: 8080, healthPath: "/healthz" });
    });

    it("reads Pulumi's flat config map: JSON objects parsed, strings kept, other namespaces ignored", () => {
        const raw = namespaceValues({
            "platform:domain": "api.example.com",
            "platform:capacity": '{"usersPerPod":800}',
            "aws:region": "us-east-1",
        });
        assert.deepEqual(raw, { domain: "api.example.com", capacity: { usersPerPod: 800 } });
    });

    it("reports a missing or invalid aws:region", () => {
        assert.deepEqual(problems(valid(), null), [
            "aws:region: is missing; expected an AWS region name; set it, e.g. `aws:region: us-east-1` (only global resources use it)",
        ]);
        assert.deepEqual(problems(valid(), "us-east"), [
            'aws:region: "us-east" is not an AWS region name; set it, e.g. `aws:region: us-east-1` (only global resources use it)',
        ]);
    });

    describe("regions", () => {
        it("rejects a missing region list", () => {
            assert.deepEqual(
                problems(edit((r) => delete r.regions)).filter((p) => p.startsWith("platform:regions")),
                ["platform:regions: is missing; expected a list of at least one region entry, e.g. [{ name: us-east-1, primary: true }]"],
            );
        });

        it("rejects an empty region list", () => {
            assert.deepEqual(
                problems(edit((r) => (r.regions = []))).filter((p) => p.startsWith("platform:regions")),
                [
                    "platform:regions: [] has no entries; expected a list of at least one region entry, e.g. [{ name: us-east-1, primary: true }]",
                ],
            );
        });

        checkProblems(problems, {
            "names the known regions for an unknown one, and the nearest": [
                [
                    edit((r) => (r.regions[2].name = "eu-mars-1")),
                    [`platform:regions[2].name: "eu-mars-1" is not in the region catalog; use one of ${REGIONS}`],
                ],
                [
                    edit((r) => (r.regions[2].name = "eu-centrl-1")),
                    [
                        `platform:regions[2].name: "eu-centrl-1" is not in the region catalog; did you mean "eu-central-1"? use one of ${REGIONS}`,
                    ],
                ],
            ],
            "rejects an entry that is not a map": [
                [
                    edit((r) => (r.regions[1] = "eu-central-1")),
                    [
                        'platform:regions[1]: "eu-central-1" is not a map; expected a region entry such as { name: us-east-1, primary: true, cidr: 10.10.0.0/16 }',
                    ],
                ],
            ],
            "rejects a region listed twice": [
                [
                    edit((r) => r.regions.push({ name: "eu-central-1" })),
                    ['platform:regions[3].name: "eu-central-1" is listed twice (also at platform:regions[1]); remove one entry'],
                ],
            ],
            "requires exactly one primary": [
                [
                    edit((r) => delete r.regions[0].primary),
                    ["platform:regions: no region has primary: true; mark exactly one region (the Aurora writer) with primary: true"],
                ],
                [
                    edit((r) => (r.regions[2].primary = true)),
                    [
                        "platform:regions: 2 regions have primary: true (platform:regions[0], platform:regions[2]); exactly one region holds the Aurora writer",
                    ],
                ],
            ],
            "rejects a malformed CIDR": [
                [withCidr(1, "10.22.0/16"), ['platform:regions[1].cidr: "10.22.0/16" is not an IPv4 CIDR like 10.10.0.0/16']],
                [
                    withCidr(1, "10.22.5.0/16"),
                    ['platform:regions[1].cidr: "10.22.5.0/16" has host bits set (the network address is 10.22.0.0/16)'],
                ],
            ],
            "rejects a prefix outside /16 to /20": [
                [
                    withCidr(1, "10.64.0.0/12"),
                    [
                        'platform:regions[1].cidr: "10.64.0.0/12" has prefix /12; use a prefix from /16 to /20 (the subnet plan needs 9 subnets)',
                    ],
                ],
                [
                    withCidr(1, "10.22.0.0/24"),
                    [
                        'platform:regions[1].cidr: "10.22.0.0/24" has prefix /24; use a prefix from /16 to /20 (the subnet plan needs 9 subnets)',
                    ],
                ],
            ],
            "rejects a public range": [
                [
                    withCidr(1, "11.22.0.0/16"),
                    [
                        'platform:regions[1].cidr: "11.22.0.0/16" is not a private (RFC 1918) range; use 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16',
                    ],
                ],
            ],
            "rejects an explicit CIDR that overlaps another region's": [
                [
                    withCidr(2, "10.10.0.0/16"),
                    [
                        "platform:regions[2].cidr: 10.10.0.0/16 overlaps platform:regions[0] (us-east-1, 10.10.0.0/16); give each region a CIDR that overlaps no other",
                    ],
                ],
            ],
            "rejects an explicit CIDR that overlaps another region's catalog default": [
                [
                    withCidr(0, "10.22.16.0/20"),
                    [
                        "platform:regions[1].cidr: 10.22.0.0/16 (the catalog default) overlaps platform:regions[0] (us-east-1, 10.22.16.0/20); give each region a CIDR that overlaps no other",
                    ],
                ],
            ],
            "rejects unknown keys in an entry (typos), with the value given and the key meant": [
                [
                    edit((r) => (r.regions[1].primry = true)),
                    [
                        "platform:regions[1].primry: is not a known setting (given true); did you mean `primary`? known settings here: name, primary, cidr, decommission, adoptBackupVault, pins",
                    ],
                ],
            ],
        });

        describe("no knock-on errors", () => {
            checkProblems(problems, {
                "does not overlap a region the catalog lacks with the others": [
                    [
                        edit((r) => {
                            r.regions[2].name = "eu-mars-1";
                            r.regions[2].cidr = "10.10.0.0/16";
                        }),
                        [`platform:regions[2].name: "eu-mars-1" is not in the region catalog; use one of ${REGIONS}`],
                    ],
                ],
                "does not overlap a malformed CIDR, but still checks the sound entries": [
                    [
                        edit((r) => {
                            r.regions[1].cidr = "10.10.0/16";
                            r.regions[2].cidr = "10.10.0.0/16";
                        }),
                        [
                            'platform:regions[1].cidr: "10.10.0/16" is not an IPv4 CIDR like 10.10.0.0/16',
                            "platform:regions[2].cidr: 10.10.0.0/16 overlaps platform:regions[0] (us-east-1, 10.10.0.0/16); give each region a CIDR that overlaps no other",
                        ],
                    ],
                ],
                "counts the primaries only once every primary flag is a boolean": [
                    [
                        edit((r) => (r.regions[0].primary = "yes")),
                        ['platform:regions[0].primary: "yes" is not a boolean; expected true or false'],
                    ],
                ],
            });
        });
    });

    describe("capacity", () => {
        checkProblems(problems, {
            "requires every number": [
                [
                    edit((r) => (r.capacity = {})),
                    [
                        "platform:capacity.targetConcurrentUsers: is missing; expected an integer ≥ 1",
                        "platform:capacity.usersPerPod: is missing; expected an integer ≥ 1",
                        "platform:capacity.regionFailuresTolerated: is missing; expected an integer ≥ 0",
                    ],
                ],
            ],
            "rejects non-positive and non-integer numbers": [
                [
                    edit((r) => Object.assign(r.capacity, { targetConcurrentUsers: 0, usersPerPod: 12.5, regionFailuresTolerated: -1 })),
                    [
                        "platform:capacity.targetConcurrentUsers: 0 is out of range; expected an integer ≥ 1",
                        "platform:capacity.usersPerPod: 12.5 is not an integer; expected an integer ≥ 1",
                        "platform:capacity.regionFailuresTolerated: -1 is out of range; expected an integer ≥ 0",
                    ],
                ],
            ],
            "rejects tolerating as many failures as there are regions": [
                [
                    edit((r) => (r.capacity.regionFailuresTolerated = 3)),
                    [
                        "platform:capacity.regionFailuresTolerated: 3 leaves no region to serve users: the stack lists 3 region(s); tolerate at most 2 or add regions",
                    ],
                ],
            ],
            "rejects a missing capacity section, once (not also each of its keys)": [
                [
                    edit((r) => delete r.capacity),
                    ["platform:capacity: is missing; expected a map with targetConcurrentUsers, usersPerPod, regionFailuresTolerated"],
                ],
            ],
            "checks the tolerated failures against the regions only once both are valid": [
                [
                    edit((r) => {
                        r.capacity.regionFailuresTolerated = 3;
                        r.regions[2].decommission = "no";
                    }),
                    ['platform:regions[2].decommission: "no" is not a boolean; expected true or false'],
                ],
            ],
        });
    });

    describe("traffic", () => {
        checkProblems(problems, {
            "rejects negative shares": [
                [
                    edit((r) => Object.assign(r.traffic, { ENAM: -0.3, WNAM: 0.45 })),
                    ["platform:traffic.ENAM: -0.3 is out of range; expected a share of users: a number from 0 to 1"],
                ],
            ],
            "rejects unknown Cloudflare region codes, once (not also a wrong sum)": [
                [
                    edit((r) => {
                        r.traffic.EU = r.traffic.WEU;
                        delete r.traffic.WEU;
                    }),
                    [
                        "platform:traffic.EU: is not a Cloudflare region code (given 0.2); did you mean `WEU` or `EEU`? use one of WNAM, ENAM, WEU, EEU, NSAM, SSAM, OC, ME, NAF, SAF, SAS, SEAS, NEAS",
                    ],
                ],
            ],
            "rejects shares that do not sum to 1, within ±0.01": [
                [edit((r) => (r.traffic.OC = 0.07)), ["platform:traffic: shares sum to 1.02; they must sum to 1 (±0.01)"]],
                [edit((r) => (r.traffic.OC = 0.055)), []],
            ],
        });
    });

    checkProblems(problems, {
        "rejects a domain that is not a hostname": [
            [
                edit((r) => (r.domain = "https://api.example.com")),
                ['platform:domain: "https://api.example.com" is not a lower-case DNS hostname such as api.example.com'],
            ],
            [
                edit((r) => (r.domain = "localhost")),
                ['platform:domain: "localhost" is not a lower-case DNS hostname such as api.example.com'],
            ],
        ],
        "rejects Cloudflare ids that are not 32 hex characters": [
            [
                edit((r) => Object.assign(r.cloudflare, { accountId: "0123", zoneId: "FEDCBA9876543210FEDCBA9876543210" })),
                [
                    'platform:cloudflare.accountId: "0123" is not 32 lower-case hex characters (Cloudflare dashboard → account → API section)',
                    'platform:cloudflare.zoneId: "FEDCBA9876543210FEDCBA9876543210" is not 32 lower-case hex characters (the zone\'s Overview page)',
                ],
            ],
        ],
    });

    it("requires the image pinned by digest", () => {
        const pinned = "an image pinned by digest, e.g. 123456789012.dkr.ecr.us-east-1.amazonaws.com/api@sha256:<64 hex>";
        assert.deepEqual(problems(edit((r) => (r.app.image = "api:latest"))), [`platform:app.image: "api:latest" is not ${pinned}`]);
        assert.deepEqual(problems(edit((r) => (r.app.image = ""))), [`platform:app.image: "" is not ${pinned}`]);
        assert.deepEqual(problems(edit((r) => delete r.app)), ["platform:app: is missing; expected a map with image"]);
        const ghcr = `ghcr.io/acme/api@sha256:${"0".repeat(64)}`;
        assert.deepEqual(problems(edit((r) => (r.app.image = ghcr))), [
            `platform:app.image: "${ghcr}" is not in a private ECR registry (<account>.dkr.ecr.<region>.amazonaws.com/<repo>@sha256:…); each cell pulls the image from its own region's replica, so push it to ECR`,
        ]);
    });

    it("rejects unknown top-level keys (typos), with the value given and the key meant", () => {
        const known = "domain, cloudflare, regions, capacity, traffic, app, compute, data, edge, observability, release";
        assert.deepEqual(problems(edit((r) => (r.capcity = {}))), [
            `platform:capcity: is not a known setting (given {}); did you mean \`capacity\`? known settings here: ${known}`,
        ]);
        assert.deepEqual(problems(edit((r) => (r.colour = "blue"))), [
            `platform:colour: is not a known setting (given "blue"); known settings here: ${known}`,
        ]);
    });

    it("reports a misspelt required key once, as the key meant", () => {
        const known = "domain, cloudflare, regions, capacity, traffic, app, compute, data, edge, observability, release";
        assert.deepEqual(
            problems(
                edit((r) => {
                    r.domian = r.domain;
                    delete r.domain;
                }),
            ),
            [`platform:domian: is not a known setting (given "api.example.com"); did you mean \`domain\`? known settings here: ${known}`],
        );
    });

    checkProblems(problems, {
        "rejects a section that is missing or not a map": [
            [edit((r) => delete r.cloudflare), ["platform:cloudflare: is missing; expected a map with accountId, zoneId"]],
            [
                edit((r) => (r.traffic = "ENAM")),
                ['platform:traffic: "ENAM" is not a map; expected a map of shares by Cloudflare region code, e.g. { ENAM: 0.6, WEU: 0.4 }'],
            ],
        ],
    });

    it("reports every problem at once", () => {
        const found = problems(
            edit((r) => {
                r.domain = "not a host";
                r.regions[1].name = "xx-nowhere-1";
                r.capacity.usersPerPod = 0;
                r.traffic.OC = 0.5;
            }),
        );
        assert.deepEqual(
            found.map((p) => p.split(":").slice(0, 2).join(":")),
            ["platform:domain", "platform:regions[1].name", "platform:capacity.usersPerPod", "platform:traffic"],
        );
    });
});

describe("platform:capacity config", () => {
    it("defaults maxNodesPerCell 100, usersPerReader 5,000, usersPerCacheShard 10,000, warmFailoverPercent 100 (the production limits, pinned)", () => {
        const { capacity: c } = parseConfig(prodRaw(), "us-east-1");
        assert.deepEqual(c, {
            targetConcurrentUsers: 25000,
            usersPerPod: 800,
            regionFailuresTolerated: 1,
            maxNodesPerCell: 100,
            usersPerReader: 5000,
            usersPerCacheShard: 10000,
            warmFailoverPercent: 100,
        });
        const set = parseConfig(
            withSections(prodRaw(), { capacity: prodCapacity({ maxNodesPerCell: 60, usersPerReader: 4000, usersPerCacheShard: 8000 }) }),
            "us-east-1",
        ).capacity;
        assert.deepEqual([set.maxNodesPerCell, set.usersPerReader, set.usersPerCacheShard], [60, 4000, 8000]);
    });

    it("reports each bad value with its path", () => {
        assert.deepEqual(
            stackProblems(
                withSections(prodRaw(), {
                    capacity: prodCapacity({ maxNodesPerCell: 5, usersPerReader: 0, usersPerCacheShard: "many", maxPodsPerCell: 3 }),
                }),
            ),
            [
                "platform:capacity.maxNodesPerCell: 5 is out of range; expected an integer ≥ 6",
                "platform:capacity.usersPerReader: 0 is out of range; expected an integer ≥ 1",
                'platform:capacity.usersPerCacheShard: "many" is not a number; expected an integer ≥ 1',
                "platform:capacity.maxPodsPerCell: is not a known setting (given 3); did you mean `maxNodesPerCell`? known settings here: targetConcurrentUsers, usersPerPod, regionFailuresTolerated, maxNodesPerCell, usersPerReader, usersPerCacheShard, warmFailoverPercent",
            ],
        );
        assert.deepEqual(stackProblems(withSections(prodRaw(), { capacity: prodCapacity({ maxNodesPerCell: 50.5 }) })), [
            "platform:capacity.maxNodesPerCell: 50.5 is not an integer; expected an integer ≥ 6",
        ]);
        assert.deepEqual(stackProblems(withSections(prodRaw(), { capacity: prodCapacity({ warmFailoverPercent: 150 }) })), [
            "platform:capacity.warmFailoverPercent: 150 is out of range; expected an integer from 0 to 100",
        ]);
    });
});

describe("config: a typo does not hide the other problems", () => {
    checkProblems(problems, {
        "an unknown top-level key beside tolerated failures that leave no region": [
            [
                edit((r) => {
                    r.domian = "api.example.com";
                    r.capacity.regionFailuresTolerated = 3;
                }),
                [
                    'platform:domian: is not a known setting (given "api.example.com"); did you mean `domain`? known settings here: domain, cloudflare, regions, capacity, traffic, app, compute, data, edge, observability, release',
                    "platform:capacity.regionFailuresTolerated: 3 leaves no region to serve users: the stack lists 3 region(s); tolerate at most 2 or add regions",
                ],
            ],
        ],
    });
});

describe("config: a number written as text", () => {
    checkProblems(problems, {
        "says it is quoted and how to write it": [
            [
                edit((r) => (r.app.port = "8080")),
                ['platform:app.port: "8080" is text, not a number; write it without quotes; expected an integer from 1024 to 65535'],
            ],
        ],
    });
});
