/**
 * A cell's alert topics: KMS-encrypted SNS that CloudWatch alarms and Alertmanager publish to,
 * and the subscriptions declared in config (platform:observability.alerts.subscriptions).
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
    /** `page`: CloudWatch alarms and Alertmanager's pages; `ticket`: Alertmanager's tickets; `all`: everything. */
    readonly severity: "page" | "ticket" | "all";
}

export interface AlertTopicArgs {
    readonly region: string;
    readonly accountId: pulumi.Input<string>;
    /** Subscribers of both topics, by severity. @default none */
    readonly subscriptions?: readonly AlertSubscriptionSpec[];
}

/** The two topics: CloudWatch alarms' (no message attributes) and Alertmanager's (attribute `severity`). */
export type AlertTopicKind = "alarms" | "alertmanager";

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
 * no filter on a shared topic can both pass them and drop tickets: CloudWatch alarms have their
 * own topic, unfiltered for `page` and `all`; Alertmanager's topic is filtered on `severity`
 * (Alertmanager's `sns_configs.attributes`, sent as String message attributes) except for `all`.
 */
export function plannedSubscriptions(subscriptions: readonly AlertSubscriptionSpec[]): PlannedSubscription[] {
    return subscriptions.flatMap((spec) => {
        const id = createHash("sha256").update(`${spec.protocol}:${spec.endpoint}`).digest("hex").slice(0, 8);
        const alarms: PlannedSubscription = { key: `${id}-alarms`, topic: "alarms", spec };
        const alertmanager: PlannedSubscription = {
            key: `${id}-am`,
            topic: "alertmanager",
            spec,
            ...(spec.severity === "all" ? {} : { filterPolicy: { severity: [spec.severity] } }),
        };
        return spec.severity === "ticket" ? [alertmanager] : [alarms, alertmanager];
    });
}

/**
 * The region's alert topics, encrypted with their own KMS key: CloudWatch alarms publish to
 * `topicArn`, Alertmanager to `alertmanagerTopicArn` with the message attribute `severity`
 * (page | ticket). The subscribers from config get a subscription per topic they need.
 */
export class AlertTopic extends pulumi.ComponentResource {
    /** The CloudWatch alarms' topic. */
    readonly topicArn: pulumi.Output<string>;
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
        const alertmanagerTopic = new aws.sns.Topic(
            `${name}-alertmanager`,
            { region, displayName: `Platform alerts ${region} (Alertmanager)`, kmsMasterKeyId: key.arn },
            { parent: this },
        );
        const topics: Record<AlertTopicKind, aws.sns.Topic> = { alarms: topic, alertmanager: alertmanagerTopic };
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
        this.alertmanagerTopicArn = alertmanagerTopic.arn;
        this.keyArn = key.arn;
        this.registerOutputs({ topicArn: this.topicArn, alertmanagerTopicArn: this.alertmanagerTopicArn, keyArn: this.keyArn });
    }
}
