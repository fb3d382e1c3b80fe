/** Fluent Bit on every node of a cell, shipping container and node logs to the cell's log domain. */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { type ChartPin } from "../../regions/versions";
import { pinnedRelease } from "../helm";
import { podIdentityAssociation, podIdentityServiceRole, policyDocument } from "../iam";
import { LOG_INDEX_PREFIXES } from "./ism";

/**
 * Fluent Bit from the upstream chart. 0.58.1 ships Fluent Bit 5.1.1, whose AWS credential
 * chain includes EKS Pod Identity (fluent/fluent-bit#10115, 2025); the `opensearch` output
 * signs with SigV4. aws-for-fluent-bit follows AWS's own image line, which lags upstream.
 */
export const FLUENT_BIT_CHART = {
    chart: "fluent-bit",
    version: "0.58.1",
    repository: "https://fluent.github.io/helm-charts",
} as const satisfies ChartPin;

export interface LogShipperArgs {
    /** AWS region of the cell: Pod Identity lives here and Fluent Bit signs for it. */
    readonly region: string;
    /** The EKS cluster whose pods get the role (Pod Identity association). */
    readonly clusterName: pulumi.Input<string>;
    /** ARN of THIS cell's log domain: the only one the shipper may write to. */
    readonly domainArn: pulumi.Input<string>;
    /** VPC endpoint (hostname) of the domain. */
    readonly domainEndpoint: pulumi.Input<string>;
    /** Kubernetes provider of the cell's cluster. */
    readonly k8sProvider: k8s.Provider;
    /** @default "logging" */
    readonly namespace?: string;
    /**
     * What the release waits for: kube-prometheus-stack's release, whose CRDs the chart's
     * ServiceMonitor needs (its template renders only if the cluster serves
     * monitoring.coreos.com/v1, so installed first it would silently not exist). @default none
     */
    readonly dependsOn?: readonly pulumi.Resource[];
}

/**
 * Fluent Bit as a DaemonSet: tails every container log, adds Kubernetes metadata, and
 * writes daily indices to the cell's domain over HTTPS with SigV4, as an IAM role granted
 * by EKS Pod Identity that may only POST/PUT to that domain.
 */
export class LogShipper extends pulumi.ComponentResource {
    readonly roleArn: pulumi.Output<string>;
    readonly namespace: string;

    constructor(name: string, args: LogShipperArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:observability:LogShipper", name, {}, opts);
        const { region } = args;
        const child = { parent: this };
        const k8sChild = { parent: this, provider: args.k8sProvider };
        const namespace = args.namespace ?? "logging";
        const serviceAccount = "fluent-bit";
        this.namespace = namespace;

        const { role } = podIdentityServiceRole(
            name,
            {
                clusterName: args.clusterName,
                namespace,
                serviceAccount,
                description: `Fluent Bit of ${region}: writes container logs to the region's OpenSearch domain`,
                policy: pulumi.jsonStringify(
                    policyDocument({
                        Effect: "Allow",
                        Action: ["es:ESHttpPost", "es:ESHttpPut"],
                        Resource: pulumi.interpolate`${args.domainArn}/*`,
                    }),
                ),
            },
            child,
        );
        // Unlike podIdentityRole's, this association does not wait for the policy.
        const association = podIdentityAssociation(name, { region, clusterName: args.clusterName, namespace, serviceAccount }, role, child);

        const ns = new k8s.core.v1.Namespace(`${name}-ns`, { metadata: { name: namespace } }, k8sChild);
        new k8s.helm.v3.Release(
            `${name}-release`,
            {
                ...pinnedRelease(FLUENT_BIT_CHART, ns.metadata.name, "fluent-bit"),
                values: {
                    kind: "DaemonSet",
                    fullnameOverride: "fluent-bit",
                    serviceAccount: { create: true, name: serviceAccount },
                    // Every node, including tainted system nodes: a node without a shipper loses its logs.
                    tolerations: [{ operator: "Exists" }],
                    priorityClassName: "system-node-critical",
                    resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { memory: "512Mi" } },
                    config: { filters: FLUENT_BIT_FILTERS, outputs: fluentBitOutputs(args.domainEndpoint, region) },
                    serviceMonitor: FLUENT_BIT_SERVICE_MONITOR,
                },
            },
            // EKS injects Pod Identity credentials at pod admission: the DaemonSet's pods must be admitted
            // after the association exists, or they run without credentials until restarted.
            { parent: this, provider: args.k8sProvider, dependsOn: [ns, association, ...(args.dependsOn ?? [])] },
        );

        this.roleArn = role.arn;
        this.registerOutputs({ roleArn: this.roleArn });
    }
}

/**
 * Prometheus scrapes Fluent Bit through the chart's own ServiceMonitor (fluent/helm-charts,
 * charts/fluent-bit 0.58.1: values.yaml `serviceMonitor.enabled: false` by default;
 * templates/servicemonitor.yaml scrapes port `http` (the chart's HTTP_Server, 2020) at
 * `/api/v2/metrics/prometheus`, in the release's namespace, `jobLabel: app.kubernetes.io/instance`).
 * kube-prometheus-stack selects every ServiceMonitor (monitoring.ts), so no selector label is needed.
 * The v2 endpoint serves the cmetrics counters the alert rules read
 * (`fluentbit_output_dropped_records_total`, `fluentbit_output_retries_failed_total`, label `name`).
 */
export const FLUENT_BIT_SERVICE_MONITOR = { enabled: true, interval: "30s" } as const;

/** Kubernetes metadata on every container record; a pod may pick its parser or opt out by annotation. */
const FLUENT_BIT_FILTERS = `[FILTER]
    Name kubernetes
    Match kube.*
    Merge_Log On
    Keep_Log Off
    Labels On
    Annotations Off
    K8S-Logging.Parser On
    K8S-Logging.Exclude On
`;

/** Two outputs (containers, node services), both to the domain over TLS with SigV4 for `region`. */
export function fluentBitOutputs(endpoint: pulumi.Input<string>, region: string): pulumi.Output<string> {
    const output = (match: string, prefix: string) => pulumi.interpolate`[OUTPUT]
    Name opensearch
    Match ${match}
    Host ${endpoint}
    Port 443
    tls On
    tls.verify On
    AWS_Auth On
    AWS_Region ${region}
    Logstash_Format On
    Logstash_Prefix ${prefix}
    Suppress_Type_Name On
    Replace_Dots On
    Trace_Error On
    Retry_Limit 10
`;
    return pulumi.interpolate`${output("kube.*", LOG_INDEX_PREFIXES.containers)}
${output("host.*", LOG_INDEX_PREFIXES.nodes)}`;
}
