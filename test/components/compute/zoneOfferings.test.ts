import * as assert from "node:assert/strict";
import { NodeGroups } from "../../../components/compute/nodeGroups";
import { missingOfferings, offeredEverywhere } from "../../../components/compute/zoneOfferings";
import { registerInvoke } from "../../../plan/mocks";
import { evaluateComponent, evaluateOf, one } from "../../support/harness";

const TOKEN = "aws:ec2/getInstanceTypeOfferings:getInstanceTypeOfferings";
const ZONES = ["use1-az1", "use1-az2", "use1-az4"];
const TYPES = ["m7i.xlarge", "m6i.xlarge"];

describe("missingOfferings", () => {
    it("finds nothing when every type is offered in every AZ", () => {
        const listing = { instanceTypes: ZONES.flatMap(() => TYPES), locations: ZONES.flatMap((z) => TYPES.map(() => z)) };
        assert.deepEqual(missingOfferings(ZONES, TYPES, listing), []);
    });

    it("names each type missing from an AZ, reading the lists as parallel", () => {
        // m7i.xlarge offered in az1 only, m6i.xlarge in az1 and az4.
        const listing = { instanceTypes: ["m7i.xlarge", "m6i.xlarge", "m6i.xlarge"], locations: ["use1-az1", "use1-az1", "use1-az4"] };
        assert.deepEqual(missingOfferings(ZONES, TYPES, listing), [
            "m7i.xlarge in use1-az2",
            "m6i.xlarge in use1-az2",
            "m7i.xlarge in use1-az4",
        ]);
    });
});

describe("offeredEverywhere under the plan's mocks", () => {
    it("answers the types when the mock account offers them in every AZ", async () => {
        const ev = await evaluateComponent(() => ({ types: offeredEverywhere("us-east-1", ZONES, TYPES) }));
        assert.deepEqual(ev.outputs.types, TYPES);
    });

    it("refuses an AZ ID the region does not have", async () => {
        await assert.rejects(
            evaluateComponent(() => ({ types: offeredEverywhere("us-east-1", ["use1-az1", "use1-az7", "use1-az4"], TYPES) })),
            /us-east-1 has no AZ use1-az7/,
        );
    });
});

describe("NodeGroups when an AZ lacks an instance type", () => {
    const args = {
        region: "us-east-1",
        clusterName: "platform-test-use1",
        kubernetesVersion: "1.36",
        zoneIds: ZONES,
        subnetIds: ["subnet-0a", "subnet-0b", "subnet-0c"],
        instanceTypes: TYPES,
    };

    it("gives each group the checked types", async () => {
        const ev = await evaluateOf(NodeGroups, "use1-nodes", args);
        assert.deepEqual(one(ev, "aws:eks/nodeGroup:NodeGroup", "use1-nodes-c").inputs.instanceTypes, TYPES);
    });

    it("fails the deployment, naming the missing pair", async () => {
        // An account whose use1-az4 has no m7i.xlarge (runs-on/runs-on#5 is this case).
        const planAnswer = registerInvoke(TOKEN, () => ({
            instanceTypes: ["m7i.xlarge", "m6i.xlarge", "m7i.xlarge", "m6i.xlarge", "m6i.xlarge"],
            locations: ["use1-az1", "use1-az1", "use1-az2", "use1-az2", "use1-az4"],
        }));
        try {
            await assert.rejects(
                evaluateOf(NodeGroups, "use1-nodes", args),
                /us-east-1: instance types not offered: m7i\.xlarge in use1-az4/,
            );
        } finally {
            registerInvoke(TOKEN, planAnswer!);
        }
    });
});
