import * as assert from "node:assert/strict";
import { type PlanRun, planStack } from "../../plan/plan";
import { type PreviewDigest, previewDigest } from "../../plan/previewJson";
import { ENGINE_UNKNOWN, SECRET, UNKNOWN } from "../../plan/runtime";
import { readStack, projectRoot } from "../../plan/stackConfig";
import { planOf, prodStack, withConfig } from "../support/harness";

describe("the plan JSON's mock ids and --preview-json", () => {
    let run: PlanRun;
    let digest: PreviewDigest;
    before(async () => {
        run = await planOf(prodStack());
        digest = JSON.parse(JSON.stringify(previewDigest(prodStack(), run.evaluation))) as PreviewDigest;
    });

    it("gives every custom resource an id unique for its provider and type (Kubernetes ids are namespace/name per cluster), and components none", () => {
        const custom = run.plan.resources.filter((r) => r.custom);
        assert.ok(custom.every((r) => typeof r.id === "string" && r.id.length > 0));
        assert.equal(new Set(custom.map((r) => `${r.provider}|${r.type}|${r.id}`)).size, custom.length);
        assert.equal(
            new Set(custom.filter((r) => r.type.startsWith("aws:")).map((r) => r.id)).size,
            custom.filter((r) => r.type.startsWith("aws:")).length,
        );
        const deployment = run.plan.resources.find((r) => r.name === "use1-api-deployment")!;
        assert.equal(deployment.id, "api/api");
        assert.ok(run.plan.resources.filter((r) => !r.custom).every((r) => r.id === null));
    });

    it("lets references between resources be followed by id", () => {
        const byId = new Map(run.plan.resources.filter((r) => r.id !== null).map((r) => [r.id!, r]));
        const one = (type: string, name: string) => run.plan.resources.find((r) => r.type === type && r.name === name)!;
        const group = one("aws:eks/nodeGroup:NodeGroup", "use1-nodes-a");
        assert.equal(byId.get((group.inputs.launchTemplate as { id: string }).id)?.name, "use1-nodes-lt");
        const cluster = one("aws:eks/cluster:Cluster", "use1-eks-cluster");
        const subnets = (cluster.inputs.vpcConfig as { subnetIds: string[] }).subnetIds.map((id) => byId.get(id));
        assert.deepEqual(
            subnets.map((s) => s?.type),
            ["aws:ec2/subnet:Subnet", "aws:ec2/subnet:Subnet", "aws:ec2/subnet:Subnet"],
        );
        const lb = one("cloudflare:index/loadBalancer:LoadBalancer", "edge-lb");
        assert.deepEqual(
            (lb.inputs.defaultPools as string[]).map((id) => byId.get(id)?.name),
            ["edge-pool-use1", "edge-pool-euc1", "edge-pool-apse1"],
        );
    });

    it("has the PreviewDigest fields: config, steps (op, urn, newState with urn, custom, type, inputs), changeSummary", () => {
        assert.deepEqual(Object.keys(digest), ["config", "steps", "changeSummary"]);
        // Every recorded resource and read; no step for a default provider (internal steps are not shown).
        assert.equal(digest.steps.length, run.evaluation.resources.length + run.evaluation.reads.length);
        assert.ok(!digest.steps.some((s) => s.urn.includes("::pulumi:providers:") && /::default(_|$)/.test(s.urn)));
        // Resources without a provider of their own name their default one, its id unknown in a first preview.
        const zone = digest.steps.find((s) => s.newState.type.startsWith("cloudflare:"))!;
        assert.equal(
            zone.provider,
            "urn:pulumi:prod::platform::pulumi:providers:cloudflare::default_6_22_1::04da6b54-80e4-46f7-96ec-b56ff0331ba9",
        );
        assert.equal(zone.newState.provider, zone.provider);
        const password = digest.steps.find((s) => s.newState.type === "random:index/randomPassword:RandomPassword")!;
        assert.match(password.provider!, /::pulumi:providers:random::default_4_21_2::04da6b54-80e4-46f7-96ec-b56ff0331ba9$/);
        const awsResource = digest.steps.find((s) => s.newState.type === "aws:ec2/vpc:Vpc")!;
        assert.ok(!awsResource.provider!.includes("::default"), "the program's own AWS provider");
        // A first preview counts its creates; reads (no old state) and default providers are not counted.
        assert.deepEqual(digest.changeSummary, { create: run.evaluation.resources.length });
        const allowed = new Set([
            "urn",
            "custom",
            "type",
            "inputs",
            "parent",
            "protect",
            "external",
            "id",
            "dependencies",
            "provider",
            "retainOnDelete",
            "ignoreChanges",
            "replaceOnChanges",
        ]);
        const seen = new Set<string>();
        for (const step of digest.steps) {
            assert.equal(step.op, step.newState.type === "pulumi:pulumi:StackReference" ? "read" : "create");
            assert.equal(step.detailedDiff, null, "present, as the CLI writes it (no omitempty)");
            assert.equal(step.newState.urn, step.urn);
            assert.match(step.newState.type, /^[a-z0-9-]+:[A-Za-z0-9/.-]*:[A-Za-z0-9]+$/);
            assert.equal(typeof step.newState.custom, "boolean");
            // omitempty: a component's (and the root stack's) empty inputs are left out.
            if (step.newState.custom) assert.equal(typeof step.newState.inputs, "object");
            else assert.ok(step.newState.inputs === undefined || Object.keys(step.newState.inputs).length > 0);
            for (const key of Object.keys(step.newState)) assert.ok(allowed.has(key), `${step.urn}: ${key}`);
            // Parents come first, as the engine registers them.
            if (step.newState.parent) assert.ok(seen.has(step.newState.parent), `${step.urn} before its parent`);
            seen.add(step.urn);
        }
        assert.equal(digest.steps[0].newState.type, "pulumi:pulumi:Stack");
        const cluster = digest.steps.find(
            (s) => s.newState.type === "aws:rds/cluster:Cluster" && s.urn.endsWith("::use1-data-db-cluster"),
        )!;
        assert.equal(cluster.newState.protect, true);
        assert.equal(cluster.newState.inputs?.masterPassword, SECRET);
        // The target group bindings' replaceOnChanges (an immutable target group) kept, as the engine's new state does.
        const binding = digest.steps.find((s) => s.urn.endsWith("::use1-api-tgb"));
        assert.ok(binding, "the binding's step");
        assert.deepEqual(binding.newState.replaceOnChanges, run.evaluation.resources.find((r) => r.urn === binding.urn)!.replaceOnChanges);
        assert.ok((binding.newState.replaceOnChanges ?? []).length > 0);
    });

    it("writes an adopted resource (a re-added region's retained backup vault) as an import with its importID, and counts it so", async () => {
        const regions = (JSON.parse(prodStack().config["platform:regions"]) as Record<string, unknown>[]).map((entry) =>
            entry.name === "ap-southeast-1" ? { ...entry, adoptBackupVault: true } : entry,
        );
        const stack = withConfig(prodStack(), { "platform:regions": regions });
        const adopted = previewDigest(stack, (await planOf(stack)).evaluation);
        const imports = adopted.steps.filter((s) => s.op === "import");
        assert.deepEqual(
            imports.map((s) => s.urn.split("::").at(-1)),
            // The air-gapped vault is retained and adopted with the locked one (issue 15).
            ["apse1-data-backup-airgap", "apse1-data-backup-vault", "apse1-data-backup-vault-lock"],
        );
        for (const step of imports) assert.match(step.newState.importID!, /@ap-southeast-1$/);
        assert.ok(!adopted.steps.some((s) => s.op !== "import" && s.newState.importID !== undefined));
        const creates = adopted.steps.filter((s) => s.op === "create").length;
        assert.deepEqual(adopted.changeSummary, { create: creates, import: 3 });
    });

    it("shows a read step for each StackReference the program declares (the zone owner reads its tenant staging), by the builtin default provider", () => {
        const reads = digest.steps.filter((s) => s.op === "read");
        const urn = "urn:pulumi:prod::platform::pulumi:pulumi:StackReference::zone-tenant-staging";
        const provider = "urn:pulumi:prod::platform::pulumi:providers:pulumi::default::04da6b54-80e4-46f7-96ec-b56ff0331ba9";
        assert.deepEqual(reads, [
            {
                op: "read",
                urn,
                provider,
                newState: {
                    urn,
                    custom: true,
                    id: "organization/platform/staging",
                    type: "pulumi:pulumi:StackReference",
                    inputs: { name: "organization/platform/staging" },
                    parent: "urn:pulumi:prod::platform::pulumi:pulumi:Stack::platform-prod",
                    external: true,
                    provider,
                },
                detailedDiff: null,
            },
        ]);
        // Read from the program's own declaration, not written into the managed resources.
        assert.deepEqual(
            run.evaluation.reads.map((r) => r.urn),
            [urn],
        );
        assert.ok(!run.plan.resources.some((r) => r.type === "pulumi:pulumi:StackReference"));
        // What is built from its outputs depends on it by that URN (the engine's, not the mock monitor's `Stack$` form).
        const rules = run.evaluation.resources.find((r) => r.urn.endsWith("::edge-cache-rules"))!;
        assert.ok(rules.dependencies.includes(urn), rules.dependencies.join("\n"));
    });

    it("shows no read for a stack that declares no StackReference (staging owns no zone)", async () => {
        const stack = readStack(projectRoot(), "staging");
        const staging = await planOf(stack);
        const steps = previewDigest(stack, staging.evaluation).steps;
        assert.deepEqual(
            steps.filter((s) => s.op === "read"),
            [],
        );
        assert.equal(steps.length, staging.evaluation.resources.length);
    });

    it("writes a value unknown in a preview as the engine's placeholder, never the plan's [unknown]", async () => {
        const preview = await planStack(prodStack(), { preview: true });
        const text = JSON.stringify(previewDigest(prodStack(), preview.evaluation));
        assert.ok(!text.includes(JSON.stringify(UNKNOWN)));
        assert.ok(text.split(ENGINE_UNKNOWN).length > 100, "a first preview has many unknowns (ids, ARNs)");
    });

    it("blinds secrets in config and inputs", () => {
        // Prod's stack file has no secure value: mark one of its keys secret, as `pulumi config set --secret` would.
        const key = "platform:edge";
        const secretConfig = previewDigest({ ...prodStack(), secretKeys: [key] }, run.evaluation).config;
        assert.equal(secretConfig[key], SECRET);
        assert.notEqual(digest.config[key], SECRET, "shown when not secret");
        const text = JSON.stringify(digest);
        const clear = run.evaluation.resources.flatMap((r) =>
            Object.entries(r.inputs)
                .filter(([, v]) => v === SECRET)
                .map(([k]) => r.rawInputs[k]),
        );
        assert.ok(clear.length > 0);
        for (const value of clear) if (typeof value === "string" && value.length > 8) assert.ok(!text.includes(value), "a secret in clear");
    });
});
