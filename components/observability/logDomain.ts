/** The cell's OpenSearch log domain ("ELK"): in the VPC, fine-grained access control, logs to CloudWatch. */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { policyDocument } from "../iam";
import { protectedKey } from "../kms";

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
    /**
     * The domain's physical name, unique per account and region: stacks sharing an account
     * must not share it (regions/naming.ts logDomainName carries the stack). Its key alias, log
     * groups and log policy are named after it. @default `name`
     */
    readonly domainName?: string;
}

/**
 * The cell's OpenSearch domain: three data nodes and three dedicated masters over three
 * AZs, in the private subnets, encrypted at rest with its own KMS key and between nodes,
 * HTTPS only with TLS 1.2+, fine-grained access control with an IAM master role, and its
 * application, audit and slow logs in CloudWatch. The domain is named `domainName`.
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
        const domainName = args.domainName ?? name;
        const problems: string[] = [];
        if (!DOMAIN_NAME.test(domainName))
            problems.push(
                `"${domainName}" is not a valid domain name (3-28 characters: a lower-case letter, then letters, digits, hyphens)`,
            );
        if (args.subnetIds.length !== 3) problems.push(`needs exactly 3 subnets (one per AZ), got ${args.subnetIds.length}`);
        if (problems.length) throw new pulumi.ResourceError(`LogDomain "${name}":\n- ${problems.join("\n- ")}`, this);
        const child = { parent: this };
        this.volumeSizeGiB = sizing.volumeSizeGiB;

        // Built from plain parts, not read from the domain: the log policy must exist before the domain.
        const domainArn = pulumi.interpolate`arn:aws:es:${region}:${args.accountId}:domain/${domainName}`;

        const key = protectedKey(
            `${name}-key`,
            { region, description: `Encryption at rest of the OpenSearch domain ${domainName}` },
            { parent: this },
        );
        new aws.kms.Alias(`${name}-key-alias`, { region, name: `alias/${domainName}-opensearch`, targetKeyId: key.keyId }, child);

        const sg = new aws.ec2.SecurityGroup(
            `${name}-sg`,
            {
                region,
                vpcId: args.vpcId,
                description: `HTTPS from the VPC to the OpenSearch domain ${domainName}`,
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
                { region, name: `/aws/opensearch/${domainName}/${role}`, retentionInDays: args.logRetentionDays },
                child,
            ),
        }));
        const logPolicy = new aws.cloudwatch.LogResourcePolicy(
            `${name}-log-policy`,
            {
                region,
                policyName: `${domainName}-opensearch-logs`,
                policyDocument: pulumi.jsonStringify(
                    policyDocument({
                        Effect: "Allow",
                        Principal: { Service: "es.amazonaws.com" },
                        Action: ["logs:PutLogEvents", "logs:CreateLogStream"],
                        Resource: groups.map(({ group }) => pulumi.interpolate`${group.arn}:*`),
                        Condition: { StringEquals: { "aws:SourceAccount": args.accountId }, ArnLike: { "aws:SourceArn": domainArn } },
                    }),
                ),
            },
            child,
        );

        const masterRoleArn =
            args.masterRoleArn !== undefined ? pulumi.output(args.masterRoleArn) : adminRole(name, domainName, domainArn, args, this);

        const domain = new aws.opensearch.Domain(
            `${name}-domain`,
            {
                region,
                domainName,
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
                accessPolicies: pulumi.jsonStringify(
                    policyDocument({
                        Effect: "Allow",
                        Principal: { AWS: pulumi.interpolate`arn:aws:iam::${args.accountId}:root` },
                        Action: "es:ESHttp*",
                        Resource: pulumi.interpolate`${domainArn}/*`,
                    }),
                ),
                vpcOptions: { subnetIds: [...args.subnetIds], securityGroupIds: [sg.id] },
                logPublishingOptions: groups.map(({ logType, group }) => ({ logType, cloudwatchLogGroupArn: group.arn, enabled: true })),
                softwareUpdateOptions: { autoSoftwareUpdateEnabled: true },
                // Software updates and Auto-Tune land in the off-peak window, never mid-day.
                offPeakWindowOptions: { enabled: true, offPeakWindow: { windowStartTime: { hours: 22, minutes: 0 } } },
                autoTuneOptions: { desiredState: "ENABLED", rollbackOnDisable: "NO_ROLLBACK", useOffPeakWindow: true },
                ipAddressType: "ipv4",
                tags: { Name: domainName },
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

/**
 * The domain's master role: principals of the account that IAM allows may assume it (the log domain
 * setup function among them), and it may send any HTTP request to this domain. The identity policy is
 * needed because the domain's access policy names the account, not the role: a resource policy whose
 * principal is an account delegates to that account's identity policies (IAM User Guide, "AWS JSON
 * policy elements: Principal", AWS account principals).
 */
function adminRole(
    name: string,
    domainName: string,
    domainArn: pulumi.Output<string>,
    args: Pick<LogDomainArgs, "accountId">,
    parent: pulumi.Resource,
): pulumi.Output<string> {
    const role = new aws.iam.Role(
        `${name}-admin`,
        {
            description: `Master user of the OpenSearch domain ${domainName} (fine-grained access control)`,
            assumeRolePolicy: pulumi.jsonStringify(
                policyDocument({
                    Effect: "Allow",
                    Principal: { AWS: pulumi.interpolate`arn:aws:iam::${args.accountId}:root` },
                    Action: "sts:AssumeRole",
                }),
            ),
        },
        { parent },
    );
    new aws.iam.RolePolicy(
        `${name}-admin-policy`,
        {
            role: role.id,
            policy: pulumi.jsonStringify(
                policyDocument({ Effect: "Allow", Action: "es:ESHttp*", Resource: pulumi.interpolate`${domainArn}/*` }),
            ),
        },
        { parent },
    );
    return role.arn;
}
