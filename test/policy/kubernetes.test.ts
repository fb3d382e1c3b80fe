// Kubernetes workload policies: a compliant Deployment, and one fixture per broken rule.
import * as assert from "node:assert/strict";
import type { Props } from "../../policy/common";
import { fixture, flagged } from "../support/policy";

const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
const DIGEST = "123456789012.dkr.ecr.us-east-1.amazonaws.com/api@sha256:4f1c8e0b7a9d2c3e5f6a7b8c9d0e1f2a3b4c5d6e7f8091a2b3c4d5e6f7a8b9c0";

function container(overrides: Props = {}): Props {
    return {
        name: "api",
        image: DIGEST,
        securityContext: { runAsNonRoot: true, allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } },
        resources: { requests: { cpu: "500m", memory: "512Mi" }, limits: { memory: "512Mi" } },
        readinessProbe: { httpGet: { path: "/healthz", port: 8080 } },
        livenessProbe: { httpGet: { path: "/healthz", port: 8080 } },
        ...overrides,
    };
}

function deployment(c: Props = container(), spec: Props = {}, pod: Props = {}): Props {
    return {
        metadata: { name: "api", namespace: "api" },
        spec: {
            strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: "25%" } },
            selector: { matchLabels: { app: "api" } },
            template: {
                metadata: { labels: { app: "api" } },
                spec: { securityContext: { seccompProfile: { type: "RuntimeDefault" } }, containers: [c], ...pod },
            },
            ...spec,
        },
    };
}

describe("policy pack: Kubernetes workloads", () => {
    const good = fixture(DEPLOYMENT, "good", deployment());

    it("k8s-pod-security-restricted: flags each missing restricted field, pod-level settings count", async () => {
        const bare = fixture(DEPLOYMENT, "bare", deployment(container({ securityContext: undefined }), {}, { securityContext: {} }));
        const root = fixture(
            "kubernetes:apps/v1:StatefulSet",
            "root",
            deployment(
                container({
                    securityContext: {
                        runAsNonRoot: false,
                        runAsUser: 0,
                        allowPrivilegeEscalation: true,
                        privileged: true,
                        capabilities: { drop: ["ALL"], add: ["SYS_ADMIN"] },
                        seccompProfile: { type: "Unconfined" },
                    },
                }),
            ),
        );
        const podLevel = fixture(
            "kubernetes:apps/v1:DaemonSet",
            "pod-level",
            deployment(
                container({
                    securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"], add: ["NET_BIND_SERVICE"] } },
                }),
                {},
                { securityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } } },
            ),
        );
        assert.deepEqual(await flagged("k8s-pod-security-restricted", [good, bare, root, podLevel]), [
            "bare: containers[0] api: runAsNonRoot is not set (pod or container); allowPrivilegeEscalation is not set (default true); capabilities.drop does not include ALL; seccompProfile.type is not set (pod or container); use RuntimeDefault",
            "root: containers[0] api: securityContext.privileged is true; runAsNonRoot is false; runAsUser is 0 (root); allowPrivilegeEscalation is true; capabilities.add has SYS_ADMIN (only NET_BIND_SERVICE is allowed); seccompProfile.type is Unconfined; use RuntimeDefault",
        ]);
    });

    it("k8s-pod-security-restricted: checks init containers too", async () => {
        const init = fixture(
            DEPLOYMENT,
            "init",
            deployment(
                container(),
                {},
                {
                    initContainers: [
                        container({ name: "migrate", securityContext: { runAsNonRoot: true, allowPrivilegeEscalation: false } }),
                    ],
                },
            ),
        );
        assert.deepEqual(await flagged("k8s-pod-security-restricted", [init]), [
            "init: initContainers[0] migrate: capabilities.drop does not include ALL",
        ]);
    });

    it("k8s-resources: requests and a memory limit; a CPU limit only when configured", async () => {
        const none = fixture(DEPLOYMENT, "none", deployment(container({ resources: undefined })));
        const noLimit = fixture(DEPLOYMENT, "no-limit", deployment(container({ resources: { requests: { cpu: "1", memory: "1Gi" } } })));
        assert.deepEqual(await flagged("k8s-resources", [good, none, noLimit]), [
            "none: containers[0] api: resources requests.cpu, requests.memory, limits.memory not set",
            "no-limit: containers[0] api: resources limits.memory not set",
        ]);
        assert.deepEqual(await flagged("k8s-resources", [good], { "k8s-resources": { requireCpuLimit: true } }), [
            "good: containers[0] api: resources limits.cpu not set",
        ]);
    });

    it("k8s-probes: readiness and liveness on every container, not on init containers", async () => {
        const none = fixture(
            DEPLOYMENT,
            "none",
            deployment(
                container({ readinessProbe: undefined, livenessProbe: undefined }),
                {},
                { initContainers: [container({ name: "init", readinessProbe: undefined, livenessProbe: undefined })] },
            ),
        );
        const noLive = fixture(DEPLOYMENT, "no-live", deployment(container({ livenessProbe: undefined })));
        assert.deepEqual(await flagged("k8s-probes", [good, none, noLive]), [
            "none: containers[0] api: readinessProbe and livenessProbe not set",
            "no-live: containers[0] api: livenessProbe not set",
        ]);
    });

    it("k8s-image-digest: only repo@sha256 digests pass; :latest, untagged and omitted images are called out", async () => {
        const latest = fixture(DEPLOYMENT, "latest", deployment(container({ image: "nginx:latest" })));
        const untagged = fixture(DEPLOYMENT, "untagged", deployment(container({ image: "registry.example.com:5000/api" })));
        const tagged = fixture(DEPLOYMENT, "tagged", deployment(container({ image: "api:1.2.3" })));
        const omitted = fixture(DEPLOYMENT, "omitted", deployment(container({ image: undefined })));
        assert.deepEqual(await flagged("k8s-image-digest", [good, latest, untagged, tagged, omitted]), [
            "latest: containers[0] api: image nginx:latest floats on :latest; pin it by digest",
            "untagged: containers[0] api: image registry.example.com:5000/api floats on :latest; pin it by digest",
            "tagged: containers[0] api: image api:1.2.3 is not pinned by digest (repo@sha256:<digest>)",
            "omitted: containers[0] api: image is not set",
        ]);
    });

    it("k8s-rolling-update-zero-unavailable: omitted strategy means 25% unavailable", async () => {
        const omitted = fixture(DEPLOYMENT, "omitted", deployment(container(), { strategy: undefined }));
        const recreate = fixture(DEPLOYMENT, "recreate", deployment(container(), { strategy: { type: "Recreate" } }));
        const some = fixture(DEPLOYMENT, "some", deployment(container(), { strategy: { rollingUpdate: { maxUnavailable: "10%" } } }));
        const zeroPercent = fixture(
            DEPLOYMENT,
            "zero-percent",
            deployment(container(), { strategy: { rollingUpdate: { maxUnavailable: "0%" } } }),
        );
        assert.deepEqual(await flagged("k8s-rolling-update-zero-unavailable", [good, omitted, recreate, some, zeroPercent]), [
            "omitted: strategy.rollingUpdate.maxUnavailable is not set (default 25%): set it to 0",
            "recreate: strategy.type is Recreate: use RollingUpdate with maxUnavailable 0",
            "some: strategy.rollingUpdate.maxUnavailable is 10%: set it to 0",
        ]);
    });

    it("k8s-replicas-per-az: explicit replicas and HPA minReplicas at least the AZ count", async () => {
        const hpa = "kubernetes:autoscaling/v2:HorizontalPodAutoscaler";
        const resources = [
            good, // replicas omitted: the HPA owns them
            fixture(DEPLOYMENT, "two", deployment(container(), { replicas: 2 })),
            fixture("kubernetes:apps/v1:StatefulSet", "sts-omitted", deployment(container(), { strategy: undefined })),
            fixture(hpa, "hpa-good", { spec: { minReplicas: 3, maxReplicas: 30, scaleTargetRef: { kind: "Deployment", name: "api" } } }),
            fixture(hpa, "hpa-omitted", { spec: { maxReplicas: 30, scaleTargetRef: { kind: "Deployment", name: "api" } } }),
        ];
        assert.deepEqual(await flagged("k8s-replicas-per-az", resources), [
            "two: replicas is 2: run at least 3 (one per AZ)",
            "sts-omitted: replicas is not set (default 1): run at least 3 (one per AZ)",
            "hpa-omitted: minReplicas is not set (default 1): keep at least 3 (one per AZ)",
        ]);
        assert.deepEqual(await flagged("k8s-replicas-per-az", resources.slice(1, 2), { "k8s-replicas-per-az": { minReplicas: 2 } }), []);
    });

    it("leaves Helm releases alone (their pods are rendered by the Helm provider)", async () => {
        const release = fixture("kubernetes:helm.sh/v3:Release", "prom", {
            chart: "kube-prometheus-stack",
            version: "70.0.0",
            values: { image: "x:latest" },
        });
        for (const name of ["k8s-pod-security-restricted", "k8s-resources", "k8s-probes", "k8s-image-digest"])
            assert.deepEqual(await flagged(name, [release]), [], name);
    });

    it("placeholders (pod label component: placeholder) skip the serving rules and nothing else", async () => {
        const pause = container({
            name: "pause",
            image: "registry.k8s.io/pause:3.10@sha256:ee6521f290b2168b6e0935a181d4cff9be1ac3f505666ef0e3c98fae8199917a",
            readinessProbe: undefined,
            livenessProbe: undefined,
        });
        const placeholderLabels = { app: "warm", "app.kubernetes.io/component": "placeholder" };
        const placeholder = (c: Props = pause) =>
            deployment(c, {
                replicas: 0,
                strategy: { type: "Recreate" },
                template: { metadata: { labels: placeholderLabels }, spec: { containers: [c] } },
            });
        const warm = fixture(DEPLOYMENT, "warm", placeholder());
        // The same pod without the label is a serving workload, and every serving rule applies.
        const unlabelled = fixture(DEPLOYMENT, "unlabelled", deployment(pause, { replicas: 0, strategy: { type: "Recreate" } }));
        assert.deepEqual(await flagged("k8s-probes", [warm, unlabelled]), [
            "unlabelled: containers[0] pause: readinessProbe and livenessProbe not set",
        ]);
        assert.deepEqual(await flagged("k8s-rolling-update-zero-unavailable", [warm, unlabelled]), [
            "unlabelled: strategy.type is Recreate: use RollingUpdate with maxUnavailable 0",
        ]);
        assert.deepEqual(await flagged("k8s-replicas-per-az", [warm, unlabelled]), [
            "unlabelled: replicas is 0: run at least 3 (one per AZ)",
        ]);
        // Security, requests and digests still hold for placeholders.
        const loose = fixture(
            DEPLOYMENT,
            "loose",
            placeholder(container({ ...pause, image: "registry.k8s.io/pause:3.10", securityContext: {} })),
        );
        assert.deepEqual(await flagged("k8s-image-digest", [loose]), [
            "loose: containers[0] pause: image registry.k8s.io/pause:3.10 is not pinned by digest (repo@sha256:<digest>)",
        ]);
        assert.ok((await flagged("k8s-pod-security-restricted", [loose])).length > 0);
    });
});
