import * as assert from "node:assert/strict";
import { CLOUDFLARE_REGIONS, requireRegion } from "../../regions/catalog";
import { checkRegionsFor, defaultPoolOrder, distanceKm, steeringPlan, steeringTable } from "../../regions/steering";
import { cell } from "../support/cells";

const five = [cell("us-east-1", true), cell("us-west-2"), cell("eu-central-1"), cell("ap-southeast-1"), cell("sa-east-1")];

describe("steering", () => {
    it("measures great-circle distances (Frankfurt to Singapore is about 10,260 km)", () => {
        const km = distanceKm(requireRegion("eu-central-1"), requireRegion("ap-southeast-1"));
        assert.ok(Math.abs(km - 10260) < 60, `got ${km}`);
        assert.equal(distanceKm(requireRegion("us-east-1"), requireRegion("us-east-1")), 0);
    });

    it("with one region, sends every Cloudflare region to it", () => {
        const table = steeringTable([cell("us-east-1", true)]);
        assert.deepEqual(Object.keys(table), [...CLOUDFLARE_REGIONS]);
        assert.ok(Object.values(table).every((list) => list.length === 1 && list[0] === "us-east-1"));
    });

    it("with the prod regions, orders every list nearest-first (hand-checked)", () => {
        const table = steeringTable([cell("us-east-1", true), cell("eu-central-1"), cell("ap-southeast-1")]);
        assert.deepEqual(table.ENAM, ["us-east-1", "eu-central-1", "ap-southeast-1"]);
        assert.deepEqual(table.WNAM, ["us-east-1", "eu-central-1", "ap-southeast-1"]);
        assert.deepEqual(table.WEU, ["eu-central-1", "us-east-1", "ap-southeast-1"]);
        assert.deepEqual(table.EEU, ["eu-central-1", "us-east-1", "ap-southeast-1"]);
        assert.deepEqual(table.NEAS, ["ap-southeast-1", "eu-central-1", "us-east-1"]);
        assert.deepEqual(table.ME, ["eu-central-1", "ap-southeast-1", "us-east-1"]);
        assert.deepEqual(table.SAS, ["ap-southeast-1", "eu-central-1", "us-east-1"]);
        assert.deepEqual(table.SEAS, ["ap-southeast-1", "eu-central-1", "us-east-1"]);
        assert.deepEqual(table.OC, ["ap-southeast-1", "us-east-1", "eu-central-1"]);
        assert.deepEqual(table.NSAM, ["us-east-1", "eu-central-1", "ap-southeast-1"]);
        assert.deepEqual(table.SSAM, ["us-east-1", "eu-central-1", "ap-southeast-1"]);
    });

    it("with five regions, sends each area to its own region first", () => {
        const table = steeringTable(five);
        assert.equal(table.WNAM[0], "us-west-2");
        assert.equal(table.ENAM[0], "us-east-1");
        assert.equal(table.SSAM[0], "sa-east-1");
        assert.equal(table.WEU[0], "eu-central-1");
        assert.equal(table.SEAS[0], "ap-southeast-1");
        assert.deepEqual(table.WNAM, ["us-west-2", "us-east-1", "eu-central-1", "sa-east-1", "ap-southeast-1"]);
        assert.ok(Object.values(table).every((list) => new Set(list).size === 5));
    });

    it("puts the primary first in the default pools, then the others nearest to it", () => {
        assert.deepEqual(defaultPoolOrder([cell("ap-southeast-1"), cell("eu-central-1", true), cell("us-east-1")]), [
            "eu-central-1",
            "us-east-1",
            "ap-southeast-1",
        ]);
        assert.throws(() => defaultPoolOrder([cell("us-east-1")]), /needs a primary/);
    });

    describe("steeringPlan", () => {
        it("with one region: every list, the default pools and the fallback are that region", () => {
            const plan = steeringPlan([cell("eu-central-1", true)]);
            assert.equal(plan.policy, "proximity");
            assert.deepEqual(Object.keys(plan.regions), [...CLOUDFLARE_REGIONS]);
            assert.ok(Object.values(plan.regions).every((list) => list.length === 1 && list[0] === "eu-central-1"));
            assert.deepEqual(plan.defaultPools, ["eu-central-1"]);
            assert.equal(plan.fallbackPool, "eu-central-1");
        });

        it("with the three prod regions: the primary first in the defaults and as the fallback", () => {
            const plan = steeringPlan([cell("ap-southeast-1"), cell("us-east-1", true), cell("eu-central-1")]);
            // Frankfurt is 6,550 km from Virginia, Singapore about 15,500 km.
            assert.deepEqual(plan.defaultPools, ["us-east-1", "eu-central-1", "ap-southeast-1"]);
            assert.equal(plan.fallbackPool, "us-east-1");
            assert.deepEqual(plan.regions.SAF, ["eu-central-1", "ap-southeast-1", "us-east-1"]);
            assert.deepEqual(plan.regions.NAF, ["eu-central-1", "us-east-1", "ap-southeast-1"]);
            assert.deepEqual(plan.regions, steeringTable([cell("us-east-1", true), cell("eu-central-1"), cell("ap-southeast-1")]));
        });

        it("with five regions: every list holds every cell once, nearest first (hand-checked)", () => {
            const plan = steeringPlan(five);
            assert.deepEqual(plan.regions.WNAM, ["us-west-2", "us-east-1", "eu-central-1", "sa-east-1", "ap-southeast-1"]);
            assert.deepEqual(plan.regions.ENAM, ["us-east-1", "us-west-2", "eu-central-1", "sa-east-1", "ap-southeast-1"]);
            assert.deepEqual(plan.regions.NSAM, ["us-east-1", "sa-east-1", "us-west-2", "eu-central-1", "ap-southeast-1"]);
            assert.deepEqual(plan.regions.SSAM, ["sa-east-1", "us-east-1", "us-west-2", "eu-central-1", "ap-southeast-1"]);
            assert.deepEqual(plan.regions.WEU, ["eu-central-1", "us-east-1", "us-west-2", "sa-east-1", "ap-southeast-1"]);
            assert.deepEqual(plan.regions.OC, ["ap-southeast-1", "us-west-2", "sa-east-1", "us-east-1", "eu-central-1"]);
            assert.deepEqual(plan.regions.SEAS.slice(0, 2), ["ap-southeast-1", "eu-central-1"]);
            // Virginia → Oregon 3,500 km, → Frankfurt 6,550 km, → São Paulo 7,660 km, → Singapore 15,500 km.
            assert.deepEqual(plan.defaultPools, ["us-east-1", "us-west-2", "eu-central-1", "sa-east-1", "ap-southeast-1"]);
            assert.equal(plan.fallbackPool, "us-east-1");
            for (const [region, list] of Object.entries(plan.regions))
                assert.deepEqual([...list].sort(), ["ap-southeast-1", "eu-central-1", "sa-east-1", "us-east-1", "us-west-2"], region);
        });

        it("does not depend on the order of the cells in config", () => {
            const a = steeringPlan([cell("us-east-1", true), cell("eu-central-1"), cell("ap-southeast-1")]);
            const b = steeringPlan([cell("ap-southeast-1"), cell("eu-central-1"), cell("us-east-1", true)]);
            assert.deepEqual(a, b);
        });
    });

    describe("checkRegionsFor", () => {
        it("checks each cell from its own Cloudflare region and the two nearest others", () => {
            assert.deepEqual(checkRegionsFor(requireRegion("us-east-1")), ["ENAM", "WNAM", "NSAM"]);
            assert.deepEqual(checkRegionsFor(requireRegion("eu-central-1")), ["WEU", "EEU", "NAF"]);
            assert.deepEqual(checkRegionsFor(requireRegion("ap-southeast-1")), ["SEAS", "SAS", "NEAS"]);
            assert.deepEqual(checkRegionsFor(requireRegion("sa-east-1")), ["SSAM", "NSAM", "SAF"]);
            assert.deepEqual(checkRegionsFor(requireRegion("ap-southeast-2")), ["OC", "SEAS", "NEAS"]);
        });

        it("gives every catalog region three distinct valid check regions, its own first", () => {
            for (const name of [
                "us-east-1",
                "us-east-2",
                "us-west-2",
                "ca-central-1",
                "eu-west-1",
                "eu-west-2",
                "eu-north-1",
                "ap-south-1",
                "ap-northeast-1",
                "me-central-1",
                "af-south-1",
            ]) {
                const region = requireRegion(name);
                const regions = checkRegionsFor(region);
                assert.equal(regions[0], region.cloudflareRegion, name);
                assert.equal(new Set(regions).size, 3, name);
                assert.ok(
                    regions.every((r) => (CLOUDFLARE_REGIONS as readonly string[]).includes(r)),
                    name,
                );
            }
        });
    });
});
