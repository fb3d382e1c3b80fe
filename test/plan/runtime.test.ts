// Pins the SDK-internal surface plan/runtime.ts relies on (the mock monitor's request
// fields, waitForRPCs, failure reporting), so an SDK upgrade that moves it fails here.
import * as assert from "node:assert/strict";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { EvaluationError, SECRET, debuggable, evaluate, mask } from "../../plan/runtime";

class Holder extends pulumi.ComponentResource {
    constructor(name: string, opts?: pulumi.ComponentResourceOptions) {
        super("platform:test:Holder", name, {}, opts);
        const provider = new aws.Provider(`${name}-aws`, { region: "eu-west-1" }, { parent: this });
        new aws.kms.Key(
            `${name}-key`,
            { region: "eu-west-1", description: pulumi.secret("hidden") },
            {
                parent: this,
                provider,
                protect: true,
                ignoreChanges: ["description"],
                retainOnDelete: true,
                aliases: [{ name: `${name}-old-key` }],
            },
        );
        this.registerOutputs({});
    }
}

describe("mock runtime harness", () => {
    it("records parent, provider, protect, ignoreChanges, retainOnDelete and aliases of each registration", async () => {
        const ev = await evaluate({ stack: "unit" }, () => new Holder("h"));
        const key = ev.resources.find((r) => r.type === "aws:kms/key:Key")!;
        const holder = ev.resources.find((r) => r.type === "platform:test:Holder")!;
        const stack = ev.resources.find((r) => r.type === "pulumi:pulumi:Stack")!;
        assert.equal(key.urn, "urn:pulumi:unit::platform::platform:test:Holder$aws:kms/key:Key::h-key");
        assert.equal(key.parent, holder.urn);
        assert.equal(holder.parent, stack.urn);
        assert.equal(stack.parent, null);
        assert.match(key.provider!, /^urn:pulumi:unit::platform::platform:test:Holder\$pulumi:providers:aws::h-aws::/);
        assert.equal(key.protect, true);
        assert.equal(key.retainOnDelete, true);
        assert.deepEqual(key.ignoreChanges, ["description"]);
        assert.equal(key.aliases.length, 1);
        assert.equal(key.custom, true);
        assert.equal(holder.custom, false);
    });

    it("masks secrets in inputs and keeps them in rawInputs only", async () => {
        const ev = await evaluate({ stack: "unit" }, () => new Holder("h"));
        const key = ev.resources.find((r) => r.type === "aws:kms/key:Key")!;
        assert.equal(key.inputs.description, SECRET);
        assert.equal(key.rawInputs.description, "hidden");
        assert.ok(!JSON.stringify(ev.resources.map((r) => r.inputs)).includes("hidden"));
    });

    it("masks secret stack outputs", async () => {
        const ev = await evaluate({ stack: "unit" }, () => ({ open: "visible", closed: pulumi.secret("hidden") }));
        assert.deepEqual(ev.outputs, { open: "visible", closed: SECRET });
    });

    it("fails, naming the cause, when the program throws", async () => {
        await assert.rejects(
            evaluate({ stack: "unit" }, () => {
                throw new Error("boom in program");
            }),
            (err: unknown) => err instanceof EvaluationError && /boom in program/.test(err.message),
        );
    });

    it("fails instead of dropping resources when an invoke has no mock answer", async () => {
        await assert.rejects(
            evaluate({ stack: "unit" }, () => {
                const partition = aws.getPartitionOutput({});
                new aws.ec2.Vpc("v", { region: "eu-west-1", cidrBlock: "10.0.0.0/16", tags: { partition: partition.partition } });
            }),
            (err: unknown) =>
                err instanceof EvaluationError && /no answer for invoke aws:index\/getPartition:getPartition/.test(err.message),
        );
    });

    it("gives deterministic ids shaped like the real ones", async () => {
        const build = () => new aws.ec2.Vpc("v", { region: "eu-west-1", cidrBlock: "10.0.0.0/16" });
        const first = await evaluate({ stack: "unit" }, () => ({ id: build().id }));
        const second = await evaluate({ stack: "unit" }, () => ({ id: build().id }));
        assert.match(String(first.outputs.id), /^vpc-0[0-9a-f]{16}$/);
        assert.equal(first.outputs.id, second.outputs.id);
    });

    it("finds the SDK's source-position capture and promise tracking it skips while evaluating, and restores both", async () => {
        const internals = pulumi.Resource as unknown as { stackTrace: unknown };
        const original = [internals.stackTrace, debuggable.debuggablePromise];
        assert.equal(typeof original[0], "function", "Resource.stackTrace moved: update plan/runtime.ts");
        assert.equal(typeof original[1], "function", "runtime/debuggable's debuggablePromise moved: update plan/runtime.ts");
        let during: unknown[] = [];
        await evaluate({ stack: "unit" }, () => {
            during = [internals.stackTrace, debuggable.debuggablePromise];
        });
        assert.notEqual(during[0], original[0]);
        assert.notEqual(during[1], original[1]);
        assert.deepEqual([internals.stackTrace, debuggable.debuggablePromise], original);
    });

    it("mask replaces nested secret wrappers", () => {
        const wrapped = { [pulumi.runtime.specialSigKey]: pulumi.runtime.specialSecretSig, value: "x" };
        assert.deepEqual(mask({ a: [wrapped, 1], b: { c: wrapped } }), { a: [SECRET, 1], b: { c: SECRET } });
    });
});
