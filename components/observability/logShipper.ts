/** Fluent Bit on every node of a cell, shipping container and node logs to the cell's log domain. */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { type ChartPin } from "../../regions/versions";
import { pinnedRelease } from "../helm";
import { podIdentityRole, policyDocument } from "../iam";
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
    /**
     * What gives the shipper's role its rights inside the domain (the domain's setup function, which
     * maps it to `logs_writer`), declared from that role's ARN. The release waits for it: shipped
     * before the mapping exists, every bulk request would be refused (403). @default none
     */
    readonly admittedBy?: (roleArn: pulumi.Output<string>) => pulumi.Resource;
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

        // The association has never waited for the policy: waiting now would change the deployed stacks' dependencies.
        const { role, association } = podIdentityRole(
            name,
            {
                region,
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
                waitForPolicy: false,
            },
            child,
        );

        const admission = args.admittedBy?.(role.arn);
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
                    config: {
                        service: FLUENT_BIT_SERVICE,
                        inputs: FLUENT_BIT_INPUTS,
                        filters: FLUENT_BIT_FILTERS,
                        outputs: fluentBitOutputs(args.domainEndpoint, region),
                    },
                    serviceMonitor: FLUENT_BIT_SERVICE_MONITOR,
                    ...FLUENT_BIT_NODE_ACCESS,
                },
            },
            // EKS injects Pod Identity credentials at pod admission: the DaemonSet's pods must be admitted
            // after the association exists, or they run without credentials until restarted.
            {
                parent: this,
                provider: args.k8sProvider,
                dependsOn: [ns, association, ...(admission ? [admission] : []), ...(args.dependsOn ?? [])],
            },
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
 * (`fluentbit_output_dropped_records_total`, `fluentbit_output_chunk_available_capacity_percent`, label `name`).
 */
export const FLUENT_BIT_SERVICE_MONITOR = { enabled: true, interval: "30s" } as const;

/**
 * Node directory of Fluent Bit's state (a hostPath, so it outlives the pod: a restarted or
 * upgraded pod on the node resumes from it): the tail input's offsets, the journal cursor and the
 * filesystem buffer of records not yet accepted by the domain.
 */
export const FLUENT_BIT_STATE_DIR = "/var/fluent-bit/state";

/**
 * Per output, the most the filesystem buffer may hold for it (`storage.total_limit_size`; beyond
 * it the oldest chunk is discarded, counted in `fluentbit_output_dropped_records_total`:
 * fluent/fluent-bit src/flb_input_chunk.c). Bounded so that an OpenSearch outage cannot fill the
 * node's 50 GiB root volume (components/compute/nodeGroups.ts) into the kubelet's disk-pressure
 * eviction: 3.5 GiB together, 7 % of it (4.5 GiB, 9 %, with the rejected queue's 1G).
 */
export const FLUENT_BIT_BUFFER_LIMITS = { containers: "3G", nodes: "512M" } as const;

/** Longest wait between two retries, seconds: after an outage the buffer drains within minutes. */
export const FLUENT_BIT_RETRY_CAP_SECONDS = 300;

/**
 * Retries of a chunk before it goes to the rejected queue. The wait before retry n is random
 * between `scheduler.base` (5 s) and min(cap, base × 2^n) (docs.fluentbit.io/manual/administration/
 * scheduling-and-retries), about 150 s on average once at the cap: 60 retries are about two and a
 * half hours, longer than a domain's blue/green update or a node replacement, and a chunk the
 * domain keeps refusing (a mapping conflict) stops being re-sent after that.
 */
const FLUENT_BIT_RETRY_LIMIT = 60;

/** Most the rejected queue may hold on a node (`storage.rejected.limit`); beyond it a rejected chunk is not kept. */
const FLUENT_BIT_REJECTED_LIMIT = "1G";

/**
 * The chart's [SERVICE] (fluent/helm-charts charts/fluent-bit/values.yaml of 0.58.1 `config.service`,
 * its `{{ .Values.* }}` left to the chart's tpl) plus the storage layer (docs.fluentbit.io/manual/pipeline/buffering,
 * "Global settings"; service-section.md): chunks of filesystem-buffered inputs are written under
 * `storage.path` and survive a restart (the built-in `storage_backlog` input sends them on start).
 * `storage.max_chunks_up` (default 128 chunks of about 2 MB) is halved to stay well inside the
 * container's 512 MiB memory limit. `scheduler.cap` bounds the retry backoff (default 2000 s;
 * docs.fluentbit.io/manual/administration/scheduling-and-retries).
 */
export const FLUENT_BIT_SERVICE = `[SERVICE]
    Daemon Off
    Flush {{ .Values.flush }}
    Log_Level {{ .Values.logLevel }}
    Parsers_File /fluent-bit/etc/parsers.conf
    Parsers_File /fluent-bit/etc/conf/custom_parsers.conf
    HTTP_Server On
    HTTP_Listen 0.0.0.0
    HTTP_Port {{ .Values.metricsPort }}
    Health_Check On
    storage.path ${FLUENT_BIT_STATE_DIR}/buffer/
    storage.sync normal
    storage.max_chunks_up 64
    scheduler.cap ${FLUENT_BIT_RETRY_CAP_SECONDS}
    storage.keep.rejected On
    storage.rejected.limit ${FLUENT_BIT_REJECTED_LIMIT}
`;

/**
 * The chart's two inputs (containers' logs, the kubelet's journal), each with a database of where
 * it stopped and a filesystem buffer (docs.fluentbit.io/manual/pipeline/inputs/tail and
 * .../inputs/systemd: `db`, one file per input; `storage.type filesystem`).
 * - tail: with `DB`, a restarted pod resumes every known file at its offset ("no data is lost" on
 *   SIGTERM; at-least-once, a few lines again, after a SIGKILL: tail.md "Keep state"). `Read_from_Head`
 *   applies to files the database does not know yet: a container started while Fluent Bit was down is
 *   read from its first line, not from its end (no gap). `DB.locking`: only this process opens it.
 *   `Mem_Buf_Limit` is gone: it does not apply to filesystem-buffered inputs (administration/backpressure.md).
 * - systemd: a cursor in `DB` wins over `Read_From_Tail` (fluent/fluent-bit plugins/in_systemd/systemd_config.c
 *   seeks the cursor after the tail), so only the very first start skips the journal's past.
 */
export const FLUENT_BIT_INPUTS = `[INPUT]
    Name tail
    Path /var/log/containers/*.log
    multiline.parser docker, cri
    Tag kube.*
    DB ${FLUENT_BIT_STATE_DIR}/tail-containers.db
    DB.locking true
    Read_from_Head On
    Skip_Long_Lines On
    storage.type filesystem

[INPUT]
    Name systemd
    Tag host.*
    Systemd_Filter _SYSTEMD_UNIT=kubelet.service
    Read_From_Tail On
    DB ${FLUENT_BIT_STATE_DIR}/systemd-kubelet.db
    storage.type filesystem
`;

/**
 * What Fluent Bit may touch on the node, and nothing more. The chart's defaults mount `/var/log`
 * read-write and `/var/lib/docker/containers`, which AL2023's containerd nodes do not use (the
 * kubelet writes container logs under /var/log/pods, linked from /var/log/containers). Here:
 * `/var/log` read-only (container logs and the journal), `/etc/machine-id` read-only (the journal
 * reader needs it), and one writable directory, FLUENT_BIT_STATE_DIR (created by the kubelet).
 * The container runs as root, the owner of those host files (0640 logs, the journal; no
 * capability is needed to read or write what one owns), with every capability dropped, no
 * privilege escalation, a read-only root filesystem and RuntimeDefault seccomp: every restricted
 * Pod Security field but non-root (the pack's exemption, policy/helmCharts.ts CHARTS). A DaemonSet rolls one node at a time
 * without surge (maxSurge 0, apps/v1 RollingUpdateDaemonSet), so two pods never share a node's
 * database and buffer. Typed by the Kubernetes SDK's own shapes (@pulumi/kubernetes types/input.d.ts).
 */
export const FLUENT_BIT_NODE_ACCESS: {
    readonly daemonSetVolumes: readonly k8s.types.input.core.v1.Volume[];
    readonly daemonSetVolumeMounts: readonly k8s.types.input.core.v1.VolumeMount[];
    readonly securityContext: k8s.types.input.core.v1.SecurityContext;
    readonly updateStrategy: k8s.types.input.apps.v1.DaemonSetUpdateStrategy;
} = {
    daemonSetVolumes: [
        { name: "varlog", hostPath: { path: "/var/log" } },
        { name: "etcmachineid", hostPath: { path: "/etc/machine-id", type: "File" } },
        { name: "state", hostPath: { path: FLUENT_BIT_STATE_DIR, type: "DirectoryOrCreate" } },
    ],
    daemonSetVolumeMounts: [
        { name: "varlog", mountPath: "/var/log", readOnly: true },
        { name: "etcmachineid", mountPath: "/etc/machine-id", readOnly: true },
        { name: "state", mountPath: FLUENT_BIT_STATE_DIR },
    ],
    securityContext: {
        runAsUser: 0,
        privileged: false,
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        capabilities: { drop: ["ALL"] },
        // The runtime's default syscall filter: Fluent Bit 5.1.1's event loop is epoll (no io_uring in its src/ or lib/monkey/mk_core).
        seccompProfile: { type: "RuntimeDefault" },
    },
    updateStrategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } },
};

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

/**
 * Two outputs (containers, node services), both to the domain over TLS with SigV4 for `region`.
 * A chunk is retried FLUENT_BIT_RETRY_LIMIT times, its records held in the filesystem buffer
 * meanwhile (bounded by `storage.total_limit_size`: buffering.md, "Per-output settings"); then it
 * goes to the rejected queue on the node's disk (`storage.keep.rejected`, under storage.path's
 * `rejected/`: src/flb_engine.c handle_dlq_if_available, include/fluent-bit/flb_config.h), counted
 * as dropped. Retrying for ever would re-send a chunk the domain refuses (one record with a mapping
 * conflict fails the whole bulk: plugins/out_opensearch/opensearch.c opensearch_error_check) until
 * the buffer limit throws the oldest chunks away. `Generate_ID On` gives each record an id from its
 * content, so a re-sent chunk's accepted records answer 409 (which the check ignores) instead of
 * being indexed twice (the default `write_operation` is `create`).
 */
export function fluentBitOutputs(endpoint: pulumi.Input<string>, region: string): pulumi.Output<string> {
    const output = (match: string, prefix: string, limit: string) => pulumi.interpolate`[OUTPUT]
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
    Generate_ID On
    Retry_Limit ${FLUENT_BIT_RETRY_LIMIT}
    storage.total_limit_size ${limit}
`;
    return pulumi.interpolate`${output("kube.*", LOG_INDEX_PREFIXES.containers, FLUENT_BIT_BUFFER_LIMITS.containers)}
${output("host.*", LOG_INDEX_PREFIXES.nodes, FLUENT_BIT_BUFFER_LIMITS.nodes)}`;
}
