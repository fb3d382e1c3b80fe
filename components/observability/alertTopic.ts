/**
 * A cell's alert topics: KMS-encrypted SNS that CloudWatch alarms (one topic per severity) and
 * Alertmanager publish to, and the subscriptions declared in config
 * (platform:observability.alerts.subscriptions).
 */
import { createHash } from "node:crypto";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { policyDocument } from "../iam";
import { protectedKey } from "../kms";

/** A subscriber, as config/observability.ts validates it. */
export interface AlertSubscriptionSpec {
    /** `email` (pending until the recipient confirms) or `https`. */
    readonly protocol: "email" | "https";
    /** The address, or the https:// URL (treated as a secret: it may carry a token). */
    readonly endpoint: string;
    /** `page`: page alarms and Alertmanager's pages; `ticket`: ticket alarms and Alertmanager's tickets; `all`: both. */
    readonly severity: "page" | "ticket" | "all";
}

/** What an alert asks of a person: `page` (users are failing or data is at risk) or `ticket` (capacity trending, one degraded component with headroom). */
export type Severity = "page" | "ticket";
export const SEVERITIES: readonly Severity[] = ["page", "ticket"];

export interface AlertTopicArgs {
    readonly region: string;
    readonly accountId: pulumi.Input<string>;
    /** Subscribers of both topics, by severity. @default none */
    readonly subscriptions?: readonly AlertSubscriptionSpec[];
}

/** The topics: CloudWatch's page and ticket alarms' (no message attributes) and Alertmanager's (attribute `severity`). */
export type AlertTopicKind = "alarms" | "alarms-ticket" | "alertmanager";

/** One SNS subscription to create: on which topic, with which filter policy (none: every message). */
export interface PlannedSubscription {
    /** Stable per endpoint (a hash of protocol and endpoint, never the endpoint itself): reordering the list replaces nothing. */
    readonly key: string;
    readonly topic: AlertTopicKind;
    readonly spec: AlertSubscriptionSpec;
    readonly filterPolicy?: { readonly severity: readonly string[] };
}

/**
 * Which subscriptions a subscriber needs. A filter policy with scope MessageAttributes accepts a
 * message only if "each property name in the filter policy matches a message attribute name"
 * (SNS developer guide, "Amazon SNS subscription filter policies", sns-subscription-filter-policies.html,
 * read 2026-12-03), and `{"exists": false}` "only matches if at least one attribute is present"
 * (attribute-key-matching.html). CloudWatch alarm notifications carry no message attribute, so
 * CloudWatch alarms are routed by topic instead: one topic per severity (the alarm's actions name
 * its severity's topic, cloudWatchAlarms.ts), each subscribed unfiltered by the subscribers of
 * that severity and by `all`; why not payload filtering: docs/observability.md, "Who receives
 * alerts". Alertmanager's topic is filtered on its `severity` attribute (Alertmanager's
 * `sns_configs.attributes`, sent as String message attributes).
 */
export function plannedSubscriptions(subscriptions: readonly AlertSubscriptionSpec[]): PlannedSubscription[] {
    return subscriptions.flatMap((spec) => {
        const id = createHash("sha256").update(`${spec.protocol}:${spec.endpoint}`).digest("hex").slice(0, 8);
        const severities: readonly Severity[] = spec.severity === "all" ? SEVERITIES : [spec.severity];
        // `${id}-alarms` is the page topic's subscription, as before the ticket topic existed: no replacement.
        const alarms = severities.map((severity): PlannedSubscription =>
            severity === "page"
                ? { key: `${id}-alarms`, topic: "alarms", spec }
                : { key: `${id}-alarms-ticket`, topic: "alarms-ticket", spec },
        );
        // Pages and tickets, never Alertmanager's heartbeat (severity=heartbeat every few minutes, for
        // the CloudWatch alarm that pages when it stops: cloudWatchAlarms.ts).
        const alertmanager: PlannedSubscription = { key: `${id}-am`, topic: "alertmanager", spec, filterPolicy: { severity: severities } };
        return [...alarms, alertmanager];
    });
}

/**
 * The region's alert topics, encrypted with their own KMS key: CloudWatch's page alarms publish to
 * `topicArn`, its ticket alarms (and the EKS lifecycle notices and failed backup jobs, from EventBridge) to `ticketTopicArn`, Alertmanager
 * to `alertmanagerTopicArn` with the message attribute `severity` (page | ticket). The subscribers
 * from config get a subscription per topic they need.
 */
export class AlertTopic extends pulumi.ComponentResource {
    /** The page alarms' topic. */
    readonly topicArn: pulumi.Output<string>;
    /** The ticket alarms' topic. */
    readonly ticketTopicArn: pulumi.Output<string>;
    /** Alertmanager's topic (messages carry `severity`). */
    readonly alertmanagerTopicArn: pulumi.Output<string>;
    readonly keyArn: pulumi.Output<string>;

    constructor(name: string, args: AlertTopicArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:observability:AlertTopic", name, {}, opts);
        const { region } = args;
        const key = protectedKey(
            `${name}-key`,
            {
                region,
                description: `Encryption of the alert topic ${name}`,
                policy: pulumi.jsonStringify(
                    policyDocument(
                        {
                            Sid: "AccountAdministersTheKey",
                            Effect: "Allow",
                            Principal: { AWS: pulumi.interpolate`arn:aws:iam::${args.accountId}:root` },
                            Action: "kms:*",
                            Resource: "*",
                        },
                        {
                            // CloudWatch alarms publish to an encrypted topic only if the key lets them.
                            Sid: "CloudWatchAlarmsPublish",
                            Effect: "Allow",
                            Principal: { Service: "cloudwatch.amazonaws.com" },
                            Action: ["kms:Decrypt", "kms:GenerateDataKey*"],
                            Resource: "*",
                            Condition: { StringEquals: { "aws:SourceAccount": args.accountId } },
                        },
                        {
                            // EventBridge too (the EKS lifecycle notices below). No condition: the KMS
                            // request EventBridge makes carries no aws:SourceAccount or aws:SourceArn, so a
                            // conditioned grant would drop every event (SNS developer guide, "Enable
                            // compatibility between event sources from AWS services and encrypted topics").
                            Sid: "EventBridgePublish",
                            Effect: "Allow",
                            Principal: { Service: "events.amazonaws.com" },
                            Action: ["kms:Decrypt", "kms:GenerateDataKey*"],
                            Resource: "*",
                        },
                    ),
                ),
            },
            { parent: this },
        );
        const topic = new aws.sns.Topic(
            `${name}-topic`,
            { region, displayName: `Platform alerts ${region}`, kmsMasterKeyId: key.arn },
            { parent: this },
        );
        const ticketTopic = new aws.sns.Topic(
            `${name}-tickets`,
            { region, displayName: `Platform tickets ${region}`, kmsMasterKeyId: key.arn },
            { parent: this },
        );
        const alertmanagerTopic = new aws.sns.Topic(
            `${name}-alertmanager`,
            { region, displayName: `Platform alerts ${region} (Alertmanager)`, kmsMasterKeyId: key.arn },
            { parent: this },
        );
        const topics: Record<AlertTopicKind, aws.sns.Topic> = {
            alarms: topic,
            "alarms-ticket": ticketTopic,
            alertmanager: alertmanagerTopic,
        };
        alarmTopicPolicy(`${name}-topic-policy`, region, args.accountId, topic, [], this);
        alarmTopicPolicy(
            `${name}-tickets-policy`,
            region,
            args.accountId,
            ticketTopic,
            [eksLifecycleNotices(name, region, ticketTopic, this), backupJobFailures(name, region, ticketTopic, this)],
            this,
        );
        for (const planned of plannedSubscriptions(args.subscriptions ?? [])) {
            const { spec } = planned;
            new aws.sns.TopicSubscription(
                `${name}-sub-${planned.key}`,
                {
                    region,
                    topic: topics[planned.topic].arn,
                    protocol: spec.protocol,
                    // An https URL may carry its token (a paging service's integration key).
                    endpoint: spec.protocol === "https" ? pulumi.secret(spec.endpoint) : spec.endpoint,
                    ...(planned.filterPolicy
                        ? { filterPolicy: JSON.stringify(planned.filterPolicy), filterPolicyScope: "MessageAttributes" }
                        : {}),
                },
                { parent: this },
            );
        }
        this.topicArn = topic.arn;
        this.ticketTopicArn = ticketTopic.arn;
        this.alertmanagerTopicArn = alertmanagerTopic.arn;
        this.keyArn = key.arn;
        this.registerOutputs({
            topicArn: this.topicArn,
            ticketTopicArn: this.ticketTopicArn,
            alertmanagerTopicArn: this.alertmanagerTopicArn,
            keyArn: this.keyArn,
        });
    }
}

/**
 * AWS Health's planned lifecycle events for EKS (end of standard support, after which a cluster
 * on `upgradePolicy: EXTENDED` is billed extended support per cluster-hour; compute review F14),
 * routed to the ticket topic of the cell's region, where Health delivers a cluster's events: a
 * notice months ahead is a ticket, never a page. `AWS_EKS_PLANNED_LIFECYCLE_EVENT` and the Health
 * event's `service` and `eventTypeCode` fields: AWS Health User Guide, "Reference: AWS Health
 * events Amazon EventBridge schema" and "planned lifecycle events". Returns the topic policy
 * statement that lets the rule publish.
 */
function eksLifecycleNotices(name: string, region: string, topic: aws.sns.Topic, parent: pulumi.Resource): Statement {
    return eventsToTopic(`${name}-eks-lifecycle`, "EksLifecycleNoticesPublish", region, topic, parent, {
        description: "AWS Health: EKS planned lifecycle events (end of standard support) to the ticket topic",
        pattern: {
            source: ["aws.health"],
            "detail-type": ["AWS Health Event"],
            detail: { service: ["EKS"], eventTypeCode: [EKS_LIFECYCLE_EVENT] },
        },
    });
}

/**
 * AWS Backup's failed jobs, to the ticket topic: a backup or a copy (to the next cell's vault, to
 * the air-gapped vault) that fails leaves that day without the copy, which nothing else reports.
 * AWS Backup sends `Backup Job State Change` and `Copy Job State Change` to EventBridge in the
 * region of the job (AWS Backup developer guide, eventbridge.html; EventBridge events reference,
 * events-ref-backup.html), `detail.state` among BACKUP_JOB_FAILED_STATES. A ticket: the point-in-
 * time history and the other copies remain, and the next day's job runs again.
 */
function backupJobFailures(name: string, region: string, topic: aws.sns.Topic, parent: pulumi.Resource): Statement {
    return eventsToTopic(`${name}-backup-failures`, "BackupJobFailuresPublish", region, topic, parent, {
        description: "AWS Backup: failed, aborted, expired or partial backup and copy jobs to the ticket topic",
        pattern: {
            source: ["aws.backup"],
            "detail-type": ["Backup Job State Change", "Copy Job State Change"],
            detail: { state: [...BACKUP_JOB_FAILED_STATES] },
        },
    });
}

/** The job states that mean the job did not do its work (AWS Backup API, BackupJob.State and CopyJob.State). */
const BACKUP_JOB_FAILED_STATES = ["FAILED", "ABORTED", "EXPIRED", "PARTIAL"] as const;

/** An EventBridge rule in `region` sending its events to `topic`; returns the topic policy statement that lets it publish. */
function eventsToTopic(
    name: string,
    sid: string,
    region: string,
    topic: aws.sns.Topic,
    parent: pulumi.Resource,
    rule: { readonly description: string; readonly pattern: Record<string, unknown> },
): Statement {
    const eventRule = new aws.cloudwatch.EventRule(
        name,
        { region, description: rule.description, eventPattern: JSON.stringify(rule.pattern) },
        { parent },
    );
    new aws.cloudwatch.EventTarget(`${name}-target`, { region, rule: eventRule.name, arn: topic.arn }, { parent });
    return {
        Sid: sid,
        Effect: "Allow",
        Principal: { Service: "events.amazonaws.com" },
        Action: "sns:Publish",
        Resource: topic.arn,
        Condition: { ArnEquals: { "aws:SourceArn": eventRule.arn } },
    };
}

/**
 * An alarm topic's policy. Declaring one replaces SNS's default, so it also grants the account and
 * its CloudWatch alarms what the default gave them (CloudWatch User Guide, alarm actions to SNS;
 * the publisher's source scoped to this account's alarms), and `extra` statements.
 */
function alarmTopicPolicy(
    name: string,
    region: string,
    accountId: pulumi.Input<string>,
    topic: aws.sns.Topic,
    extra: readonly Statement[],
    parent: pulumi.Resource,
): void {
    new aws.sns.TopicPolicy(
        name,
        {
            region,
            arn: topic.arn,
            policy: pulumi.jsonStringify(
                policyDocument<Statement>(
                    {
                        Sid: "AccountOwnsTheTopic",
                        Effect: "Allow",
                        Principal: { AWS: pulumi.interpolate`arn:aws:iam::${accountId}:root` },
                        Action: "sns:*",
                        Resource: topic.arn,
                    },
                    {
                        Sid: "CloudWatchAlarmsPublish",
                        Effect: "Allow",
                        Principal: { Service: "cloudwatch.amazonaws.com" },
                        Action: "sns:Publish",
                        Resource: topic.arn,
                        Condition: {
                            StringEquals: { "aws:SourceAccount": accountId },
                            ArnLike: { "aws:SourceArn": pulumi.interpolate`arn:aws:cloudwatch:${region}:${accountId}:alarm:*` },
                        },
                    },
                    ...extra,
                ),
            ),
        },
        { parent },
    );
}

/** An IAM policy statement. */
type Statement = Record<string, unknown>;

/** The Health event type of EKS's planned lifecycle changes (a version's end of standard support among them). */
export const EKS_LIFECYCLE_EVENT = "AWS_EKS_PLANNED_LIFECYCLE_EVENT";
