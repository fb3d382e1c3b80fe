/**
 * Kubernetes workload rules for our own Deployments, StatefulSets and DaemonSets: the Pod
 * Security Standard "restricted" fields on every container, requests and limits, probes,
 * images pinned by digest, zero-unavailability rollouts and enough replicas for every AZ.
 *
 * Placeholder workloads (pod label PLACEHOLDER_LABEL: pause pods that hold node room for a failover
 * and serve nothing, components/compute/warmCapacity.ts) skip the serving rules (probes, rollout,
 * replicas per AZ, PDB and HPA): a pause container answers no probe, and losing a placeholder
 * loses no request. They must yield instead (mission.ts `k8s-placeholder-yields`).
 *
 * Helm releases (`kubernetes:helm.sh/v3:Release`): their pods are rendered inside the Helm
 * provider, so no container spec reaches these rules. helm.ts judges them through each pinned
 * chart's known workloads (a table of the workloads a chart version renders, the values paths and
 * chart defaults of their resources, security contexts, probes and images): `k8s-helm-resources`,
 * `k8s-helm-pod-security-restricted`, `k8s-helm-probes` and `k8s-helm-image-digest` hold them to
 * the rules here with the same checks (`requiredResourceFields`, `restrictedFindings`,
 * `REQUIRED_PROBES`, `IMAGE_DIGEST`), and a chart or version not in the table is a finding. Rollout
 * and replicas do not judge releases.
 */
import type * as k8s from "@pulumi/kubernetes";
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { type Inputs, type Props, list, obj, platform, resourcePolicy } from "./common";

type PodSpec = Inputs<k8s.types.input.core.v1.PodSpec>;
type Container = Inputs<k8s.types.input.core.v1.Container>;

/** Type tokens (@pulumi/kubernetes v4) of the Kubernetes resources the pack judges or looks for. */
export const KUBERNETES_TYPES = {
    deployment: "kubernetes:apps/v1:Deployment",
    statefulSet: "kubernetes:apps/v1:StatefulSet",
    daemonSet: "kubernetes:apps/v1:DaemonSet",
    podDisruptionBudget: "kubernetes:policy/v1:PodDisruptionBudget",
    helmRelease: "kubernetes:helm.sh/v3:Release",
    priorityClass: "kubernetes:scheduling.k8s.io/v1:PriorityClass",
} as const;

/** The pod label of a placeholder workload (the program's WarmCapacity sets it). */
export const PLACEHOLDER_LABEL = { key: "app.kubernetes.io/component", value: "placeholder" } as const;

export const WORKLOAD_TYPES = [KUBERNETES_TYPES.deployment, KUBERNETES_TYPES.statefulSet, KUBERNETES_TYPES.daemonSet] as const;
/** Both HorizontalPodAutoscaler API versions. */
export const HPA_TYPES = [
    "kubernetes:autoscaling/v2:HorizontalPodAutoscaler",
    "kubernetes:autoscaling/v1:HorizontalPodAutoscaler",
] as const;

/** The `resources` fields every container must set (k8s-resources; k8s-helm-resources for charts' workloads), in order. */
export function requiredResourceFields(requireCpuLimit: boolean): readonly (readonly [string, string])[] {
    return [["requests", "cpu"], ["requests", "memory"], ["limits", "memory"], ...(requireCpuLimit ? ([["limits", "cpu"]] as const) : [])];
}

function podSpec(props: Props): PodSpec {
    return obj(obj(obj((props as Inputs<k8s.apps.v1.DeploymentArgs>).spec).template).spec) as PodSpec;
}

/** True when the workload's pod template carries PLACEHOLDER_LABEL. */
export function isPlaceholder(props: Props): boolean {
    const labels = obj(obj(obj(obj(props.spec).template).metadata).labels) as Record<string, unknown>;
    return labels[PLACEHOLDER_LABEL.key] === PLACEHOLDER_LABEL.value;
}

/** A workload's pod template (for the stack rules): its priorityClassName, when set. */
export function priorityClassNameOf(props: Props): unknown {
    return podSpec(props).priorityClassName;
}

interface NamedContainer {
    /** Where the container is, for messages: `containers[0] api`. */
    readonly label: string;
    readonly container: Container;
    readonly init: boolean;
}

/** The init containers, then the containers, of a workload's pod template. */
function containers(props: Props): NamedContainer[] {
    const spec = podSpec(props);
    const named = (field: "initContainers" | "containers", init: boolean) =>
        list<Container>(spec[field]).map((container, index) => ({ label: `${field}[${index}] ${container.name ?? "?"}`, container, init }));
    return [...named("initContainers", true), ...named("containers", false)];
}

/** The fields of the "restricted" Pod Security Standard that `restrictedProblems` judges (an exemption names them). */
export const RESTRICTED_FIELDS = [
    "privileged",
    "runAsNonRoot",
    "runAsUser",
    "allowPrivilegeEscalation",
    "capabilities.drop",
    "capabilities.add",
    "seccompProfile",
] as const;
export type RestrictedField = (typeof RESTRICTED_FIELDS)[number];

/** One problem of a container against the restricted standard, by the field it is about. */
export interface RestrictedFinding {
    readonly field: RestrictedField;
    readonly problem: string;
}

/** Problems of one container against the "restricted" Pod Security Standard, by field. */
export function restrictedFindings(pod: PodSpec, container: Container): RestrictedFinding[] {
    const found: RestrictedFinding[] = [];
    const add = (field: RestrictedField, problem: string) => found.push({ field, problem });
    const containerContext = obj(container.securityContext) as Inputs<k8s.types.input.core.v1.SecurityContext>;
    const podContext = obj(pod.securityContext) as Inputs<k8s.types.input.core.v1.PodSecurityContext>;
    if (containerContext.privileged === true) add("privileged", "securityContext.privileged is true");
    const nonRoot = containerContext.runAsNonRoot ?? podContext.runAsNonRoot;
    if (nonRoot !== true) add("runAsNonRoot", `runAsNonRoot is ${nonRoot === false ? "false" : "not set (pod or container)"}`);
    if ((containerContext.runAsUser ?? podContext.runAsUser) === 0) add("runAsUser", "runAsUser is 0 (root)");
    if (containerContext.allowPrivilegeEscalation !== false)
        add(
            "allowPrivilegeEscalation",
            `allowPrivilegeEscalation is ${containerContext.allowPrivilegeEscalation === true ? "true" : "not set (default true)"}`,
        );
    const capabilities = obj(containerContext.capabilities) as Inputs<k8s.types.input.core.v1.Capabilities>;
    if (!list<string>(capabilities.drop).includes("ALL")) add("capabilities.drop", "capabilities.drop does not include ALL");
    const added = list<string>(capabilities.add).filter((capability) => capability !== "NET_BIND_SERVICE");
    if (added.length > 0) add("capabilities.add", `capabilities.add has ${added.join(", ")} (only NET_BIND_SERVICE is allowed)`);
    const seccomp = obj(containerContext.seccompProfile).type ?? obj(podContext.seccompProfile).type;
    if (seccomp !== "RuntimeDefault" && seccomp !== "Localhost")
        add(
            "seccompProfile",
            `seccompProfile.type is ${seccomp === undefined ? "not set (pod or container)" : seccomp}; use RuntimeDefault`,
        );
    return found;
}

/** Problems of one container against the "restricted" Pod Security Standard. */
export function restrictedProblems(pod: PodSpec, container: Container): string[] {
    return restrictedFindings(pod, container).map((finding) => finding.problem);
}

/**
 * A pod and a container security context that meet every field `restrictedFindings` judges: the
 * most favourable value of each, which a rule deciding on known values puts in place of an unknown
 * one (a violation that remains is one whatever the unknown turns out to be). `runAsUser` is any
 * non-root id (65534, nobody).
 */
export const RESTRICTED_COMPLIANT: { readonly pod: Readonly<Props>; readonly container: Readonly<Props> } = {
    pod: { runAsNonRoot: true, runAsUser: 65534, seccompProfile: { type: "RuntimeDefault" } },
    container: {
        privileged: false,
        runAsNonRoot: true,
        runAsUser: 65534,
        allowPrivilegeEscalation: false,
        capabilities: { drop: ["ALL"], add: [] },
        seccompProfile: { type: "RuntimeDefault" },
    },
};

/** The probes every serving container must have (k8s-probes; k8s-helm-probes for charts' workloads), in order. */
export const REQUIRED_PROBES = ["readinessProbe", "livenessProbe"] as const;

/** A digest-pinned image: `repo@sha256:<64 hex>`. */
export const IMAGE_DIGEST = /@sha256:[0-9a-f]{64}$/;

export const kubernetesPolicies: ResourceValidationPolicy[] = [
    resourcePolicy({
        ...platform("k8s-pod-security-restricted", "high"),
        title: "Every container meets the restricted Pod Security Standard: non-root, no privilege escalation, all capabilities dropped, RuntimeDefault seccomp.",
        types: WORKLOAD_TYPES,
        check: (props, _args, report) => {
            const pod = podSpec(props);
            for (const { label, container } of containers(props)) {
                const problems = restrictedProblems(pod, container);
                if (problems.length > 0) report(`${label}: ${problems.join("; ")}`);
            }
        },
    }),
    resourcePolicy({
        ...platform("k8s-resources", "high"),
        title: "Every container requests CPU and memory and has a memory limit.",
        types: WORKLOAD_TYPES,
        config: { requireCpuLimit: false },
        configDocs: {
            requireCpuLimit: "Also require limits.cpu. Off by default: CPU limits throttle (CFS) under bursts and hurt tail latency.",
        },
        check: (props, _args, report, config) => {
            for (const { label, container } of containers(props)) {
                const requirements = obj(container.resources) as Record<string, unknown>;
                const missing = requiredResourceFields(config.requireCpuLimit)
                    .filter(([section, key]) => (obj(requirements[section]) as Record<string, unknown>)[key] === undefined)
                    .map((field) => field.join("."));
                if (missing.length > 0) report(`${label}: resources ${missing.join(", ")} not set`);
            }
        },
    }),
    resourcePolicy({
        ...platform("k8s-probes", "high"),
        title: "Every container of a workload has a readiness and a liveness probe (placeholders excepted).",
        types: WORKLOAD_TYPES,
        check: (props, _args, report) => {
            if (isPlaceholder(props)) return;
            for (const { label, container, init } of containers(props)) {
                if (init) continue;
                const missing = REQUIRED_PROBES.filter((probe) => !container[probe]);
                if (missing.length > 0) report(`${label}: ${missing.join(" and ")} not set`);
            }
        },
    }),
    resourcePolicy({
        ...platform("k8s-image-digest", "high"),
        title: "Every image is pinned by digest (repo@sha256:...), never a tag such as :latest.",
        types: WORKLOAD_TYPES,
        check: (props, _args, report) => {
            for (const { label, container } of containers(props)) {
                const image = String(container.image ?? "");
                if (IMAGE_DIGEST.test(image)) continue;
                if (image === "") report(`${label}: image is not set`);
                else if (/:latest$/.test(image) || !/[:@]/.test(image.split("/").pop() ?? ""))
                    report(`${label}: image ${image} floats on :latest; pin it by digest`);
                else report(`${label}: image ${image} is not pinned by digest (repo@sha256:<digest>)`);
            }
        },
    }),
    resourcePolicy({
        ...platform("k8s-rolling-update-zero-unavailable", "high"),
        title: "Deployments roll out with RollingUpdate and maxUnavailable 0, so capacity never drops during a release (placeholders excepted).",
        types: [KUBERNETES_TYPES.deployment],
        check: (props, _args, report) => {
            if (isPlaceholder(props)) return;
            const strategy = obj(
                obj((props as Inputs<k8s.apps.v1.DeploymentArgs>).spec).strategy,
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
        ...platform("k8s-replicas-per-az", "high"),
        title: "Deployments and StatefulSets run at least one replica per AZ, and HPAs never scale below that (placeholders excepted).",
        types: [KUBERNETES_TYPES.deployment, KUBERNETES_TYPES.statefulSet, ...HPA_TYPES],
        config: { minReplicas: 3 },
        configDocs: { minReplicas: "Minimum replicas (and HPA minReplicas): the number of AZs of a cell." },
        check: (props, args, report, config) => {
            if ((HPA_TYPES as readonly string[]).includes(args.type)) {
                const minReplicas = (obj(props.spec) as Inputs<k8s.types.input.autoscaling.v2.HorizontalPodAutoscalerSpec>).minReplicas;
                if ((minReplicas ?? 1) < config.minReplicas)
                    report(`minReplicas is ${minReplicas ?? "not set (default 1)"}: keep at least ${config.minReplicas} (one per AZ)`);
                return;
            }
            if (isPlaceholder(props)) return;
            const replicas = obj(props.spec).replicas as number | undefined;
            // A Deployment without replicas is owned by its HPA (checked above and by k8s-deployment-has-pdb-and-hpa).
            if (replicas === undefined && args.type === KUBERNETES_TYPES.deployment) return;
            if ((replicas ?? 1) < config.minReplicas)
                report(`replicas is ${replicas ?? "not set (default 1)"}: run at least ${config.minReplicas} (one per AZ)`);
        },
    }),
];
