/**
 * Warm capacity for a failover: placeholder pods that keep nodes running for the extra API pods a
 * region failure sends to this cell, so those pods start on nodes that exist instead of waiting
 * for Karpenter to launch some (a minute or more of EC2, boot and kubelet while Cloudflare has
 * already moved the users). The pattern is Kubernetes' own, "Overprovision Node Capacity For A
 * Cluster" (kubernetes.io/docs/tasks/administer-cluster/node-overprovisioning/): pods of a
 * negative-priority class that never preempt anything, which any normal pod preempts at once.
 * A preempted placeholder goes Pending, and Karpenter launches a node for it within the
 * NodePool's limits, so the reserve refills while the limits allow.
 *
 * Not Karpenter's CapacityBuffer: it is an alpha feature behind a feature gate, documented from
 * Karpenter 1.15 (karpenter.sh/docs/concepts/capacitybuffers/), and the pinned chart is 1.14.1.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { onPool } from "../../regions/capacity/nodes";
import { API_SPREAD } from "./apiWorkload";

/**
 * The placeholder's image: the Kubernetes pause container, by digest (the pack wants every image
 * pinned). registry.k8s.io/pause:3.10, a multi-arch index. A bound pod holds its node room even
 * while its image pulls, so the registry does not decide whether the reserve exists.
 */
export const PAUSE_IMAGE = "registry.k8s.io/pause:3.10@sha256:ee6521f290b2168b6e0935a181d4cff9be1ac3f505666ef0e3c98fae8199917a";
/** Below every pod of the cluster (they have 0 when no class is named), so any of them preempts a placeholder. */
export const WARM_PRIORITY = -10;
/** The placeholders' labels; `app.kubernetes.io/component: placeholder` is the pack's PLACEHOLDER_LABEL. */
export const WARM_LABELS = {
    "app.kubernetes.io/name": "warm-capacity",
    "app.kubernetes.io/component": "placeholder",
    "app.kubernetes.io/part-of": "platform",
} as const;

/** The placeholders' namespace unless the args name another. */
const WARM_NAMESPACE = "warm-capacity";

export interface WarmCapacityArgs {
    /** Placeholder pods; plain, from the capacity model (`warmPods`). 0 keeps the objects and runs none. */
    readonly replicas: number;
    /** Each placeholder's CPU request, millicores: the API pod's, so one preemption frees one API pod's room. */
    readonly cpuMillicores: number;
    /** Each placeholder's memory request and limit, MiB: the API pod's. */
    readonly memoryMiB: number;
    /** Namespace of the placeholders. @default WARM_NAMESPACE */
    readonly namespace?: string;
    /** What must exist first (Karpenter's NodePool: the placeholders are what it launches nodes for). */
    readonly dependsOn?: pulumi.Input<pulumi.Resource>[];
}

/**
 * A PriorityClass, a restricted namespace and a Deployment of `replicas` pause pods, each the
 * size of an API pod, spread over zones and hosts like the API's pods. Expects the cell's
 * Kubernetes provider through `providers`.
 */
export class WarmCapacity extends pulumi.ComponentResource {
    readonly priorityClassName: pulumi.Output<string>;
    /** Where the placeholders run (plain: monitoring routes its Pending-pod alerts by it). */
    readonly namespace: string;

    constructor(name: string, args: WarmCapacityArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:compute:WarmCapacity", name, {}, opts);
        this.namespace = args.namespace ?? WARM_NAMESPACE;
        const problems = warmCapacityProblems(args);
        if (problems.length) throw new pulumi.ResourceError(`WarmCapacity "${name}":\n- ${problems.join("\n- ")}`, this);
        const child = { parent: this };
        // `component: placeholder` is the policy pack's mark of a workload that serves nothing (policy/kubernetes.ts).
        const labels = { ...WARM_LABELS };

        const priority = new k8s.scheduling.v1.PriorityClass(
            `${name}-priority`,
            {
                metadata: { name: "platform-warm-capacity", labels },
                value: WARM_PRIORITY,
                globalDefault: false,
                // A placeholder waits for room; it never evicts anything to get it.
                preemptionPolicy: "Never",
                description: "Placeholder pods holding node room for a failover's extra API pods; any other pod preempts them.",
            },
            { parent: this, dependsOn: args.dependsOn ?? [] },
        );
        const ns = new k8s.core.v1.Namespace(
            `${name}-ns`,
            {
                metadata: {
                    name: this.namespace,
                    labels: { "pod-security.kubernetes.io/enforce": "restricted", "pod-security.kubernetes.io/enforce-version": "latest" },
                },
            },
            { parent: this, dependsOn: args.dependsOn ?? [] },
        );
        new k8s.apps.v1.Deployment(
            `${name}-deployment`,
            {
                metadata: {
                    name: "warm-capacity",
                    namespace: ns.metadata.name,
                    labels,
                    // Placeholders are Pending by design whenever the API has scaled into their room
                    // (pods.min + warm = pods.max, the NodePool's limit), and a Recreate Deployment is
                    // Available only with every replica: the provider's await would fail any `up` that
                    // changes this Deployment during a surge, after its 10 minutes. The annotation
                    // skips that wait (pulumi/pulumi-kubernetes#417).
                    annotations: { "pulumi.com/skipAwait": "true" },
                },
                spec: {
                    replicas: args.replicas,
                    selector: { matchLabels: labels },
                    // Placeholders carry nothing: a new template replaces them all at once.
                    strategy: { type: "Recreate" },
                    template: {
                        metadata: { labels },
                        spec: {
                            priorityClassName: priority.metadata.name,
                            // Where the API's pods go: they hold its nodes' room, not the system nodes'.
                            nodeSelector: onPool("api"),
                            automountServiceAccountToken: false,
                            terminationGracePeriodSeconds: 0,
                            securityContext: { runAsNonRoot: true, runAsUser: 65535, seccompProfile: { type: "RuntimeDefault" } },
                            // Where the API's pods would go: the same zones-then-hosts spread.
                            topologySpreadConstraints: API_SPREAD.map((spread) => ({
                                ...spread,
                                matchLabelKeys: [...spread.matchLabelKeys],
                                labelSelector: { matchLabels: labels },
                            })),
                            containers: [
                                {
                                    name: "pause",
                                    image: PAUSE_IMAGE,
                                    resources: {
                                        requests: { cpu: `${args.cpuMillicores}m`, memory: `${args.memoryMiB}Mi` },
                                        limits: { cpu: `${args.cpuMillicores}m`, memory: `${args.memoryMiB}Mi` },
                                    },
                                    securityContext: {
                                        allowPrivilegeEscalation: false,
                                        readOnlyRootFilesystem: true,
                                        runAsNonRoot: true,
                                        capabilities: { drop: ["ALL"] },
                                    },
                                },
                            ],
                        },
                    },
                },
            },
            child,
        );

        this.priorityClassName = priority.metadata.name;
        this.registerOutputs({ priorityClassName: this.priorityClassName });
    }
}

/** What is wrong with the arguments (empty when nothing). Pure. */
export function warmCapacityProblems(args: Pick<WarmCapacityArgs, "replicas" | "cpuMillicores" | "memoryMiB">): string[] {
    const problems: string[] = [];
    if (!Number.isInteger(args.replicas) || args.replicas < 0) problems.push(`replicas ${args.replicas} is not a whole number ≥ 0`);
    if (!(args.cpuMillicores > 0)) problems.push(`cpuMillicores ${args.cpuMillicores} is not above 0`);
    if (!(args.memoryMiB > 0)) problems.push(`memoryMiB ${args.memoryMiB} is not above 0`);
    return problems;
}
