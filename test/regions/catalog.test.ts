import * as assert from "node:assert/strict";
import {
    CLOUDFLARE_REGIONS,
    CLOUDFLARE_REGION_LOCATIONS,
    UNSUPPORTED_ZONE_IDS,
    catalogRegions,
    findRegion,
    requireRegion,
} from "../../regions/catalog";
import { overlaps, parseCidr } from "../../regions/cidr";
import { awsFacts } from "../support/awsFacts";

const REQUIRED = [
    "us-east-1",
    "us-east-2",
    "us-west-2",
    "ca-central-1",
    "sa-east-1",
    "eu-west-1",
    "eu-west-2",
    "eu-central-1",
    "eu-north-1",
    "ap-south-1",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-northeast-1",
    "me-central-1",
    "af-south-1",
];

describe("region catalog", () => {
    const regions = catalogRegions();

    it("has every region the product may use", () => {
        assert.deepEqual(
            REQUIRED.filter((r) => !findRegion(r)),
            [],
        );
    });

    it("gives every region a unique short code", () => {
        const codes = regions.map((r) => r.code);
        assert.equal(new Set(codes).size, codes.length);
        assert.ok(
            codes.every((c) => /^[a-z]{2,3}[a-z0-9]*\d$/.test(c)),
            codes.join(","),
        );
        assert.equal(requireRegion("us-east-1").code, "use1");
    });

    it("gives every region three distinct AZ IDs of its own, none of them unsupported", () => {
        for (const r of regions) {
            assert.equal(r.zoneIds.length, 3, r.name);
            assert.equal(new Set(r.zoneIds).size, 3, r.name);
            const prefix = zoneIdPrefix(r.name);
            assert.ok(
                r.zoneIds.every((id) => new RegExp(`^${prefix}-az\\d+$`).test(id)),
                `${r.name}: ${r.zoneIds.join(",")} (expected ${prefix}-azN)`,
            );
            assert.deepEqual(
                r.zoneIds.filter((id) => id in UNSUPPORTED_ZONE_IDS),
                [],
                r.name,
            );
        }
        // The regions with gaps (docs: no cac1-az3 for EKS, no apne1-az3 for new accounts).
        assert.deepEqual(requireRegion("ca-central-1").zoneIds, ["cac1-az1", "cac1-az2", "cac1-az4"]);
        assert.deepEqual(requireRegion("ap-northeast-1").zoneIds, ["apne1-az1", "apne1-az2", "apne1-az4"]);
        assert.deepEqual(requireRegion("us-east-1").zoneIds, ["use1-az1", "use1-az2", "use1-az4"]);
    });

    it("lists the AZ IDs EKS's control plane and RDS Proxy refuse as unsupported", () => {
        // EKS User Guide, "Subnet requirements for clusters"; RDS User Guide, "Limitations for RDS Proxy".
        for (const id of ["use1-az3", "usw1-az2", "cac1-az3"]) assert.ok(id in UNSUPPORTED_ZONE_IDS, id);
        assert.match(UNSUPPORTED_ZONE_IDS["use1-az3"], /RDS Proxy/);
    });

    it("derives the AZ ID prefix from the region name as AWS does", () => {
        assert.deepEqual(["us-east-1", "ap-southeast-2", "ap-northeast-1", "me-central-1", "af-south-1"].map(zoneIdPrefix), [
            "use1",
            "apse2",
            "apne1",
            "mec1",
            "afs1",
        ]);
    });

    it("gives every region a private /16 that overlaps no other region's", () => {
        const cidrs = regions.map((r) => ({ name: r.name, cidr: parseCidr(r.cidr) }));
        for (const { name, cidr } of cidrs) {
            assert.ok(typeof cidr !== "string" && cidr.prefix === 16, `${name}: ${JSON.stringify(cidr)}`);
        }
        for (let i = 0; i < cidrs.length; i++) {
            for (let j = 0; j < i; j++) {
                assert.ok(!overlaps(cidrs[i].cidr as never, cidrs[j].cidr as never), `${cidrs[i].name} overlaps ${cidrs[j].name}`);
            }
        }
    });

    it("places every region on the globe and in a Cloudflare region", () => {
        for (const r of regions) {
            assert.ok(r.latitude >= -90 && r.latitude <= 90 && r.longitude >= -180 && r.longitude <= 180, r.name);
            assert.ok((CLOUDFLARE_REGIONS as readonly string[]).includes(r.cloudflareRegion), r.name);
        }
        assert.equal(Object.keys(CLOUDFLARE_REGION_LOCATIONS).length, 13);
    });

    it("lists only regions present in the reference AWS data", () => {
        const facts = awsFacts();
        assert.deepEqual(
            regions.map((r) => r.name).filter((r) => !facts.regions.includes(r)),
            [],
        );
    });

    it("names the known regions when asked for an unknown one", () => {
        assert.equal(findRegion("mars-north-1"), undefined);
        assert.throws(() => requireRegion("mars-north-1"), /unknown region "mars-north-1": the catalog has us-east-1, us-east-2/);
    });
});

/**
 * An AZ ID's prefix: the region's area, its direction's initials and its number ("AWS Availability
 * Zones": `euw1-az1` for eu-west-1), computed here independently of the catalog's `code`.
 */
function zoneIdPrefix(region: string): string {
    const [area, direction, number] = region.split("-");
    const initials: Record<string, string> = {
        east: "e",
        west: "w",
        north: "n",
        south: "s",
        central: "c",
        northeast: "ne",
        northwest: "nw",
        southeast: "se",
        southwest: "sw",
    };
    assert.ok(direction in initials, `${region}: unknown direction ${direction}`);
    return `${area}${initials[direction]}${number}`;
}
