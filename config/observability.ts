/**
 * The `platform:observability` section: log retention, the OpenSearch log domain's size,
 * Prometheus retention and storage, an optional alert webhook and the alert topics'
 * subscriptions. Every key has a default, so the section may be left out.
 */
import { createHash } from "node:crypto";
import { z } from "zod";
import { isRecord, show } from "./problems";
import { type Immutable, checked, defaulted, integer, list, oneOf, settings, text } from "./schema";

/** Retention values CloudWatch Logs accepts (PutRetentionPolicy). */
export const CLOUDWATCH_RETENTION_DAYS = [
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

/** Stand-in for an encrypted webhook the offline plan cannot decrypt (a `{ secure: … }` value). */
export const OFFLINE_WEBHOOK = "https://offline-plan-secret.invalid/alerts";

const SEARCH_TYPE = /^[a-z][a-z0-9]*\.[a-z0-9]+\.search$/;
const HTTPS_URL = /^https:\/\/[^\s/?#]+[^\s]*$/;
const SEARCH_TYPE_ALLOWED = "an OpenSearch instance type such as r6g.large.search that exists in every region of the stack";

// Burstable t3 masters cannot hold a 3-AZ production cluster state reliably (AWS advises against them).
const masterInstanceType = checked(text(SEARCH_TYPE, SEARCH_TYPE_ALLOWED), (type, report) => {
    if (type.startsWith("t")) {
        report(`${show(type)} is a burstable type; dedicated masters of a production domain need m/r/c types, e.g. m6g.large.search`);
    }
}).meta({ rule: "not burstable (t*)" });

const OPENSEARCH_SCHEMA = defaulted(
    settings({
        dataInstanceType: text(SEARCH_TYPE, SEARCH_TYPE_ALLOWED)
            .default("r6g.large.search")
            .describe("Data node type, three nodes (one per AZ)"),
        masterInstanceType: masterInstanceType.default("m6g.large.search").describe("Dedicated master type, three nodes"),
        // gp3 volumes on OpenSearch start at 10 GiB; 16 TiB is the gp3 ceiling.
        volumeSizeGiB: integer(10, 16384).default(100).describe("gp3 volume per data node, GiB"),
        indexRetentionDays: integer(1, 3650).default(14).describe("Days a log index lives before the ISM policy deletes it"),
    }),
);

const PROMETHEUS_SCHEMA = defaulted(
    settings({
        // At least the 30-day SLO window: the error-budget panels and the 3-day burn-rate window read it.
        retentionDays: integer(30, 365).default(30).describe("Days Prometheus keeps samples (at least the 30-day SLO window)"),
        volumeSizeGiB: integer(10, 16384)
            .default(100)
            .describe("Persistent volume per Prometheus replica, GiB (gp3); `retentionSize` is 85% of it"),
    }),
);

const WEBHOOK_ALLOWED =
    "the receiver's full https:// URL, stored as a secret (pulumi config set --secret --path 'platform:observability.alertWebhookUrl' https://…)";

/** A webhook URL; a nested secret the offline plan cannot decrypt arrives still encrypted (`{ secure: … }`). */
const alertWebhookUrl = z
    .unknown()
    .transform((value, ctx) => {
        if (isRecord(value) && Object.keys(value).length === 1 && typeof value.secure === "string") return OFFLINE_WEBHOOK;
        if (typeof value === "string" && HTTPS_URL.test(value)) return value;
        // Never echo the value: it is a secret (a webhook URL carries its token).
        ctx.addIssue({ code: "custom", message: `is not an https:// URL; give ${WEBHOOK_ALLOWED}`, input: value });
        return z.NEVER;
    })
    .meta({ allowed: WEBHOOK_ALLOWED, secret: true });

/**
 * The SNS protocols a subscription may use. Email reaches a person, https a paging or chat
 * service (PagerDuty, Opsgenie, …). Plain http would carry alerts, and the token in the URL,
 * in clear; sqs, lambda and sms need resources or registrations in each region that this
 * stack does not declare.
 */
export const SUBSCRIPTION_PROTOCOLS = ["email", "https"] as const;
/**
 * What a subscription receives: `page` the CloudWatch page alarms and Alertmanager's critical
 * alerts, `ticket` the CloudWatch ticket alarms and Alertmanager's warnings, `all` both
 * (components/observability/alertTopic.ts).
 */
export const SUBSCRIPTION_SEVERITIES = ["page", "ticket", "all"] as const;

/** Stand-in prefix for an encrypted endpoint the offline plan cannot decrypt; the rest is a hash of the ciphertext. */
export const OFFLINE_SUBSCRIPTION_ENDPOINT = "https://offline-plan-secret.invalid/subscriptions/";

const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
const ENDPOINT_ALLOWED =
    "for email the recipient's address (e.g. oncall@example.com); for https the receiver's full https:// URL, stored as a secret when it carries a token (pulumi config set --secret --path 'platform:observability.alerts.subscriptions[0].endpoint' https://…)";

/** An endpoint; a nested secret the offline plan cannot decrypt arrives still encrypted (`{ secure: … }`). */
const subscriptionEndpoint = z
    .unknown()
    .transform((value, ctx) => {
        if (isRecord(value) && Object.keys(value).length === 1 && typeof value.secure === "string")
            return `${OFFLINE_SUBSCRIPTION_ENDPOINT}${createHash("sha256").update(value.secure).digest("hex").slice(0, 12)}`;
        if (typeof value === "string" && value.length > 0) return value;
        // Never echo the value: an https endpoint may carry its token.
        ctx.addIssue({ code: "custom", message: `is not a text value; give ${ENDPOINT_ALLOWED}`, input: value });
        return z.NEVER;
    })
    .meta({ allowed: ENDPOINT_ALLOWED, secret: true });

const SUBSCRIPTION = checked(
    settings({
        protocol: oneOf(SUBSCRIPTION_PROTOCOLS, { refused: "is not an SNS protocol this stack subscribes" }).describe(
            "How SNS delivers: `email` (the recipient must confirm) or `https`",
        ),
        endpoint: subscriptionEndpoint.describe("The recipient's address, or the https:// URL (a secret when it carries a token)"),
        severity: oneOf(SUBSCRIPTION_SEVERITIES, { refused: "is not an alert severity" })
            .default("all")
            .describe("`page` (page alarms and critical alerts), `ticket` (ticket alarms and warnings) or `all`"),
    }),
    (sub, report) => {
        if (sub.endpoint.startsWith(OFFLINE_SUBSCRIPTION_ENDPOINT)) return;
        if (sub.protocol === "email" && !EMAIL.test(sub.endpoint))
            report("is not an e-mail address; an email subscription's endpoint is the recipient's address, e.g. oncall@example.com", [
                "endpoint",
            ]);
        if (sub.protocol === "https" && !HTTPS_URL.test(sub.endpoint))
            report(`is not an https:// URL; an https subscription's endpoint is ${ENDPOINT_ALLOWED.split("; for https ")[1]}`, [
                "endpoint",
            ]);
    },
    ["protocol", "endpoint"],
).meta({ allowed: "a subscription such as { protocol: email, endpoint: oncall@example.com, severity: page }" });

/** One SNS subscription per entry and cell topic; the same endpoint twice would receive every alert twice. */
const SUBSCRIPTIONS = checked(
    list(SUBSCRIPTION, "a list of subscriptions, e.g. [{ protocol: email, endpoint: oncall@example.com, severity: page }]"),
    (subs, report, sound) => {
        const seen = new Map<string, number>();
        subs.forEach((sub, i) => {
            if (!sound([i])) return;
            const key = `${sub.protocol} ${sub.endpoint}`;
            const first = seen.get(key);
            if (first === undefined) seen.set(key, i);
            else
                report(
                    `repeats the ${sub.protocol} endpoint of subscriptions[${first}]; give each endpoint once, with the severity it should receive`,
                    [i, "endpoint"],
                );
        });
    },
    [],
)
    .default([])
    .meta({ rule: "each endpoint once" });

const ALERTS_SCHEMA = defaulted(
    settings({
        subscriptions: SUBSCRIPTIONS.describe(
            'SNS subscriptions of every cell\'s alert topics (docs/observability.md, "Who receives alerts"); an email subscription stays pending until its recipient confirms it',
        ),
    }),
);

/** `platform:observability`, all keys optional. */
export const OBSERVABILITY_SCHEMA = defaulted(
    settings({
        logRetentionDays: oneOf(CLOUDWATCH_RETENTION_DAYS, { refused: "is not a CloudWatch Logs retention" })
            .default(90)
            .describe("Days CloudWatch keeps the OpenSearch service logs and the EKS control-plane logs"),
        opensearch: OPENSEARCH_SCHEMA,
        prometheus: PROMETHEUS_SCHEMA,
        alertWebhookUrl: alertWebhookUrl
            .optional()
            .describe("An extra Alertmanager receiver (a chat or paging webhook) besides the region's SNS topic; a secret"),
        alerts: ALERTS_SCHEMA,
    }).meta({ page: "docs/observability.md" }),
).describe(
    "Log retention, OpenSearch sizing and index retention, Prometheus retention and volume, alert webhook (secret), alert subscriptions",
);

export type ObservabilityConfig = Immutable<z.output<typeof OBSERVABILITY_SCHEMA>>;
export type OpenSearchSizing = ObservabilityConfig["opensearch"];
export type PrometheusSizing = ObservabilityConfig["prometheus"];
export type AlertSubscription = ObservabilityConfig["alerts"]["subscriptions"][number];

/** Every key at its default (no alert webhook, no subscription). */
export const OBSERVABILITY_DEFAULTS: ObservabilityConfig = OBSERVABILITY_SCHEMA.parse(undefined);
