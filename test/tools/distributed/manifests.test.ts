import * as assert from "node:assert/strict";
import * as path from "node:path";
import { namespaceValues } from "../../../config/platform";
import { parseSites } from "../../../loadgen/sites";
import { projectRoot, readStack } from "../../../plan/stackConfig";
import { parseStack } from "../../../stack/parse";
import { BUNDLE_FILE, CONFIGMAP_LIMIT_BYTES, SPEC_FILE, workerBundle } from "../../../tools/distributed/bundle";
import { DEFAULT_SERVICE_ACCOUNT, type DistributedFlags, planManifests, siteProblems } from "../../../tools/distributed/command";
import { PINNED_IMAGE, jobName } from "../../../tools/distributed/manifests";
import { type RunPlan, planRun } from "../../../tools/distributed/run";
import { loadScenario } from "../../../tools/scenario";
import { schemaProblems } from "../../support/kubeStandIn";

/** A digest-pinned image as --image takes it (test data: no such digest is claimed to exist). */
const IMAGE = `node:22-bookworm-slim@sha256:${"0123456789abcdef".repeat(4)}`;

const ROOT = projectRoot();

/** The dry run's plan: 25,000 users of the prod stack's traffic, the shipped loadtest sites. */
function prodRun(): { plan: RunPlan; flags: DistributedFlags } {
    const { config } = readStack(ROOT, "prod");
    const stack = parseStack(namespaceValues(config), config["aws:region"]);
    const loadgen = readStack(path.join(ROOT, "loadgen"), "loadtest").config;
    const sites = parseSites(
        Object.fromEntries(Object.entries(loadgen).map(([k, v]) => [k.replace(/^loadgen:/, ""), JSON.parse(v)])),
        "loadtest",
        "platform",
    );
    const flags = {
        stack: "prod",
        sites,
        sitesFile: "loadgen/Pulumi.loadtest.yaml",
        usersPerWorker: 2000,
        image: IMAGE,
    } as unknown as DistributedFlags;
    const plan = planRun(
        {
            target: "https://api.example.com",
            scenario: loadScenario(path.join(ROOT, "tools", "scenarios", "extension.yaml")),
            users: stack.config.capacity.targetConcurrentUsers,
            usersPerWorker: 2000,
            model: "closed",
            durationS: 600,
            warmupS: 5,
            timeoutS: 10,
            maxRequests: 10_000_000,
            objective: { p99Ms: 30, maxErrorRate: 0.001 },
            startInS: 120,
            traffic: stack.config.traffic,
            steering: stack.fleet.steering.regions,
        },
        Date.UTC(2026, 11, 4, 9),
        "run1",
    );
    return { plan, flags };
}

describe("distributed: the Jobs of a 25,000-user prod run", () => {
    const { plan, flags } = prodRun();
    const manifests = planManifests(plan, flags, workerBundle());

    it("splits 25,000 users over one generator region per Cloudflare region of platform:traffic, 2,000 users a worker at most", () => {
        assert.deepEqual(
            plan.distribution.regions.map((r) => [r.region, r.cloudflareRegions.join(","), r.servedBy, r.users, r.workers]),
            [
                ["us-west-2", "WNAM", "us-east-1", 3750, [1875, 1875]],
                ["us-east-1", "ENAM", "us-east-1", 7500, [1875, 1875, 1875, 1875]],
                ["eu-central-1", "WEU", "eu-central-1", 5000, [1667, 1667, 1666]],
                ["eu-north-1", "EEU", "eu-central-1", 2500, [1250, 1250]],
                ["ap-southeast-2", "OC", "ap-southeast-1", 1250, [1250]],
                ["ap-southeast-1", "SEAS", "ap-southeast-1", 2500, [1250, 1250]],
                ["ap-northeast-1", "NEAS", "ap-southeast-1", 2500, [1250, 1250]],
            ],
        );
        assert.equal(
            plan.specs.reduce((n, s) => n + s.users.reduce((a, b) => a + b, 0), 0),
            25_000,
        );
        assert.deepEqual(siteProblems(plan, flags), []);
    });

    it("validates every Job against batch/v1 and every ConfigMap against v1 (Kubernetes' OpenAPI schemas)", async () => {
        for (const m of manifests) {
            assert.deepEqual(await schemaProblems(m.job as Record<string, unknown>), [], m.name);
            assert.deepEqual(await schemaProblems(m.configMap as Record<string, unknown>), [], m.name);
        }
        const bad = { ...(manifests[0].job as Record<string, unknown>), spec: { completions: "two" } };
        assert.match((await schemaProblems(bad))[0], /completions must be integer/);
    });

    it("runs every worker at once, never retries one, ends at the deadline and deletes itself", () => {
        const job = manifests[1].job as any;
        assert.equal(manifests[1].name, jobName("run1", "use1"));
        assert.deepEqual(
            [job.spec.completionMode, job.spec.completions, job.spec.parallelism, job.spec.backoffLimit, job.spec.ttlSecondsAfterFinished],
            ["Indexed", 4, 4, 0, 3600],
        );
        // The common start 120 s out, 600 s of load, the last request's 10 s timeout and 60 s to report.
        assert.equal(job.spec.activeDeadlineSeconds, 120 + 600 + 10 + 60);
        assert.equal(job.spec.template.spec.restartPolicy, "Never");
    });

    it("runs the bundled worker from the --image given, as the node user, with Pod Security restricted's settings", () => {
        const pod = (manifests[0].job as any).spec.template.spec;
        const [container] = pod.containers;
        assert.equal(container.image, IMAGE);
        assert.match(IMAGE, PINNED_IMAGE);
        assert.deepEqual(container.command.slice(0, 2), ["node", "-e"]);
        assert.equal(container.command[3], `/opt/loadtest/${SPEC_FILE}`);
        assert.deepEqual(pod.securityContext, {
            runAsNonRoot: true,
            runAsUser: 1000,
            runAsGroup: 1000,
            seccompProfile: { type: "RuntimeDefault" },
        });
        assert.deepEqual(container.securityContext, {
            allowPrivilegeEscalation: false,
            readOnlyRootFilesystem: true,
            capabilities: { drop: ["ALL"] },
        });
        assert.equal(pod.automountServiceAccountToken, false);
        assert.equal(pod.serviceAccountName, DEFAULT_SERVICE_ACCOUNT);
        assert.deepEqual(container.resources, { requests: { cpu: "1000m", memory: "512Mi" }, limits: { cpu: "1000m", memory: "512Mi" } });
    });

    it("fits what the load-generator stack plans: its namespace, a quota of 20 workers a site, a ConfigMap under 1 MiB", () => {
        for (const m of manifests) {
            assert.equal(m.namespace, "loadgen");
            assert.ok((m.job as any).spec.parallelism <= flags.sites!.maxWorkersPerSite);
            const size = JSON.stringify(m.configMap).length;
            assert.ok(size < CONFIGMAP_LIMIT_BYTES, `${m.name}: ${size} bytes`);
            assert.ok((m.configMap.binaryData as Record<string, string>)[BUNDLE_FILE].length > 100_000);
        }
        const tooFew = { ...flags, sites: { ...flags.sites!, maxWorkersPerSite: 3, sites: flags.sites!.sites.slice(1) } };
        assert.deepEqual(siteProblems(plan, tooFew as DistributedFlags), [
            "us-east-1 generates 7500 users (ENAM) but Pulumi.loadtest.yaml has no site there",
        ]);
    });
});
