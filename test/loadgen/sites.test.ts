import * as assert from "node:assert/strict";
import * as path from "node:path";
import { type ConfigError } from "../../config/problems";
import { parseSites, productionProblems } from "../../loadgen/sites";
import { type Evaluation, evaluate } from "../../plan/runtime";
import { projectRoot, readStack } from "../../plan/stackConfig";
import { ofType } from "../support/harness";

const ROOT = projectRoot();
const LOADGEN = path.join(ROOT, "loadgen");
const site = (region: string, cluster: string, context = cluster) => ({ region, cluster, context });

/** The load-generator program evaluated on the mock runtime, as `pulumi preview` would run it. */
async function evaluateLoadgen(stack: string, config: Record<string, string>): Promise<Evaluation> {
    const program = path.join(__dirname, "..", "..", "loadgen", "index");
    return evaluate({ project: "platform-loadgen", stack, config }, () => {
        delete require.cache[require.resolve(program)];
        // eslint-disable-next-line @typescript-eslint/no-require-imports -- the program is evaluated afresh
        return require(program);
    });
}

describe("loadgen: the load-generator stack never runs in production", () => {
    it("refuses a load-generator stack named prod", () => {
        assert.throws(
            () => parseSites({ sites: [site("us-east-1", "loadgen-use1")] }, "prod", "platform"),
            (e: ConfigError) => {
                assert.deepEqual(e.problems, [
                    { path: "stack", message: 'a load-generator stack must not be named "prod": name it after its purpose, e.g. loadtest' },
                ]);
                return true;
            },
        );
    });

    it("refuses a site on a cluster of the platform's prod stack, by name or by kubeconfig context", () => {
        const sites = [
            site("us-east-1", "platform-prod-use1"),
            site("eu-central-1", "tools-euc1", "arn:aws:eks:eu-central-1:123456789012:cluster/platform-prod-euc1"),
            site("ap-southeast-1", "platform-staging-apse1"),
        ];
        assert.deepEqual(
            productionProblems("loadtest", sites, "platform").map((p) => p.path + " " + p.message.split(":")[0]),
            [
                "loadgen:sites[0] platform-prod-use1 is a cluster of the platform's prod stack",
                "loadgen:sites[1] platform-prod-euc1 is a cluster of the platform's prod stack",
            ],
        );
    });

    it("lists every problem of a bad config with its path", () => {
        assert.throws(
            () =>
                parseSites(
                    { sites: [site("us-east-1", "a"), site("us-east-1", "b"), { region: "mars-1", cluster: "c" }], namespace: "Load Gen" },
                    "loadtest",
                    "platform",
                ),
            (e: ConfigError) => {
                assert.deepEqual(
                    e.problems.map((p) => p.path),
                    ["loadgen:sites[2].region", "loadgen:sites[2].context", "loadgen:namespace"],
                );
                return true;
            },
        );
        assert.throws(
            () => parseSites({ sites: [site("us-east-1", "a"), site("us-east-1", "b")] }, "loadtest", "platform"),
            /loadgen:sites\[1\]\.region: us-east-1 has a site already; one site a region/,
        );
    });

    it("plans the shipped loadtest stack: per site a provider of its context, a restricted namespace, a tokenless service account and a quota", async () => {
        const { config } = readStack(LOADGEN, "loadtest");
        const ev = await evaluateLoadgen("loadtest", config);
        const providers = ofType(ev, "pulumi:providers:kubernetes");
        assert.deepEqual(
            providers.map((p) => [p.name, p.inputs.context]).sort(),
            ["apne1", "apse1", "apse2", "euc1", "eun1", "use1", "usw2"].map((code) => [`${code}-k8s`, `loadgen-${code}`]),
        );
        const namespaces = ofType(ev, "kubernetes:core/v1:Namespace");
        assert.equal(namespaces.length, 7);
        for (const ns of namespaces) {
            const metadata = ns.inputs.metadata as { name: string; labels: Record<string, string> };
            assert.equal(metadata.name, "loadgen");
            assert.equal(metadata.labels["pod-security.kubernetes.io/enforce"], "restricted");
        }
        for (const sa of ofType(ev, "kubernetes:core/v1:ServiceAccount")) assert.equal(sa.inputs.automountServiceAccountToken, false);
        const quotas = ofType(ev, "kubernetes:core/v1:ResourceQuota").map((q) => (q.inputs.spec as { hard: Record<string, string> }).hard);
        assert.deepEqual(quotas[0], {
            pods: "20",
            "requests.cpu": "20000m",
            "limits.cpu": "20000m",
            "requests.memory": "10240Mi",
            "limits.memory": "10240Mi",
        });
        // Every object goes through its site's provider, never the ambient default cluster.
        const providerOf = new Map(providers.map((p) => [p.urn, p.inputs.context]));
        for (const r of ev.resources.filter((x) => x.custom && x.type.startsWith("kubernetes:") && !x.type.startsWith("pulumi:")))
            assert.ok(
                r.provider !== null && providerOf.has(r.provider.split("::").slice(0, -1).join("::")),
                `${r.urn} has provider ${r.provider}`,
            );
    });

    it("fails before declaring anything when the stack is named prod", async () => {
        const { config } = readStack(LOADGEN, "loadtest");
        await assert.rejects(evaluateLoadgen("prod", config), /a load-generator stack must not be named "prod"/);
    });
});
