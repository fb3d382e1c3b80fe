/**
 * A cell's observability tier, composed: the OpenSearch log domain and its setup function (Fluent
 * Bit's role mapping, the ISM retention policy, audit logging), Fluent Bit (installed after
 * kube-prometheus-stack, whose CRDs its ServiceMonitor needs, and after the setup, so that its
 * first bulk request is already allowed), the alert topics and their
 * subscriptions, kube-prometheus-stack with the API dashboard and alert rules, and the CloudWatch
 * alarms of the managed services. (The EKS control-plane log group belongs to `EksCluster`,
 * which must create it before the cluster.)
 */
import type * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { type AlertSubscriptionSpec, AlertTopic } from "./alertTopic";
import { type AlbTarget, type AuroraTarget, type CacheTarget, CloudWatchAlarms, type ProxyTarget } from "./cloudWatchAlarms";
import { LogDomain, type LogDomainArgs, type LogDomainSizing } from "./logDomain";
import { declareLogDomainSetup } from "./logDomainSetup";
import { LogShipper } from "./logShipper";
import { Monitoring, type MonitoringArgs, type PrometheusSizing } from "./monitoring";

/** `region` is passed to every child; `vpcId`, `vpcCidr` and `logRetentionDays` are the log domain's. */
export interface ObservabilityArgs extends Pick<LogDomainArgs, "region" | "vpcId" | "vpcCidr" | "logRetentionDays"> {
    /** The account id (ARNs, KMS policies, and the ClientId dimension of OpenSearch metrics). */
    readonly accountId: pulumi.Input<string>;
    /** The cell's three private subnets (one per AZ): the log domain's ENIs. */
    readonly privateSubnetIds: readonly pulumi.Input<string>[];
    /** The cell's EKS cluster (Pod Identity associations). */
    readonly clusterName: pulumi.Input<string>;
    /** Kubernetes provider of the cell's cluster. */
    readonly k8sProvider: k8s.Provider;
    /** The domain's nodes, and the days a log index lives (the ISM policy the setup function applies). */
    readonly opensearch: LogDomainSizing & { readonly indexRetentionDays: number };
    /** Security group of the VPC's interface endpoints: the setup function reaches STS through it. */
    readonly endpointSecurityGroupId: pulumi.Input<string>;
    /** The VPC's STS interface endpoint: the log domain setup assumes the master role through it. @default none */
    readonly stsEndpoint?: pulumi.Resource;
    readonly prometheus: PrometheusSizing;
    /** An extra Alertmanager receiver besides the region's SNS topic (a secret). @default none */
    readonly alertWebhookUrl?: string;
    /** Who receives the cell's alerts (platform:observability.alerts.subscriptions). @default none */
    readonly alerts?: { readonly subscriptions: readonly AlertSubscriptionSpec[] };
    /** Namespace of the API workload. @default "api" */
    readonly apiNamespace?: string;
    /** Namespaces of pods Pending by design (the warm-capacity placeholders): MonitoringArgs. @default none */
    readonly placeholderNamespaces?: readonly string[];
    /** An existing StorageClass for Prometheus and Alertmanager. @default `monitoring-gp3`, declared here */
    readonly storageClassName?: string;
    /** How Prometheus finds the API's metrics. @default the compute tier's `api` Service, port `http`, `/metrics` */
    readonly apiScrape?: MonitoringArgs["apiScrape"];
    /** Resources the API's ServiceMonitor waits for (the API workload). @default none */
    readonly dependsOn?: pulumi.Input<pulumi.Resource>[];
    /** Alarm targets of the other tiers; each omitted one gets no alarms. */
    readonly aurora?: AuroraTarget;
    readonly cache?: CacheTarget;
    readonly alb?: AlbTarget;
    readonly proxy?: ProxyTarget;
    /**
     * Physical names, unique per account and region because they carry the stack
     * (regions/naming.ts): `prefix` of the alarms, `logDomain` the OpenSearch domain (its key
     * alias, log groups and log policy follow it). @default the component names
     */
    readonly physicalNames?: { readonly prefix: string; readonly logDomain: string };
}

export class Observability extends pulumi.ComponentResource {
    readonly logDomain: LogDomain;
    /** The page alarms' topic. */
    readonly topicArn: pulumi.Output<string>;
    /** The ticket alarms' topic. */
    readonly ticketTopicArn: pulumi.Output<string>;
    /** Alertmanager's topic (messages carry the attribute `severity`). */
    readonly alertmanagerTopicArn: pulumi.Output<string>;
    /** The cell's CloudWatch alarm ARNs by key (components/observability/cloudWatchAlarms.ts). */
    readonly alarmArns: Record<string, pulumi.Output<string>>;
    /** Secret. */
    readonly grafanaAdminPassword: pulumi.Output<string>;
    /** Fluent Bit's role, mapped to `logs_writer` in the domain by the setup function. */
    readonly logShipperRoleArn: pulumi.Output<string>;

    constructor(name: string, args: ObservabilityArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:observability:Observability", name, {}, opts);
        const { region } = args;
        const child = { parent: this };

        const topic = new AlertTopic(
            `${name}-alerts`,
            { region, accountId: args.accountId, subscriptions: args.alerts?.subscriptions },
            child,
        );
        this.logDomain = new LogDomain(
            `${name}-logs`,
            {
                region,
                accountId: args.accountId,
                vpcId: args.vpcId,
                vpcCidr: args.vpcCidr,
                subnetIds: args.privateSubnetIds,
                sizing: args.opensearch,
                logRetentionDays: args.logRetentionDays,
                domainName: args.physicalNames?.logDomain,
            },
            child,
        );
        const monitoring = new Monitoring(
            `${name}-metrics`,
            {
                region,
                clusterName: args.clusterName,
                k8sProvider: args.k8sProvider,
                topicArn: topic.alertmanagerTopicArn,
                topicKeyArn: topic.keyArn,
                prometheus: args.prometheus,
                apiNamespace: args.apiNamespace,
                placeholderNamespaces: args.placeholderNamespaces,
                storageClassName: args.storageClassName,
                apiScrape: args.apiScrape,
                dependsOn: args.dependsOn,
                alertWebhookUrl: args.alertWebhookUrl,
                // The dashboard's CloudWatch panel reads the ALB's p99 as its alarm does.
                alb: args.alb,
            },
            child,
        );
        const shipper = new LogShipper(
            `${name}-fluent-bit`,
            {
                region,
                clusterName: args.clusterName,
                domainArn: this.logDomain.domainArn,
                domainEndpoint: this.logDomain.endpoint,
                k8sProvider: args.k8sProvider,
                // The chart renders its ServiceMonitor only once the cluster serves monitoring.coreos.com/v1.
                dependsOn: [monitoring.release],
                // Fluent Bit ships only once the domain maps its role (and has its retention policy).
                admittedBy: (writerRoleArn) =>
                    declareLogDomainSetup(
                        `${name}-logs-setup`,
                        {
                            region,
                            vpcId: args.vpcId,
                            subnetIds: args.privateSubnetIds,
                            domain: this.logDomain,
                            endpointSecurityGroupId: args.endpointSecurityGroupId,
                            writerRoleArn,
                            indexRetentionDays: args.opensearch.indexRetentionDays,
                            logRetentionDays: args.logRetentionDays,
                            // The whole log domain (the domain itself and its master role's policy) and the STS endpoint.
                            dependsOn: [this.logDomain, ...(args.stsEndpoint ? [args.stsEndpoint] : [])],
                        },
                        this,
                    ),
            },
            child,
        );
        const alarms = new CloudWatchAlarms(
            `${name}-alarms`,
            {
                region,
                accountId: args.accountId,
                topicArns: { page: topic.topicArn, ticket: topic.ticketTopicArn },
                opensearch: { domainName: this.logDomain.domainName, volumeSizeGiB: this.logDomain.volumeSizeGiB },
                aurora: args.aurora,
                cache: args.cache,
                alb: args.alb,
                proxy: args.proxy,
                alertTopic: {
                    topicName: topicNameOf(topic.topicArn),
                    ticketTopicName: topicNameOf(topic.ticketTopicArn),
                    alertmanagerTopicName: topicNameOf(topic.alertmanagerTopicArn),
                    heartbeatAfter: [monitoring.release],
                },
                namePrefix: args.physicalNames?.prefix,
            },
            child,
        );

        this.topicArn = topic.topicArn;
        this.ticketTopicArn = topic.ticketTopicArn;
        this.alertmanagerTopicArn = topic.alertmanagerTopicArn;
        this.alarmArns = alarms.alarmArns;
        this.grafanaAdminPassword = monitoring.grafanaAdminPassword;
        this.logShipperRoleArn = shipper.roleArn;
        this.registerOutputs({
            logShipperRoleArn: this.logShipperRoleArn,
            logAdminRoleArn: this.logDomain.masterRoleArn,
            topicArn: this.topicArn,
            ticketTopicArn: this.ticketTopicArn,
            alertmanagerTopicArn: this.alertmanagerTopicArn,
            logDomainEndpoint: this.logDomain.endpoint,
            logDashboardEndpoint: this.logDomain.dashboardEndpoint,
            grafanaAdminPassword: this.grafanaAdminPassword,
        });
    }
}

/** `arn:aws:sns:<region>:<account>:<name>` → `<name>` (AWS/SNS's TopicName dimension). */
function topicNameOf(arn: pulumi.Output<string>): pulumi.Output<string> {
    return arn.apply((a) => a.split(":")[5]);
}
