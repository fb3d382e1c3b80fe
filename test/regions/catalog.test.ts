import * as assert from "node:assert/strict";
import { CLOUDFLARE_REGIONS, CLOUDFLARE_REGION_LOCATIONS, catalogRegions, findRegion, requireRegion } from "../../regions/catalog";
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

    it("gives every region three distinct AZs of its own", () => {
        for (const r of regions) {
            assert.equal(new Set(r.azs).size, 3, r.name);
            assert.ok(
                r.azs.every((az) => new RegExp(`^${r.name}[a-z]$`).test(az)),
                `${r.name}: ${r.azs.join(",")}`,
            );
        }
        assert.deepEqual(requireRegion("ca-central-1").azs, ["ca-central-1a", "ca-central-1b", "ca-central-1d"]);
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
