/**
 * Centralised logging of a cell: the OpenSearch log domain ("ELK"), Fluent Bit shipping
 * container logs to it, and the EKS control-plane log group.
 */
import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { LOG_INDEX_PREFIXES } from "./ism";

/** Pinned engine: the newest 2.x line AWS offers; upgrades are a reviewed config change. */
export const OPENSEARCH_ENGINE_VERSION = "OpenSearch_2.19";
/** TLS 1.2 minimum with forward-secret suites only (TLS 1.3 allowed). */
export const OPENSEARCH_TLS_POLICY = "Policy-Min-TLS-1-2-PFS-2023-10";
/** Log types the domain publishes to CloudWatch, by the role of their group's name. */
export const OPENSEARCH_LOG_TYPES = {
    application: "ES_APPLICATION_LOGS",
    audit: "AUDIT_LOGS",
    "search-slow": "SEARCH_SLOW_LOGS",
    "index-slow": "INDEX_SLOW_LOGS",
} as const;

/**
 * Fluent Bit from the upstream chart. 0.58.1 ships Fluent Bit 5.1.1, whose AWS credential
 * chain includes EKS Pod Identity (fluent/fluent-bit#10115, 2025); the `opensearch` output
 * signs with SigV4. aws-for-fluent-bit follows AWS's own image line, which lags upstream.
 */
export const FLUENT_BIT_CHART = { chart: "fluent-bit", version: "0.58.1", repo: "https://fluent.github.io/helm-charts" } as const;

const DOMAIN_NAME = /^[a-z][a-z0-9-]{2,27}$/;

/** The domain's nodes and volumes: three data nodes and three dedicated masters, one of each per AZ. */
export interface LogDomainSizing {
    /** Data node type, e.g. `r6g.large.search`. */
    readonly dataInstanceType: string;
    /** Dedicated master type, e.g. `m6g.large.search`. */
    readonly masterInstanceType: string;
    /** gp3 volume per data node, GiB. */
    readonly volumeSizeGiB: number;
}

export interface LogDomainArgs {
    /** AWS region of the cell. Passed to every child. */
    readonly region: string;
    /** The account the domain lives in: its ARN, access policy and log policy name it. */
    readonly accountId: pulumi.Input<string>;
    readonly vpcId: pulumi.Input<string>;
    /** The cell's VPC CIDR: the only source admitted to the domain's HTTPS port. */
    readonly vpcCidr: string;
    /** One private subnet per AZ, exactly three (one data node and one master per AZ). */
    readonly subnetIds: readonly pulumi.Input<string>[];
    readonly sizing: LogDomainSizing;
    /** Days CloudWatch keeps the domain's own logs. */
    readonly logRetentionDays: number;
    /**
     * IAM role mapped to the domain's master user (fine-grained access control, no internal
     * users). @default a role `${name}-admin` that principals of the account may assume
     */
    readonly masterRoleArn?: pulumi.Input<string>;
}

/**
 * The cell's OpenSearch domain: three data nodes and three dedicated masters over three
 * AZs, in the private subnets, encrypted at rest with its own KMS key and between nodes,
 * HTTPS only with TLS 1.2+, fine-grained access control with an IAM master role, and its
 * application, audit and slow logs in CloudWatch. The domain is named `name`.
 */
export class LogDomain extends pulumi.ComponentResource {
    readonly domainName: pulumi.Output<string>;
    readonly domainArn: pulumi.Output<string>;
    readonly endpoint: pulumi.Output<string>;
    readonly dashboardEndpoint: pulumi.Output<string>;
    readonly securityGroupId: pulumi.Output<string>;
    readonly kmsKeyArn: pulumi.Output<string>;
    readonly masterRoleArn: pulumi.Output<string>;
    /** Data-node volume size, GiB (the free-storage alarm is a share of it). */
    readonly volumeSizeGiB: number;

    constructor(name: string, args: LogDomainArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:observability:LogDomain", name, {}, opts);
        const { region, sizing } = args;
        const problems: string[] = [];
        if (!DOMAIN_NAME.test(name))
            problems.push(`"${name}" is not a valid domain name (3-28 characters: a lower-case letter, then letters, digits, hyphens)`);
        if (args.subnetIds.length !== 3) problems.push(`needs exactly 3 subnets (one per AZ), got ${args.subnetIds.length}`);
        if (problems.length) throw new pulumi.ResourceError(`LogDomain "${name}":\n- ${problems.join("\n- ")}`, this);
        const child = { parent: this };
        this.volumeSizeGiB = sizing.volumeSizeGiB;

        // Built from plain parts, not read from the domain: the log policy must exist before the domain.
        const domainArn = pulumi.interpolate`arn:aws:es:${region}:${args.accountId}:domain/${name}`;

        const key = new aws.kms.Key(
            `${name}-key`,
            {
                region,
                description: `Encryption at rest of the OpenSearch domain ${name}`,
                enableKeyRotation: true,
                deletionWindowInDays: 30,
            },
            { parent: this, protect: true },
        );
        new aws.kms.Alias(`${name}-key-alias`, { region, name: `alias/${name}-opensearch`, targetKeyId: key.keyId }, child);

        const sg = new aws.ec2.SecurityGroup(
            `${name}-sg`,
            {
                region,
                vpcId: args.vpcId,
                description: `HTTPS from the VPC to the OpenSearch domain ${name}`,
                ingress: [
                    { protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: [args.vpcCidr], description: "HTTPS from the cell's VPC" },
                ],
                egress: [],
                tags: { Name: `${name}-sg` },
            },
            child,
        );

        const groups = Object.entries(OPENSEARCH_LOG_TYPES).map(([role, logType]) => ({
            logType,
            group: new aws.cloudwatch.LogGroup(
                `${name}-${role}-logs`,
                {
                    region,
                    name: `/aws/opensearch/${name}/${role}`,
                    retentionInDays: args.logRetentionDays,
                },
                child,
            ),
        }));
        const logPolicy = new aws.cloudwatch.LogResourcePolicy(
            `${name}-log-policy`,
            {
                region,
                policyName: `${name}-opensearch-logs`,
                policyDocument: pulumi.jsonStringify({
                    Version: "2012-10-17",
                    Statement: [
                        {
                            Effect: "Allow",
                            Principal: { Service: "es.amazonaws.com" },
                            Action: ["logs:PutLogEvents", "logs:CreateLogStream"],
                            Resource: groups.map(({ group }) => pulumi.interpolate`${group.arn}:*`),
                            Condition: { StringEquals: { "aws:SourceAccount": args.accountId }, ArnLike: { "aws:SourceArn": domainArn } },
                        },
                    ],
                }),
            },
            child,
        );

        const masterRoleArn =
            args.masterRoleArn !== undefined
                ? pulumi.output(args.masterRoleArn)
                : new aws.iam.Role(
                      `${name}-admin`,
                      {
                          description: `Master user of the OpenSearch domain ${name} (fine-grained access control)`,
                          assumeRolePolicy: pulumi.jsonStringify({
                              Version: "2012-10-17",
                              Statement: [
                                  {
                                      Effect: "Allow",
                                      Principal: { AWS: pulumi.interpolate`arn:aws:iam::${args.accountId}:root` },
                                      Action: "sts:AssumeRole",
                                  },
                              ],
                          }),
                      },
                      child,
                  ).arn;

        const domain = new aws.opensearch.Domain(
            `${name}-domain`,
            {
                region,
                domainName: name,
                engineVersion: OPENSEARCH_ENGINE_VERSION,
                clusterConfig: {
                    instanceType: sizing.dataInstanceType,
                    instanceCount: 3,
                    dedicatedMasterEnabled: true,
                    dedicatedMasterType: sizing.masterInstanceType,
                    dedicatedMasterCount: 3,
                    zoneAwarenessEnabled: true,
                    zoneAwarenessConfig: { availabilityZoneCount: 3 },
                },
                ebsOptions: { ebsEnabled: true, volumeType: "gp3", volumeSize: sizing.volumeSizeGiB, iops: 3000, throughput: 125 },
                encryptAtRest: { enabled: true, kmsKeyId: key.arn },
                nodeToNodeEncryption: { enabled: true },
                domainEndpointOptions: { enforceHttps: true, tlsSecurityPolicy: OPENSEARCH_TLS_POLICY },
                advancedSecurityOptions: {
                    enabled: true,
                    internalUserDatabaseEnabled: false,
                    anonymousAuthEnabled: false,
                    masterUserOptions: { masterUserArn: masterRoleArn },
                },
                // Only principals of the account, then fine-grained access control decides per index.
                accessPolicies: pulumi.jsonStringify({
                    Version: "2012-10-17",
                    Statement: [
                        {
                            Effect: "Allow",
                            Principal: { AWS: pulumi.interpolate`arn:aws:iam::${args.accountId}:root` },
                            Action: "es:ESHttp*",
                            Resource: pulumi.interpolate`${domainArn}/*`,
                        },
                    ],
                }),
                vpcOptions: { subnetIds: [...args.subnetIds], securityGroupIds: [sg.id] },
                logPublishingOptions: groups.map(({ logType, group }) => ({ logType, cloudwatchLogGroupArn: group.arn, enabled: true })),
                softwareUpdateOptions: { autoSoftwareUpdateEnabled: true },
                // Software updates and Auto-Tune land in the off-peak window, never mid-day.
                offPeakWindowOptions: { enabled: true, offPeakWindow: { windowStartTime: { hours: 22, minutes: 0 } } },
                autoTuneOptions: { desiredState: "ENABLED", rollbackOnDisable: "NO_ROLLBACK", useOffPeakWindow: true },
                ipAddressType: "ipv4",
                tags: { Name: name },
            },
            { parent: this, protect: true, dependsOn: [logPolicy] },
        );

        this.domainName = domain.domainName;
        this.domainArn = domain.arn;
        this.endpoint = domain.endpoint;
        this.dashboardEndpoint = domain.dashboardEndpoint;
        this.securityGroupId = sg.id;
        this.kmsKeyArn = key.arn;
        this.masterRoleArn = masterRoleArn;
        this.registerOutputs({
            domainName: this.domainName,
            domainArn: this.domainArn,
            endpoint: this.endpoint,
            dashboardEndpoint: this.dashboardEndpoint,
            masterRoleArn: this.masterRoleArn,
        });
    }
}

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

        const role = new aws.iam.Role(
            `${name}-role`,
            {
                description: `Fluent Bit of ${region}: writes container logs to the region's OpenSearch domain`,
                assumeRolePolicy: podIdentityTrust(),
            },
            child,
        );
        new aws.iam.RolePolicy(
            `${name}-policy`,
            {
                role: role.id,
                policy: pulumi.jsonStringify({
                    Version: "2012-10-17",
                    Statement: [
                        { Effect: "Allow", Action: ["es:ESHttpPost", "es:ESHttpPut"], Resource: pulumi.interpolate`${args.domainArn}/*` },
                    ],
                }),
            },
            child,
        );
        new aws.eks.PodIdentityAssociation(
            `${name}-pod-identity`,
            {
                region,
                clusterName: args.clusterName,
                namespace,
                serviceAccount,
                roleArn: role.arn,
            },
            child,
        );

        const ns = new k8s.core.v1.Namespace(`${name}-ns`, { metadata: { name: namespace } }, k8sChild);
        new k8s.helm.v3.Release(
            `${name}-release`,
            {
                name: "fluent-bit",
                chart: FLUENT_BIT_CHART.chart,
                version: FLUENT_BIT_CHART.version,
                repositoryOpts: { repo: FLUENT_BIT_CHART.repo },
                namespace: ns.metadata.name,
                atomic: true,
                values: {
                    kind: "DaemonSet",
                    fullnameOverride: "fluent-bit",
                    serviceAccount: { create: true, name: serviceAccount },
                    // Every node, including tainted system nodes: a node without a shipper loses its logs.
                    tolerations: [{ operator: "Exists" }],
                    priorityClassName: "system-node-critical",
                    resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { memory: "512Mi" } },
                    config: {
                        filters: FLUENT_BIT_FILTERS,
                        outputs: fluentBitOutputs(args.domainEndpoint, region),
                    },
                },
            },
            { parent: this, provider: args.k8sProvider, dependsOn: [ns] },
        );

        this.roleArn = role.arn;
        this.registerOutputs({ roleArn: this.roleArn });
    }
}

/** Trust policy of a role handed to pods by EKS Pod Identity. */
export function podIdentityTrust(): string {
    return JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Principal: { Service: "pods.eks.amazonaws.com" }, Action: ["sts:AssumeRole", "sts:TagSession"] }],
    });
}

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
