import * as assert from "node:assert/strict";
import { instanceShape } from "../regions/instanceShapes";

describe("instanceShape", () => {
    it("derives vCPU and memory of the m, c and r families from the name", () => {
        assert.deepEqual(instanceShape("m7i.xlarge"), { vcpu: 4, memoryGiB: 16 });
        assert.deepEqual(instanceShape("m6i.xlarge"), { vcpu: 4, memoryGiB: 16 });
        assert.deepEqual(instanceShape("c7g.2xlarge"), { vcpu: 8, memoryGiB: 16 });
        assert.deepEqual(instanceShape("r6in.large"), { vcpu: 2, memoryGiB: 16 });
        assert.deepEqual(instanceShape("t3.xlarge"), { vcpu: 4, memoryGiB: 16 });
    });

    it("says nothing rather than guess", () => {
        assert.equal(instanceShape("t3.small"), undefined);
        assert.equal(instanceShape("i4i.xlarge"), undefined);
        assert.equal(instanceShape("m7i.metal-24xl"), undefined);
    });
});
