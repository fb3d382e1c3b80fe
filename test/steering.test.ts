import * as assert from "node:assert/strict";
import { CLOUDFLARE_REGIONS, requireRegion } from "../regions/catalog";
import { defaultPoolOrder, distanceKm, steeringTable } from "../regions/steering";

const cell = (name: string, primary = false) => ({ region: name, primary, catalog: requireRegion(name) });

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
        const table = steeringTable([cell("us-east-1", true), cell("us-west-2"), cell("eu-central-1"), cell("ap-southeast-1"), cell("sa-east-1")]);
        assert.equal(table.WNAM[0], "us-west-2");
        assert.equal(table.ENAM[0], "us-east-1");
        assert.equal(table.SSAM[0], "sa-east-1");
        assert.equal(table.WEU[0], "eu-central-1");
        assert.equal(table.SEAS[0], "ap-southeast-1");
        assert.deepEqual(table.WNAM, ["us-west-2", "us-east-1", "eu-central-1", "sa-east-1", "ap-southeast-1"]);
        assert.ok(Object.values(table).every((list) => new Set(list).size === 5));
    });

    it("puts the primary first in the default pools, then the others nearest to it", () => {
        assert.deepEqual(defaultPoolOrder([cell("ap-southeast-1"), cell("eu-central-1", true), cell("us-east-1")]), ["eu-central-1", "us-east-1", "ap-southeast-1"]);
        assert.throws(() => defaultPoolOrder([cell("us-east-1")]), /needs a primary/);
    });
});
