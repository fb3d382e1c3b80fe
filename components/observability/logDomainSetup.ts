/**
 * The log domain's first-day settings, made by `pulumi up` itself (obs review finding 5): Fluent
 * Bit's role mapped to a writer role, the index retention (ISM) policy, and audit logging switched
 * on in the security plugin. A Lambda in the cell's private subnets assumes the domain's master role
 * and calls the domain's REST API (logDomainSetupHandler.ts). It runs again whenever its event
 * changes (the retention, the shipper's role, the domain's endpoint) or its code does, and every
 * call is idempotent, so a re-run changes nothing that is already right.
 */
import * as pulumi from "@pulumi/pulumi";
import { InvokedFunction, functionSecurityGroup } from "../functions/invokedFunction";
import { policyDocument } from "../iam";
import { ISM_POLICY_ID, ismPolicy, logIndexPatterns } from "./ism";
import type { LogDomain } from "./logDomain";
import { LOG_DOMAIN_SETUP_HANDLER_SOURCE } from "./logDomainSetupHandler";

/** The security role Fluent Bit's IAM role is mapped to (docs/observability.md). */
const LOGS_WRITER_ROLE = "logs_writer";

/**
 * What Fluent Bit needs for `_bulk` into daily indices it creates, on its two prefixes only:
 * `cluster_composite_ops` holds `indices:data/write/bulk`, `crud` and `create_index` the index-level
 * writes (OpenSearch docs, security/access-control/default-action-groups), `cluster_monitor` the
 * health checks, and `indices:admin/template/*` Fluent Bit's own template calls.
 */
export function logsWriterRole(): Record<string, unknown> {
    return {
        description: "Fluent Bit: writes the cell's container and node logs",
        cluster_permissions: ["cluster_monitor", "cluster_composite_ops", "indices:admin/template/*"],
        index_permissions: [{ index_patterns: logIndexPatterns(), allowed_actions: ["crud", "create_index"] }],
    };
}

/**
 * The security plugin's audit configuration (OpenSearch docs, security/api/audit-logs/
 * update-audit-configuration; every field the API takes, so a PUT replaces the whole of it). REST
 * and transport layers on, without the two categories that log every successful request
 * (`AUTHENTICATED`, `GRANTED_PRIVILEGES`, also the plugin's defaults): Fluent Bit's bulk writes would
 * otherwise be most of the audit log. No request bodies (they carry the logs themselves), sensitive
 * headers left out; compliance logging of security-configuration changes (`internal_config`) on,
 * metadata only.
 */
export const AUDIT_CONFIG = {
    enabled: true,
    audit: {
        enable_rest: true,
        enable_transport: true,
        disabled_rest_categories: ["AUTHENTICATED", "GRANTED_PRIVILEGES"],
        disabled_transport_categories: ["AUTHENTICATED", "GRANTED_PRIVILEGES"],
        ignore_users: [],
        ignore_requests: [],
        log_request_body: false,
        resolve_indices: true,
        resolve_bulk_requests: false,
        exclude_sensitive_headers: true,
    },
    compliance: {
        enabled: true,
        internal_config: true,
        external_config: false,
        read_metadata_only: true,
        read_watched_fields: {},
        read_ignore_users: [],
        write_metadata_only: true,
        write_log_diffs: false,
        write_watched_indices: [],
        write_ignore_users: [],
    },
} as const;

/**
 * How long the function waits for a domain still coming up: a new domain's endpoint answers only
 * once it is Active, and its security plugin may answer 503 for a while after. Inside the
 * function's timeout with a minute to spare.
 */
export const LOG_DOMAIN_SETUP_TIMEOUT_SECONDS = 300;
const RETRY = { deadlineMs: (LOG_DOMAIN_SETUP_TIMEOUT_SECONDS - 60) * 1000, delayMs: 10_000, requestTimeoutMs: 20_000 };

/** The invocation's event: everything the calls depend on, so that a change of any runs them again. */
export function logDomainSetupEvent(target: {
    readonly region: string;
    readonly endpoint: string;
    readonly masterRoleArn: string;
    readonly writerRoleArn: string;
    readonly indexRetentionDays: number;
}): Record<string, unknown> {
    return {
        region: target.region,
        endpoint: target.endpoint,
        masterRoleArn: target.masterRoleArn,
        writer: {
            role: LOGS_WRITER_ROLE,
            definition: logsWriterRole(),
            mapping: { backend_roles: [target.writerRoleArn], description: "Fluent Bit's IAM role (EKS Pod Identity)" },
        },
        ism: { policyId: ISM_POLICY_ID, policy: ismPolicy(target.indexRetentionDays), indexPatterns: logIndexPatterns() },
        audit: AUDIT_CONFIG,
        retry: RETRY,
    };
}

export interface LogDomainSetupArgs {
    readonly region: string;
    readonly vpcId: pulumi.Input<string>;
    /** The cell's private subnets: they reach the domain's ENIs and the STS interface endpoint. */
    readonly subnetIds: readonly pulumi.Input<string>[];
    /** The cell's log domain: its endpoint, its security group and its master role, which the function assumes. */
    readonly domain: Pick<LogDomain, "endpoint" | "securityGroupId" | "masterRoleArn">;
    /** Security group of the VPC's interface endpoints (STS among them, with private DNS). */
    readonly endpointSecurityGroupId: pulumi.Input<string>;
    /** Fluent Bit's IAM role: mapped to `logs_writer`. */
    readonly writerRoleArn: pulumi.Input<string>;
    readonly indexRetentionDays: number;
    readonly logRetentionDays: number;
    /** The domain (and what else the calls need) must exist before the run. */
    readonly dependsOn: readonly pulumi.Resource[];
}

/** Declares the setup under `parent` (the cell's observability tier): its security group and function. */
export function declareLogDomainSetup(name: string, args: LogDomainSetupArgs, parent: pulumi.ComponentResource): InvokedFunction {
    const { region } = args;
    // No ingress; out only to the domain and to the STS endpoint, both on 443. The domain's own group
    // admits the VPC's CIDR (logDomain.ts) and keeps its rules inline, so no rule is added to it (a
    // rule resource next to inline rules is overwritten: @pulumi/aws ec2/securityGroup.d.ts, WARNING).
    const sg = functionSecurityGroup(
        name,
        {
            region,
            vpcId: args.vpcId,
            description: "Log domain setup function: to the OpenSearch domain and to the STS endpoint",
            egress: [
                {
                    protocol: "tcp",
                    fromPort: 443,
                    toPort: 443,
                    securityGroups: [args.domain.securityGroupId],
                    description: "OpenSearch domain",
                },
                {
                    protocol: "tcp",
                    fromPort: 443,
                    toPort: 443,
                    securityGroups: [args.endpointSecurityGroupId],
                    description: "STS endpoint",
                },
            ],
        },
        { parent },
    );
    // Only the master role's session: what the domain then allows is the master user's.
    const policy = pulumi.jsonStringify(
        policyDocument({ Sid: "AssumeDomainMaster", Effect: "Allow", Action: "sts:AssumeRole", Resource: args.domain.masterRoleArn }),
    );
    const input = pulumi
        .all([args.domain.endpoint, args.domain.masterRoleArn, args.writerRoleArn])
        .apply(([endpoint, masterRoleArn, writerRoleArn]) =>
            JSON.stringify(
                logDomainSetupEvent({ region, endpoint, masterRoleArn, writerRoleArn, indexRetentionDays: args.indexRetentionDays }),
            ),
        );
    return new InvokedFunction(
        name,
        {
            region,
            description: `${name}: maps Fluent Bit to ${LOGS_WRITER_ROLE}, applies the ISM retention policy, enables audit logging`,
            source: LOG_DOMAIN_SETUP_HANDLER_SOURCE,
            policy,
            vpc: { subnetIds: [...args.subnetIds], securityGroupIds: [sg.id] },
            input,
            logRetentionDays: args.logRetentionDays,
            timeoutSeconds: LOG_DOMAIN_SETUP_TIMEOUT_SECONDS,
            dependsOn: [...args.dependsOn],
        },
        { parent },
    );
}
