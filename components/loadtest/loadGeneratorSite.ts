/**
 * Where a distributed load test's workers run on one cluster: a namespace with Pod Security
 * `restricted` enforced, the workers' service account (no API token), and a ResourceQuota that
 * bounds what one run may take (pods, CPU, memory), so a mistyped `--users` cannot fill the
 * cluster. The runs themselves (a ConfigMap and an Indexed Job each) are made by
 * `npm run loadtest -- --distributed` and delete themselves (tools/distributed/manifests.ts):
 * a run is not infrastructure, and declaring it here would make every run a deployment.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";

export interface LoadGeneratorSiteArgs {
    /** Namespace the runs go to; one per cluster and load-generator stack. */
    namespace: string;
    /** Most workers that may run at once (the quota's pods). */
    maxWorkers: number;
    /** Requests and limits of one worker (the quota is `maxWorkers` of them). */
    workerCpuMillicores: number;
    workerMemoryMiB: number;
    /** Service account of the workers. @default "loadtest-worker" */
    serviceAccountName?: string;
}

export class LoadGeneratorSite extends pulumi.ComponentResource {
    readonly namespace: pulumi.Output<string>;
    readonly serviceAccountName: pulumi.Output<string>;

    constructor(name: string, args: LoadGeneratorSiteArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:loadtest:LoadGeneratorSite", name, {}, opts);
        const child = { parent: this };
        const labels = { "app.kubernetes.io/name": "loadtest", "app.kubernetes.io/managed-by": "pulumi" };
        const ns = new k8s.core.v1.Namespace(
            `${name}-ns`,
            {
                metadata: {
                    name: args.namespace,
                    labels: {
                        ...labels,
                        // The Job's pods meet `restricted` (manifests.ts): non-root, no privilege escalation, no capabilities, seccomp.
                        "pod-security.kubernetes.io/enforce": "restricted",
                        "pod-security.kubernetes.io/enforce-version": "latest",
                    },
                },
            },
            child,
        );
        const inNamespace = { ...child, dependsOn: [ns] };
        const account = new k8s.core.v1.ServiceAccount(
            `${name}-worker`,
            {
                metadata: { name: args.serviceAccountName ?? "loadtest-worker", namespace: args.namespace, labels },
                automountServiceAccountToken: false,
            },
            inNamespace,
        );
        const cpu = `${args.maxWorkers * args.workerCpuMillicores}m`;
        const memory = `${args.maxWorkers * args.workerMemoryMiB}Mi`;
        new k8s.core.v1.ResourceQuota(
            `${name}-quota`,
            {
                metadata: { name: "loadtest", namespace: args.namespace, labels },
                spec: {
                    hard: {
                        pods: String(args.maxWorkers),
                        "requests.cpu": cpu,
                        "limits.cpu": cpu,
                        "requests.memory": memory,
                        "limits.memory": memory,
                    },
                },
            },
            inNamespace,
        );
        this.namespace = ns.metadata.name;
        this.serviceAccountName = account.metadata.name;
        this.registerOutputs({ namespace: this.namespace, serviceAccountName: this.serviceAccountName });
    }
}
