import * as assert from "node:assert/strict";
import {
    OBSERVABILITY_DEFAULTS,
    OFFLINE_SUBSCRIPTION_ENDPOINT,
    OFFLINE_WEBHOOK,
    type ObservabilityConfig,
} from "../../config/observability";
import { catalogRegions } from "../../regions/catalog";
import { awsFacts } from "../support/awsFacts";
import { checkProblems, parseRaw, prodRaw, stackProblems, withSections } from "../support/config";

/** The stack's `platform:observability` parsed from a prod config with `section` in place. */
const observabilityOf = (section: unknown): ObservabilityConfig =>
    parseRaw(withSections(prodRaw(), { observability: section })).config.observability;
const problemsOf = (section: unknown) => stackProblems(withSections(prodRaw(), { observability: section }));

describe("platform:observability config", () => {
    it("defaults every key when the section is absent (the production sizing, pinned)", () => {
        assert.deepEqual(observabilityOf(undefined), {
            logRetentionDays: 90,
            opensearch: {
                dataInstanceType: "r6g.large.search",
                masterInstanceType: "m6g.large.search",
                volumeSizeGiB: 100,
                indexRetentionDays: 14,
            },
            prometheus: { retentionDays: 30, volumeSizeGiB: 100 },
            alerts: { subscriptions: [] },
        });
    });

    it("reads every key", () => {
        const every = {
            logRetentionDays: 30,
            opensearch: {
                dataInstanceType: "r7g.xlarge.search",
                masterInstanceType: "m7g.large.search",
                volumeSizeGiB: 500,
                indexRetentionDays: 30,
            },
            prometheus: { retentionDays: 30, volumeSizeGiB: 200 },
            alertWebhookUrl: "https://hooks.example.com/services/T0/B0/x",
            alerts: {
                subscriptions: [
                    { protocol: "email", endpoint: "oncall@example.com", severity: "page" },
                    { protocol: "https", endpoint: "https://events.example.com/integration/abc/enqueue", severity: "ticket" },
                ],
            },
        };
        assert.deepEqual(observabilityOf(every), every);
    });

    it("defaults a subscription's severity to all, and takes an encrypted endpoint as a distinct stand-in per ciphertext", () => {
        const subs = observabilityOf({
            alerts: {
                subscriptions: [
                    { protocol: "email", endpoint: "team@example.com" },
                    { protocol: "https", endpoint: { secure: "v1:one" }, severity: "page" },
                    { protocol: "https", endpoint: { secure: "v1:two" }, severity: "ticket" },
                ],
            },
        }).alerts.subscriptions;
        assert.equal(subs[0].severity, "all");
        assert.ok(subs[1].endpoint.startsWith(OFFLINE_SUBSCRIPTION_ENDPOINT));
        assert.notEqual(subs[1].endpoint, subs[2].endpoint);
    });

    describe("alert subscriptions", () => {
        const KEY = "platform:observability.alerts.subscriptions";
        const one = (sub: unknown) => ({ alerts: { subscriptions: [sub] } });
        checkProblems(problemsOf, {
            "refuses a protocol this stack does not subscribe, naming the key": [
                [
                    one({ protocol: "sms", endpoint: "+15555550100" }),
                    [`${KEY}[0].protocol: "sms" is not an SNS protocol this stack subscribes; use one of "email", "https"`],
                ],
                [
                    one({ protocol: "http", endpoint: "http://hooks.example.com/x" }),
                    [
                        `${KEY}[0].protocol: "http" is not an SNS protocol this stack subscribes; did you mean "https"? use one of "email", "https"`,
                    ],
                ],
            ],
            "refuses an endpoint that does not fit its protocol, without echoing it": [
                [
                    one({ protocol: "email", endpoint: "oncall.example.com", severity: "page" }),
                    [
                        `${KEY}[0].endpoint: is not an e-mail address; an email subscription's endpoint is the recipient's address, e.g. oncall@example.com`,
                    ],
                ],
                [
                    one({ protocol: "https", endpoint: "http://hooks.example.com/token-123" }),
                    [
                        `${KEY}[0].endpoint: is not an https:// URL; an https subscription's endpoint is the receiver's full https:// URL, stored as a secret when it carries a token (pulumi config set --secret --path 'platform:observability.alerts.subscriptions[0].endpoint' https://…)`,
                    ],
                ],
            ],
            "refuses a severity other than page, ticket or all": [
                [
                    one({ protocol: "email", endpoint: "oncall@example.com", severity: "critical" }),
                    [`${KEY}[0].severity: "critical" is not an alert severity; use one of "page", "ticket", "all"`],
                ],
            ],
            "refuses the same endpoint twice": [
                [
                    {
                        alerts: {
                            subscriptions: [
                                { protocol: "email", endpoint: "oncall@example.com", severity: "page" },
                                { protocol: "email", endpoint: "oncall@example.com", severity: "ticket" },
                            ],
                        },
                    },
                    [
                        `${KEY}[1].endpoint: repeats the email endpoint of subscriptions[0]; give each endpoint once, with the severity it should receive`,
                    ],
                ],
            ],
        });
    });

    it("takes an encrypted webhook the offline plan cannot decrypt as a stand-in", () => {
        assert.equal(observabilityOf({ alertWebhookUrl: { secure: "v1:abc" } }).alertWebhookUrl, OFFLINE_WEBHOOK);
    });

    checkProblems(problemsOf, {
        "rejects a retention CloudWatch does not offer": [
            [
                { logRetentionDays: 45 },
                [
                    "platform:observability.logRetentionDays: 45 is not a CloudWatch Logs retention; use one of 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653",
                ],
            ],
        ],
        "rejects a retention that is not a number": [
            [
                { logRetentionDays: "30" },
                [
                    'platform:observability.logRetentionDays: "30" is not a number; expected one of 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653',
                ],
            ],
        ],
        "rejects an instance type that is not an OpenSearch type": [
            [
                { opensearch: { dataInstanceType: "r6g.large" } },
                [
                    'platform:observability.opensearch.dataInstanceType: "r6g.large" is not an OpenSearch instance type such as r6g.large.search that exists in every region of the stack',
                ],
            ],
        ],
        "rejects burstable dedicated masters": [
            [
                { opensearch: { masterInstanceType: "t3.medium.search" } },
                [
                    'platform:observability.opensearch.masterInstanceType: "t3.medium.search" is a burstable type; dedicated masters of a production domain need m/r/c types, e.g. m6g.large.search',
                ],
            ],
        ],
        "rejects volumes and retentions out of range": [
            [
                // Shorter than the 30-day SLO window the error budget is computed over.
                { prometheus: { retentionDays: 15 } },
                ["platform:observability.prometheus.retentionDays: 15 is out of range; expected an integer from 30 to 365"],
            ],
            [
                { opensearch: { volumeSizeGiB: 5, indexRetentionDays: 0 }, prometheus: { retentionDays: 400, volumeSizeGiB: 9 } },
                [
                    "platform:observability.opensearch.volumeSizeGiB: 5 is out of range; expected an integer from 10 to 16384",
                    "platform:observability.opensearch.indexRetentionDays: 0 is out of range; expected an integer from 1 to 3650",
                    "platform:observability.prometheus.retentionDays: 400 is out of range; expected an integer from 30 to 365",
                    "platform:observability.prometheus.volumeSizeGiB: 9 is out of range; expected an integer from 10 to 16384",
                ],
            ],
        ],
    });

    describe("never shows the webhook, a secret", () => {
        const HOW = `give the receiver's full https:// URL, stored as a secret (pulumi config set --secret --path 'platform:observability.alertWebhookUrl' https://…)`;

        checkProblems(problemsOf, {
            "rejects a webhook that is not https": [
                [
                    { alertWebhookUrl: "http://hooks.example.com/token-123" },
                    [`platform:observability.alertWebhookUrl: is not an https:// URL; ${HOW}`],
                ],
                [
                    { alertWebhookUrl: { url: "https://hooks.example.com/token-123" } },
                    [`platform:observability.alertWebhookUrl: is not an https:// URL; ${HOW}`],
                ],
            ],
            "names a misspelt webhook key without its value": [
                [
                    { alertWebhookURL: "https://hooks.example.com/token-123" },
                    [
                        "platform:observability.alertWebhookURL: is not a known setting (its value not shown: it may be a secret); did you mean `alertWebhookUrl`? known settings here: logRetentionDays, opensearch, prometheus, alertWebhookUrl, alerts",
                    ],
                ],
            ],
        });

        it("shows only the keys of a misspelt section", () => {
            const raw = withSections(prodRaw(), { observabilty: { alertWebhookUrl: "https://hooks.example.com/token-123" } });
            assert.deepEqual(stackProblems(raw), [
                "platform:observabilty: is not a known setting (given a map of alertWebhookUrl); did you mean `observability`? known settings here: domain, cloudflare, regions, capacity, traffic, app, compute, data, edge, observability, release",
            ]);
        });
    });

    checkProblems(problemsOf, {
        "rejects unknown keys at every level, with the value given": [
            [
                { retention: 30, opensearch: { nodes: 5 }, prometheus: { replicas: 3 } },
                [
                    "platform:observability.opensearch.nodes: is not a known setting (given 5); known settings here: dataInstanceType, masterInstanceType, volumeSizeGiB, indexRetentionDays",
                    "platform:observability.prometheus.replicas: is not a known setting (given 3); known settings here: retentionDays, volumeSizeGiB",
                    "platform:observability.retention: is not a known setting (given 30); known settings here: logRetentionDays, opensearch, prometheus, alertWebhookUrl, alerts",
                ],
            ],
        ],
        "rejects a section that is not a map": [
            ["big", ['platform:observability: "big" is not a map; expected a map of settings, or nothing (every key has a default)']],
        ],
    });

    it("defaults to OpenSearch types that exist in every catalog region", () => {
        const byRegion = awsFacts().opensearchTypesByRegion;
        for (const region of catalogRegions()) {
            for (const type of [OBSERVABILITY_DEFAULTS.opensearch.dataInstanceType, OBSERVABILITY_DEFAULTS.opensearch.masterInstanceType]) {
                assert.ok(byRegion[region.name]?.includes(type), `${type} is offered in ${region.name}`);
            }
        }
    });
});
