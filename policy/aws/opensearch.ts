/** FSBP OpenSearch controls, on the inputs of domains. */
import type * as aws from "@pulumi/aws";
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { type Inputs, type Props, type ResourceRule, flag, fsbp, isSet, list, resourcePolicy } from "../common";
import { AWS_TYPES } from "./types";

/**
 * Opensearch.8's `tlsPolicies` (not customizable): Policy-Min-TLS-1-2-PFS-2023-10 only
 * (Security Hub user guide, opensearch-controls.html#opensearch-8, as quoted in the obs-policy
 * review, December 2026); Policy-Min-TLS-1-2-2019-07 fails it.
 */
const OPENSEARCH_TLS_POLICIES = ["Policy-Min-TLS-1-2-PFS-2023-10"];

type Domain = Inputs<aws.opensearch.DomainArgs>;

/** The check of a block whose `enabled` must be true (a block left out is off): `message` otherwise. */
function enabledBlock(
    block: "encryptAtRest" | "nodeToNodeEncryption" | "advancedSecurityOptions",
    message: string,
): ResourceRule<object, Domain>["check"] {
    return (domain, _args, report) => {
        if (!domain[block]?.enabled) report(message);
    };
}

/** The check that the domain sends logs of `logType` to CloudWatch (an entry's `enabled` defaults to true): `message` otherwise. */
function publishes(logType: string, message: string): ResourceRule<object, Domain>["check"] {
    return (domain, _args, report) => {
        if (!list<Props>(domain.logPublishingOptions).some((option) => option.logType === logType && flag(option.enabled, true)))
            report(message);
    };
}

export const opensearchPolicies: ResourceValidationPolicy[] = [
    resourcePolicy({
        ...fsbp("opensearch-1-encrypted-at-rest", "Opensearch.1", "medium"),
        title: "OpenSearch domains should have encryption at rest enabled.",
        types: [AWS_TYPES.opensearchDomain],
        check: enabledBlock("encryptAtRest", "encryptAtRest.enabled is not true (the default without the block is false)"),
    }),
    resourcePolicy({
        ...fsbp("opensearch-2-in-vpc", "Opensearch.2", "critical"),
        title: "OpenSearch domains should not be publicly accessible (deployed in a VPC).",
        types: [AWS_TYPES.opensearchDomain],
        check: (domain: Domain, _args, report) => {
            if (list(domain.vpcOptions?.subnetIds).length === 0)
                report("vpcOptions.subnetIds is not set: the domain gets a public endpoint; place it in the VPC's private subnets");
        },
    }),
    resourcePolicy({
        ...fsbp("opensearch-3-node-to-node-encryption", "Opensearch.3", "medium"),
        title: "OpenSearch domains should encrypt data sent between nodes.",
        types: [AWS_TYPES.opensearchDomain],
        check: enabledBlock("nodeToNodeEncryption", "nodeToNodeEncryption.enabled is not true (the default without the block is false)"),
    }),
    resourcePolicy({
        ...fsbp("opensearch-4-error-logs", "Opensearch.4", "medium"),
        title: "OpenSearch domain error logging to CloudWatch Logs should be enabled.",
        types: [AWS_TYPES.opensearchDomain],
        check: publishes(
            "ES_APPLICATION_LOGS",
            "logPublishingOptions has no enabled ES_APPLICATION_LOGS entry: error logs are not sent to CloudWatch",
        ),
    }),
    resourcePolicy({
        ...fsbp("opensearch-5-audit-logs", "Opensearch.5", "medium"),
        title: "OpenSearch domains should have audit logging enabled.",
        types: [AWS_TYPES.opensearchDomain],
        check: publishes("AUDIT_LOGS", "logPublishingOptions has no enabled AUDIT_LOGS entry: audit logs are not sent to CloudWatch"),
    }),
    resourcePolicy({
        ...fsbp("opensearch-6-three-data-nodes", "Opensearch.6", "medium"),
        title: "OpenSearch domains should have at least three data nodes, zone aware.",
        types: [AWS_TYPES.opensearchDomain],
        check: (domain: Domain, _args, report) => {
            const cluster = domain.clusterConfig;
            const count = cluster?.instanceCount ?? 1;
            if (count < 3)
                report(
                    `clusterConfig.instanceCount is ${cluster?.instanceCount === undefined ? "not set (default 1)" : count}: run at least 3 data nodes`,
                );
            if (!flag(cluster?.zoneAwarenessEnabled, false))
                report("clusterConfig.zoneAwarenessEnabled is not true: data nodes are not spread over AZs");
        },
    }),
    resourcePolicy({
        ...fsbp("opensearch-7-fine-grained-access", "Opensearch.7", "high"),
        title: "OpenSearch domains should have fine-grained access control enabled.",
        types: [AWS_TYPES.opensearchDomain],
        check: enabledBlock("advancedSecurityOptions", "advancedSecurityOptions.enabled is not true: fine-grained access control is off"),
    }),
    resourcePolicy({
        ...fsbp("opensearch-8-tls-policy", "Opensearch.8", "medium"),
        title: "Connections to OpenSearch domains should use HTTPS with a TLS 1.2 security policy.",
        types: [AWS_TYPES.opensearchDomain],
        config: { tlsPolicies: OPENSEARCH_TLS_POLICIES },
        configDocs: { tlsPolicies: "Accepted domainEndpointOptions.tlsSecurityPolicy values." },
        check: (domain: Domain, _args, report, config) => {
            const endpoint = domain.domainEndpointOptions;
            if (endpoint?.enforceHttps === false) report("domainEndpointOptions.enforceHttps is false: set it to true");
            const policy = endpoint?.tlsSecurityPolicy;
            if (!isSet(policy))
                report(
                    `domainEndpointOptions.tlsSecurityPolicy is not set (AWS's default still allows TLS 1.0); set one of ${config.tlsPolicies.join(", ")}`,
                );
            else if (!config.tlsPolicies.includes(String(policy)))
                report(`domainEndpointOptions.tlsSecurityPolicy ${policy} is not one of ${config.tlsPolicies.join(", ")}`);
        },
    }),
    resourcePolicy({
        ...fsbp("opensearch-11-dedicated-masters", "Opensearch.11", "low"),
        title: "OpenSearch domains should have at least three dedicated primary (master) nodes.",
        types: [AWS_TYPES.opensearchDomain],
        check: (domain: Domain, _args, report) => {
            const cluster = domain.clusterConfig;
            if (!flag(cluster?.dedicatedMasterEnabled, false))
                report("clusterConfig.dedicatedMasterEnabled is not true: run three dedicated master nodes");
            else if ((cluster?.dedicatedMasterCount ?? 0) < 3)
                report(`clusterConfig.dedicatedMasterCount is ${cluster?.dedicatedMasterCount ?? "not set"}: run at least 3`);
        },
    }),
];
