import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { onPool } from "../../regions/capacity/nodes";
import type { DataConnection } from "../data/dataTier";
import { podIdentityRole, policyDocument } from "../iam";

export interface ApiWorkloadArgs {
    /** AWS region of the cell: for the Pod Identity association and the pods' `AWS_REGION`. */
    readonly region: string;
    readonly clusterName: pulumi.Input<string>;
    /** Image pinned by digest (`repo@sha256:…`). */
    readonly image: string;
    readonly port: number;
    readonly healthPath: string;
    /** The HPA's range. Plain: the capacity model computes it. */
    readonly replicas: { readonly min: number; readonly max: number };
    /** CPU request, millicores; the limit is twice it (bursts without starving neighbours). */
    readonly cpuMillicores: number;
    /** Memory request and limit, MiB (equal: no overcommit, no surprise OOM kills). */
    readonly memoryMiB: number;
    /** The ALB target group the pods are bound to. */
    readonly targetGroupArn: pulumi.Input<string>;
    /** The VPC's CIDR: the data tier lives in it. */
    readonly vpcCidr: string;
    /** The subnets the ALB's nodes are in (the cell's public subnets): the only callers of the API's port, with the scraper. */
    readonly albSubnetCidrs: readonly string[];
    /** Namespace of the Prometheus that scrapes the API's metrics. @default "monitoring" */
    readonly scraperNamespace?: string;
    /** Plain settings handed in by other tiers (proxy and cache endpoints). Never secrets. */
    readonly env?: Readonly<Record<string, pulumi.Input<string>>>;
    /**
     * Secrets the API reads from Secrets Manager at start, by environment variable name:
     * the variable holds the secret's ARN (never its value) and the pods' role may read
     * exactly these ARNs.
     */
    readonly secretArns?: Readonly<Record<string, pulumi.Input<string>>>;
    /** KMS keys those secrets are encrypted with, when not the AWS-managed key. */
    readonly secretKmsKeyArns?: pulumi.Input<string>[];
    /** `rds-db:connect` resources (RDS Proxy IAM authentication) the pods' role may use. */
    readonly databaseConnectArns?: pulumi.Input<string>[];
    /** `elasticache:Connect` resources (the cache's IAM authentication: replication group and user). */
    readonly cacheConnectArns?: pulumi.Input<string>[];
    /** TCP ports of the data tier (Postgres via RDS Proxy, Valkey). @default [5432, 6379] */
    readonly dataPorts?: readonly number[];
    /** Namespace of the API. @default "api" */
    readonly namespace?: string;
    /** What must run first: the Load Balancer Controller (TargetGroupBinding's CRD and webhook). */
    readonly dependsOn?: pulumi.Input<pulumi.Resource>[];
}

/** Seconds a terminating pod keeps serving while the ALB deregisters it. */
export const PRE_STOP_SLEEP_SECONDS = 20;
export const TERMINATION_GRACE_SECONDS = 60;
export const HPA_CPU_TARGET_PERCENT = 70;
/**
 * Zones, then hosts. Soft (ScheduleAnyway): a zone that is gone or short of capacity must not
 * stop scale-out in the others (a hard rule counts a dead zone's domain at 0 pods and blocks
 * every zone that has one, kubernetes/kubernetes#116978; Karpenter would keep launching into the
 * missing zone for it). `nodeTaintsPolicy: Honor` leaves out nodes tainted unreachable/not-ready,
 * so a dead zone stops counting; `matchLabelKeys: pod-template-hash` spreads each rollout's
 * ReplicaSet by itself, so the old one's pods do not skew the new one's.
 */
export const API_SPREAD = [
    {
        maxSkew: 1,
        topologyKey: "topology.kubernetes.io/zone",
        whenUnsatisfiable: "ScheduleAnyway",
        nodeTaintsPolicy: "Honor",
        matchLabelKeys: ["pod-template-hash"],
    },
    {
        maxSkew: 1,
        topologyKey: "kubernetes.io/hostname",
        whenUnsatisfiable: "ScheduleAnyway",
        nodeTaintsPolicy: "Honor",
        matchLabelKeys: ["pod-template-hash"],
    },
] as const;

/** Address of the EKS Pod Identity agent on every node. */
export const POD_IDENTITY_AGENT = "169.254.170.23/32";

/**
 * The API in one cell: a restricted namespace, its own IAM role through Pod Identity, a
 * hardened Deployment spread over the AZs that rolls without dropping a request, an HPA on
 * CPU, a PDB that lets nodes drain, a NetworkPolicy, and the binding to the ALB's target
 * group. Expects the cell's Kubernetes provider through `providers`.
 */
export class ApiWorkload extends pulumi.ComponentResource {
    readonly namespace: pulumi.Output<string>;
    readonly serviceName: pulumi.Output<string>;
    readonly roleArn: pulumi.Output<string>;

    constructor(name: string, args: ApiWorkloadArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:cell:ApiWorkload", name, {}, opts);
        const child = { parent: this };
        const namespaceName = args.namespace ?? "api";
        const labels = { "app.kubernetes.io/name": "api", "app.kubernetes.io/part-of": "platform" };

        const ns = new k8s.core.v1.Namespace(
            `${name}-ns`,
            {
                metadata: {
                    name: namespaceName,
                    labels: {
                        "pod-security.kubernetes.io/enforce": "restricted",
                        "pod-security.kubernetes.io/enforce-version": "latest",
                        "pod-security.kubernetes.io/audit": "restricted",
                        "pod-security.kubernetes.io/warn": "restricted",
                        // A new pod counts as ready only once the ALB sees it healthy: rollouts never outrun the target group.
                        "elbv2.k8s.aws/pod-readiness-gate-inject": "enabled",
                    },
                },
            },
            { parent: this, dependsOn: args.dependsOn ?? [] },
        );
        const namespace = ns.metadata.name;
        const meta = (suffix: string) => ({ name: suffix, namespace, labels });

        const sa = new k8s.core.v1.ServiceAccount(`${name}-sa`, { metadata: meta("api"), automountServiceAccountToken: false }, child);
        const policy = appPolicy(args);
        const identity = podIdentityRole(
            `${name}-app`,
            {
                region: args.region,
                clusterName: args.clusterName,
                namespace,
                serviceAccount: sa.metadata.name,
                ...(policy ? { policy } : {}),
                description: `${name}: the API's own AWS identity`,
            },
            child,
        );

        const service = new k8s.core.v1.Service(
            `${name}-service`,
            {
                metadata: meta("api"),
                spec: {
                    type: "ClusterIP",
                    selector: labels,
                    ports: [{ name: "http", port: args.port, targetPort: "http", protocol: "TCP" }],
                },
            },
            child,
        );
        const binding = new k8s.apiextensions.CustomResource(
            `${name}-tgb`,
            {
                apiVersion: "elbv2.k8s.aws/v1beta1",
                kind: "TargetGroupBinding",
                metadata: meta("api"),
                spec: {
                    serviceRef: { name: service.metadata.name, port: args.port },
                    targetGroupARN: args.targetGroupArn,
                    targetType: "ip",
                },
            },
            // The controller's webhook refuses any change of spec.targetGroupARN (immutable,
            // aws-load-balancer-controller webhooks/elbv2/targetgroupbinding_validator.go): a new
            // target group (a new app port) replaces the binding instead.
            { parent: this, replaceOnChanges: ["spec.targetGroupARN"], deleteBeforeReplace: true },
        );
        // After the binding: the controller's webhook gives readiness gates only to pods created once it exists.
        const deployment = new k8s.apps.v1.Deployment(
            `${name}-deployment`,
            { metadata: meta("api"), spec: deploymentSpec(args, labels, sa.metadata.name) },
            { parent: this, dependsOn: [identity.association, binding] },
        );

        new k8s.autoscaling.v2.HorizontalPodAutoscaler(
            `${name}-hpa`,
            { metadata: meta("api"), spec: hpaSpec(args, deployment.metadata.name) },
            child,
        );
        // maxUnavailable, not minAvailable = replicas: a node drain may always evict one pod.
        new k8s.policy.v1.PodDisruptionBudget(
            `${name}-pdb`,
            { metadata: meta("api"), spec: { maxUnavailable: 1, selector: { matchLabels: labels } } },
            child,
        );
        new k8s.networking.v1.NetworkPolicy(`${name}-netpol`, { metadata: meta("api"), spec: networkPolicySpec(args, labels) }, child);

        this.namespace = namespace;
        this.serviceName = service.metadata.name;
        this.roleArn = identity.role.arn;
        this.registerOutputs({ namespace: this.namespace, serviceName: this.serviceName, roleArn: this.roleArn });
    }
}

/**
 * The API's permissions: read exactly the secrets handed in (decrypting only through Secrets
 * Manager) and connect to the database through the proxy as its user; none when nothing is
 * handed in. Whether a statement exists depends on plain counts, never on Outputs.
 */
function appPolicy(args: ApiWorkloadArgs): pulumi.Output<string> | undefined {
    const secretArns = Object.values(args.secretArns ?? {});
    const kmsKeyArns = args.secretKmsKeyArns ?? [];
    const connectArns = args.databaseConnectArns ?? [];
    const statements: object[] = [];
    if (secretArns.length > 0) {
        statements.push({
            Sid: "ReadOwnSecrets",
            Effect: "Allow",
            Action: ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
            Resource: secretArns,
        });
        if (kmsKeyArns.length > 0) {
            statements.push({
                Sid: "DecryptOwnSecrets",
                Effect: "Allow",
                Action: "kms:Decrypt",
                Resource: kmsKeyArns,
                Condition: { StringLike: { "kms:ViaService": "secretsmanager.*.amazonaws.com" } },
            });
        }
    }
    if (connectArns.length > 0)
        statements.push({ Sid: "ConnectToDatabase", Effect: "Allow", Action: "rds-db:connect", Resource: connectArns });
    const cacheArns = args.cacheConnectArns ?? [];
    if (cacheArns.length > 0)
        statements.push({ Sid: "ConnectToCache", Effect: "Allow", Action: "elasticache:Connect", Resource: cacheArns });
    return statements.length > 0 ? pulumi.jsonStringify(policyDocument(...statements)) : undefined;
}

/** Names of the environment variables `dataConnectionArgs` sets. */
export const DATA_ENV = {
    writer: "DB_WRITER_ENDPOINT",
    reader: "DB_READER_ENDPOINT",
    port: "DB_PORT",
    name: "DB_NAME",
    user: "DB_USER",
    cache: "CACHE_ENDPOINT",
    cachePort: "CACHE_PORT",
    cacheUser: "CACHE_USER",
    cacheName: "CACHE_NAME",
} as const;

/**
 * ARN only (`DATA_SECRET_ARN_<n>`; the cache needs none: IAM authentication),
 * ARN only (the first is the cache's AUTH token, any further ones `DATA_SECRET_ARN_<n>`),
 * IAM connect to the proxy, egress to the proxy and cache ports.
 */
export function dataConnectionArgs(
    c: DataConnection,
): Pick<ApiWorkloadArgs, "env" | "secretArns" | "secretKmsKeyArns" | "databaseConnectArns" | "cacheConnectArns" | "dataPorts"> {
    return {
        env: {
            [DATA_ENV.writer]: c.databaseWriterEndpoint,
            [DATA_ENV.reader]: c.databaseReaderEndpoint,
            [DATA_ENV.port]: String(c.databasePort),
            [DATA_ENV.name]: c.databaseName,
            [DATA_ENV.user]: c.databaseUser,
            [DATA_ENV.cache]: c.cacheEndpoint,
            [DATA_ENV.cachePort]: String(c.cachePort),
            [DATA_ENV.cacheUser]: c.cacheUser,
            // ElastiCache's IAM auth token is a SigV4 presigned request for the replication group
            // (its id is the token's host) and the user: the app signs it with both (ElastiCache
            // User Guide, "Authenticating with IAM").
            [DATA_ENV.cacheName]: c.cacheName,
        },
        secretArns: Object.fromEntries(c.secretArns.map((arn, i) => [`DATA_SECRET_ARN_${i + 1}`, arn])),
        secretKmsKeyArns: c.secretKmsKeyArns,
        databaseConnectArns: [c.databaseConnectArn],
        cacheConnectArns: c.cacheConnectArns,
        dataPorts: [...new Set([c.databasePort, c.cachePort])],
    };
}

function deploymentSpec(
    args: ApiWorkloadArgs,
    labels: Record<string, string>,
    serviceAccountName: pulumi.Input<string>,
): k8s.types.input.apps.v1.DeploymentSpec {
    const probe = (periodSeconds: number, failureThreshold: number) => ({
        httpGet: { path: args.healthPath, port: "http" },
        periodSeconds,
        timeoutSeconds: 2,
        failureThreshold,
    });
    const env = [
        { name: "PORT", value: String(args.port) },
        { name: "AWS_REGION", value: args.region },
        ...Object.entries(args.env ?? {}).map(([name, value]) => ({ name, value })),
        ...Object.entries(args.secretArns ?? {}).map(([name, value]) => ({ name, value })),
    ];
    return {
        // No `replicas`: the HPA owns the count, and an update must not reset it.
        selector: { matchLabels: labels },
        revisionHistoryLimit: 5,
        strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: "25%", maxUnavailable: 0 } },
        template: {
            metadata: { labels },
            spec: {
                // Karpenter's nodes only: the NodePool's limits are sized for these pods (regions/capacity/nodes.ts POOLS).
                nodeSelector: onPool("api"),
                serviceAccountName,
                automountServiceAccountToken: false,
                terminationGracePeriodSeconds: TERMINATION_GRACE_SECONDS,
                securityContext: {
                    runAsNonRoot: true,
                    runAsUser: 10001,
                    runAsGroup: 10001,
                    fsGroup: 10001,
                    seccompProfile: { type: "RuntimeDefault" },
                },
                topologySpreadConstraints: API_SPREAD.map((spread) => ({
                    ...spread,
                    matchLabelKeys: [...spread.matchLabelKeys],
                    labelSelector: { matchLabels: labels },
                })),
                containers: [
                    {
                        name: "api",
                        image: args.image,
                        ports: [{ name: "http", containerPort: args.port, protocol: "TCP" }],
                        env,
                        resources: {
                            requests: { cpu: `${args.cpuMillicores}m`, memory: `${args.memoryMiB}Mi` },
                            limits: { cpu: `${args.cpuMillicores * 2}m`, memory: `${args.memoryMiB}Mi` },
                        },
                        startupProbe: probe(2, 30),
                        readinessProbe: probe(5, 2),
                        livenessProbe: probe(10, 3),
                        // Keep serving while the controller and the ALB stop sending; then SIGTERM drains.
                        lifecycle: { preStop: { sleep: { seconds: PRE_STOP_SLEEP_SECONDS } } },
                        securityContext: {
                            allowPrivilegeEscalation: false,
                            readOnlyRootFilesystem: true,
                            runAsNonRoot: true,
                            capabilities: { drop: ["ALL"] },
                            seccompProfile: { type: "RuntimeDefault" },
                        },
                        volumeMounts: [{ name: "tmp", mountPath: "/tmp" }],
                    },
                ],
                volumes: [{ name: "tmp", emptyDir: { sizeLimit: "64Mi" } }],
            },
        },
    };
}

function hpaSpec(args: ApiWorkloadArgs, deploymentName: pulumi.Input<string>): k8s.types.input.autoscaling.v2.HorizontalPodAutoscalerSpec {
    return {
        scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: deploymentName },
        minReplicas: args.replicas.min,
        maxReplicas: args.replicas.max,
        metrics: [
            { type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: HPA_CPU_TARGET_PERCENT } } },
        ],
        behavior: {
            // Up fast (double, or +4 pods, every 30 s); down slowly, after 5 minutes of calm.
            scaleUp: {
                stabilizationWindowSeconds: 0,
                selectPolicy: "Max",
                policies: [
                    { type: "Percent", value: 100, periodSeconds: 30 },
                    { type: "Pods", value: 4, periodSeconds: 30 },
                ],
            },
            scaleDown: {
                stabilizationWindowSeconds: 300,
                selectPolicy: "Min",
                policies: [{ type: "Percent", value: 20, periodSeconds: 60 }],
            },
        },
    };
}

function networkPolicySpec(args: ApiWorkloadArgs, labels: Record<string, string>): k8s.types.input.networking.v1.NetworkPolicySpec {
    const tcp = (port: number) => ({ protocol: "TCP", port });
    return {
        podSelector: { matchLabels: labels },
        policyTypes: ["Ingress", "Egress"],
        // The ALB's nodes (ip targets: they call the pod IPs from the public subnets) and Prometheus;
        // nothing else calls the API, not even another pod of the VPC (pods have VPC addresses, so a
        // rule on the VPC's CIDR would admit them all; compute review F14). The kubelet's probes
        // need no rule: the VPC CNI's policy agent always admits the node's own IP
        // (aws/aws-network-policy-agent#65; Kubernetes "pods cannot block access from their
        // resident node", Network Policies, "What you can't do").
        ingress: [
            {
                from: [
                    ...args.albSubnetCidrs.map((cidr) => ({ ipBlock: { cidr } })),
                    { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": args.scraperNamespace ?? "monitoring" } } },
                ],
                ports: [tcp(args.port)],
            },
        ],
        egress: [
            {
                to: [
                    {
                        namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } },
                        podSelector: { matchLabels: { "k8s-app": "kube-dns" } },
                    },
                ],
                ports: [{ protocol: "UDP", port: 53 }, tcp(53)],
            },
            { to: [{ ipBlock: { cidr: args.vpcCidr } }], ports: (args.dataPorts ?? [5432, 6379]).map(tcp) },
            { to: [{ ipBlock: { cidr: POD_IDENTITY_AGENT } }], ports: [tcp(80)] },
            // AWS APIs (Secrets Manager, STS) through the VPC endpoints or the NAT.
            { to: [{ ipBlock: { cidr: "0.0.0.0/0" } }], ports: [tcp(443)] },
        ],
    };
}
