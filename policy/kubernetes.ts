/**
 * Kubernetes workload rules for our own Deployments, StatefulSets and DaemonSets: the Pod
 * Security Standard "restricted" fields on every container, requests and limits, probes,
 * images pinned by digest, zero-unavailability rollouts and enough replicas for every AZ.
 *
 * Out of scope: Helm releases (`kubernetes:helm.sh/v3:Release`). Their pods are rendered
 * inside the Helm provider, so no container spec reaches the policy engine; their charts are
 * checked by their own tests (pinned chart versions, values).
 */
import type * as k8s from "@pulumi/kubernetes";
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { type Inputs, type Props, list, obj, resourcePolicy } from "./common";

type PodSpec = Inputs<k8s.types.input.core.v1.PodSpec>;
type Container = Inputs<k8s.types.input.core.v1.Container>;

/** Type tokens (@pulumi/kubernetes v4) of the Kubernetes resources the pack judges or looks for. */
export const KUBERNETES_TYPES = {
    deployment: "kubernetes:apps/v1:Deployment",
    statefulSet: "kubernetes:apps/v1:StatefulSet",
    daemonSet: "kubernetes:apps/v1:DaemonSet",
    podDisruptionBudget: "kubernetes:policy/v1:PodDisruptionBudget",
    helmRelease: "kubernetes:helm.sh/v3:Release",
} as const;

export const WORKLOAD_TYPES = [KUBERNETES_TYPES.deployment, KUBERNETES_TYPES.statefulSet, KUBERNETES_TYPES.daemonSet] as const;
export const HPA_TYPES = [
    "kubernetes:autoscaling/v2:HorizontalPodAutoscaler",
    "kubernetes:autoscaling/v1:HorizontalPodAutoscaler",
] as const;

function podSpec(p: Props): PodSpec {
    return obj(obj(obj((p as Inputs<k8s.apps.v1.DeploymentArgs>).spec).template).spec) as PodSpec;
}

interface Named {
    readonly label: string;
    readonly container: Container;
    readonly init: boolean;
}

function containers(p: Props): Named[] {
    const spec = podSpec(p);
    return [
        ...list<Container>(spec.initContainers).map((c, i) => ({
            label: `initContainers[${i}] ${c.name ?? "?"}`,
            container: c,
            init: true,
        })),
        ...list<Container>(spec.containers).map((c, i) => ({ label: `containers[${i}] ${c.name ?? "?"}`, container: c, init: false })),
    ];
}

/** Problems of one container against the "restricted" Pod Security Standard. */
export function restrictedProblems(pod: PodSpec, c: Container): string[] {
    const problems: string[] = [];
    const sc = obj(c.securityContext) as Inputs<k8s.types.input.core.v1.SecurityContext>;
    const psc = obj(pod.securityContext) as Inputs<k8s.types.input.core.v1.PodSecurityContext>;
    if (sc.privileged === true) problems.push("securityContext.privileged is true");
    const nonRoot = sc.runAsNonRoot ?? psc.runAsNonRoot;
    if (nonRoot !== true) problems.push(`runAsNonRoot is ${nonRoot === false ? "false" : "not set (pod or container)"}`);
    if ((sc.runAsUser ?? psc.runAsUser) === 0) problems.push("runAsUser is 0 (root)");
    if (sc.allowPrivilegeEscalation !== false)
        problems.push(`allowPrivilegeEscalation is ${sc.allowPrivilegeEscalation === true ? "true" : "not set (default true)"}`);
    const caps = obj(sc.capabilities) as Inputs<k8s.types.input.core.v1.Capabilities>;
    if (!list<string>(caps.drop).includes("ALL")) problems.push("capabilities.drop does not include ALL");
    const added = list<string>(caps.add).filter((x) => x !== "NET_BIND_SERVICE");
    if (added.length > 0) problems.push(`capabilities.add has ${added.join(", ")} (only NET_BIND_SERVICE is allowed)`);
    const seccomp = obj(sc.seccompProfile).type ?? obj(psc.seccompProfile).type;
    if (seccomp !== "RuntimeDefault" && seccomp !== "Localhost")
        problems.push(`seccompProfile.type is ${seccomp === undefined ? "not set (pod or container)" : seccomp}; use RuntimeDefault`);
    return problems;
}

/** A digest-pinned image: `repo@sha256:<64 hex>`. */
const DIGEST = /@sha256:[0-9a-f]{64}$/;

export const kubernetesPolicies: ResourceValidationPolicy[] = [
    resourcePolicy({
        name: "k8s-pod-security-restricted",
        severity: "high",
        title: "Every container meets the restricted Pod Security Standard: non-root, no privilege escalation, all capabilities dropped, RuntimeDefault seccomp.",
        types: WORKLOAD_TYPES,
        check: (p, _a, report) => {
            const pod = podSpec(p);
            for (const { label, container } of containers(p)) {
                const problems = restrictedProblems(pod, container);
                if (problems.length > 0) report(`${label}: ${problems.join("; ")}`);
            }
        },
    }),
    resourcePolicy({
        name: "k8s-resources",
        severity: "high",
        title: "Every container requests CPU and memory and has a memory limit.",
        types: WORKLOAD_TYPES,
        config: { requireCpuLimit: false },
        configDocs: {
            requireCpuLimit: "Also require limits.cpu. Off by default: CPU limits throttle (CFS) under bursts and hurt tail latency.",
        },
        check: (p, _a, report, cfg) => {
            for (const { label, container } of containers(p)) {
                const r = obj(container.resources) as Inputs<k8s.types.input.core.v1.ResourceRequirements>;
                const requests = obj(r.requests);
                const limits = obj(r.limits);
                const missing = [
                    ...(requests.cpu === undefined ? ["requests.cpu"] : []),
                    ...(requests.memory === undefined ? ["requests.memory"] : []),
                    ...(limits.memory === undefined ? ["limits.memory"] : []),
                    ...(cfg.requireCpuLimit && limits.cpu === undefined ? ["limits.cpu"] : []),
                ];
                if (missing.length > 0) report(`${label}: resources ${missing.join(", ")} not set`);
            }
        },
    }),
    resourcePolicy({
        name: "k8s-probes",
        severity: "high",
        title: "Every container of a workload has a readiness and a liveness probe.",
        types: WORKLOAD_TYPES,
        check: (p, _a, report) => {
            for (const { label, container, init } of containers(p)) {
                if (init) continue;
                const missing = [
                    ...(container.readinessProbe ? [] : ["readinessProbe"]),
                    ...(container.livenessProbe ? [] : ["livenessProbe"]),
                ];
                if (missing.length > 0) report(`${label}: ${missing.join(" and ")} not set`);
            }
        },
    }),
    resourcePolicy({
        name: "k8s-image-digest",
        severity: "high",
        title: "Every image is pinned by digest (repo@sha256:...), never a tag such as :latest.",
        types: WORKLOAD_TYPES,
        check: (p, _a, report) => {
            for (const { label, container } of containers(p)) {
                const image = String(container.image ?? "");
                if (DIGEST.test(image)) continue;
                if (image === "") report(`${label}: image is not set`);
                else if (/:latest$/.test(image) || !/[:@]/.test(image.split("/").pop() ?? ""))
                    report(`${label}: image ${image} floats on :latest; pin it by digest`);
                else report(`${label}: image ${image} is not pinned by digest (repo@sha256:<digest>)`);
            }
        },
    }),
    resourcePolicy({
        name: "k8s-rolling-update-zero-unavailable",
        severity: "high",
        title: "Deployments roll out with RollingUpdate and maxUnavailable 0, so capacity never drops during a release.",
        types: [KUBERNETES_TYPES.deployment],
        check: (p, _a, report) => {
            const strategy = obj(
                obj((p as Inputs<k8s.apps.v1.DeploymentArgs>).spec).strategy,
            ) as Inputs<k8s.types.input.apps.v1.DeploymentStrategy>;
            if ((strategy.type ?? "RollingUpdate") !== "RollingUpdate") {
                report(`strategy.type is ${strategy.type}: use RollingUpdate with maxUnavailable 0`);
                return;
            }
            const maxUnavailable = obj(strategy.rollingUpdate).maxUnavailable;
            if (maxUnavailable === undefined) report("strategy.rollingUpdate.maxUnavailable is not set (default 25%): set it to 0");
            else if (maxUnavailable !== 0 && maxUnavailable !== "0" && maxUnavailable !== "0%")
                report(`strategy.rollingUpdate.maxUnavailable is ${maxUnavailable}: set it to 0`);
        },
    }),
    resourcePolicy({
        name: "k8s-replicas-per-az",
        severity: "high",
        title: "Deployments and StatefulSets run at least one replica per AZ, and HPAs never scale below that.",
        types: [KUBERNETES_TYPES.deployment, KUBERNETES_TYPES.statefulSet, ...HPA_TYPES],
        config: { minReplicas: 3 },
        configDocs: { minReplicas: "Minimum replicas (and HPA minReplicas): the number of AZs of a cell." },
        check: (p, a, report, cfg) => {
            if ((HPA_TYPES as readonly string[]).includes(a.type)) {
                const min = (obj(p.spec) as Inputs<k8s.types.input.autoscaling.v2.HorizontalPodAutoscalerSpec>).minReplicas;
                if ((min ?? 1) < cfg.minReplicas)
                    report(`minReplicas is ${min ?? "not set (default 1)"}: keep at least ${cfg.minReplicas} (one per AZ)`);
                return;
            }
            const replicas = obj(p.spec).replicas as number | undefined;
            // A Deployment without replicas is owned by its HPA (checked above and by k8s-deployment-has-pdb-and-hpa).
            if (replicas === undefined && a.type === KUBERNETES_TYPES.deployment) return;
            if ((replicas ?? 1) < cfg.minReplicas)
                report(`replicas is ${replicas ?? "not set (default 1)"}: run at least ${cfg.minReplicas} (one per AZ)`);
        },
    }),
];
