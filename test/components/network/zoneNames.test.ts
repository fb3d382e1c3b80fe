import * as assert from "node:assert/strict";
import { namesByZoneId, zoneNames } from "../../../components/network/zoneNames";
import { mockZoneName } from "../../../plan/mocks";
import { evaluateComponent } from "../../support/harness";

describe("namesByZoneId", () => {
    // The API lists zones in its own order (by name); the answer must follow the IDs asked for.
    const listing = { names: ["us-east-1a", "us-east-1b", "us-east-1c"], zoneIds: ["use1-az4", "use1-az1", "use1-az2"] };

    it("maps each ID to its name, in the order of the IDs, not the API's", () => {
        assert.deepEqual(namesByZoneId("us-east-1", ["use1-az1", "use1-az2", "use1-az4"], listing), [
            "us-east-1b",
            "us-east-1c",
            "us-east-1a",
        ]);
    });

    it("refuses an ID the account does not have, naming it and what the account has", () => {
        assert.throws(
            () => namesByZoneId("us-east-1", ["use1-az1", "use1-az3", "use1-az6"], listing),
            /us-east-1 has no AZ use1-az3, use1-az6 in this account \(it lists use1-az4, use1-az1, use1-az2\); fix the catalog's zoneIds/,
        );
        assert.throws(() => namesByZoneId("us-east-1", ["use1-az1"], { names: [], zoneIds: [] }), /it lists none/);
    });
});

describe("zoneNames under the plan's mocks", () => {
    it("asks getAvailabilityZones by zone-id and answers the mock account's names in the IDs' order", async () => {
        const ev = await evaluateComponent(() => ({ names: zoneNames("us-east-1", ["use1-az4", "use1-az1", "use1-az2"]) }));
        // The mock's names are shifted from the IDs' order (real names differ per account).
        assert.deepEqual(ev.outputs.names, ["us-east-1e", "us-east-1b", "us-east-1c"]);
        assert.deepEqual(
            ev.outputs.names,
            ["use1-az4", "use1-az1", "use1-az2"].map((id) => mockZoneName("us-east-1", id)),
        );
    });

    it("fails the evaluation on an ID the region does not have, as `up` would", async () => {
        await assert.rejects(
            evaluateComponent(() => ({ names: zoneNames("ap-northeast-1", ["apne1-az1", "apne1-az3", "apne1-az4"]) })),
            /ap-northeast-1 has no AZ apne1-az3/,
        );
    });
});

describe("mockZoneName", () => {
    it("names only the region's own AZ IDs, shifted by one letter", () => {
        assert.equal(mockZoneName("ca-central-1", "cac1-az1"), "ca-central-1b");
        assert.equal(mockZoneName("ca-central-1", "cac1-az4"), "ca-central-1a");
        assert.equal(mockZoneName("ca-central-1", "cac1-az3"), undefined);
        assert.equal(mockZoneName("eu-central-1", "use1-az1"), undefined);
    });
});
