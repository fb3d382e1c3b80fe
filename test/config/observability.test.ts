import * as assert from "node:assert/strict";
import { OBSERVABILITY_DEFAULTS, OFFLINE_WEBHOOK, type ObservabilityConfig } from "../../config/observability";
import { catalogRegions } from "../../regions/catalog";
import { awsFacts } from "../support/awsFacts";
import { parseRaw, prodRaw, stackProblems, withSections } from "../support/config";

/** The stack's `platform:observability` parsed from a prod config with `section` in place. */
const observabilityOf = (section: unknown): ObservabilityConfig =>
    parseRaw(withSections(prodRaw(), { observability: section })).config.observability;
const problemsOf = (section: unknown) => stackProblems(withSections(prodRaw(), { observability: section }));

const facts = awsFacts;

describe("platform:observability config", () => {
    it("defaults every key when the section is absent", () => {
        assert.deepEqual(observabilityOf(undefined), { ...OBSERVABILITY_DEFAULTS, alertWebhookUrl: undefined });
    });

    it("reads every key", () => {
        const config = observabilityOf({
            logRetentionDays: 30,
            opensearch: {
                dataInstanceType: "r7g.xlarge.search",
                masterInstanceType: "m7g.large.search",
                volumeSizeGiB: 500,
                indexRetentionDays: 30,
            },
            prometheus: { retentionDays: 30, volumeSizeGiB: 200 },
            alertWebhookUrl: "https://hooks.example.com/services/T0/B0/x",
        });
        assert.deepEqual(config, {
            logRetentionDays: 30,
            opensearch: {
                dataInstanceType: "r7g.xlarge.search",
                masterInstanceType: "m7g.large.search",
                volumeSizeGiB: 500,
                indexRetentionDays: 30,
            },
            prometheus: { retentionDays: 30, volumeSizeGiB: 200 },
            alertWebhookUrl: "https://hooks.example.com/services/T0/B0/x",
        });
    });

    it("takes an encrypted webhook the offline plan cannot decrypt as a stand-in", () => {
        assert.equal(observabilityOf({ alertWebhookUrl: { secure: "v1:abc" } }).alertWebhookUrl, OFFLINE_WEBHOOK);
    });

    it("rejects a retention CloudWatch does not offer", () => {
        assert.deepEqual(problemsOf({ logRetentionDays: 45 }), [
            "platform:observability.logRetentionDays: 45 is not a CloudWatch Logs retention; use one of 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653",
        ]);
    });

    it("rejects a retention that is not an integer", () => {
        assert.deepEqual(problemsOf({ logRetentionDays: "30" }), [
            'platform:observability.logRetentionDays: "30" is not an integer; expected an integer from 1 to 3653',
        ]);
    });

    it("rejects an instance type that is not an OpenSearch type", () => {
        assert.deepEqual(problemsOf({ opensearch: { dataInstanceType: "r6g.large" } }), [
            'platform:observability.opensearch.dataInstanceType: "r6g.large" is not an OpenSearch instance type such as r6g.large.search that exists in every region of the stack',
        ]);
    });

    it("rejects burstable dedicated masters", () => {
        assert.deepEqual(problemsOf({ opensearch: { masterInstanceType: "t3.medium.search" } }), [
            'platform:observability.opensearch.masterInstanceType: "t3.medium.search" is a burstable type; dedicated masters of a production domain need m/r/c types, e.g. m6g.large.search',
        ]);
    });

    it("rejects volumes and retentions out of range", () => {
        assert.deepEqual(
            problemsOf({ opensearch: { volumeSizeGiB: 5, indexRetentionDays: 0 }, prometheus: { retentionDays: 400, volumeSizeGiB: 9 } }),
            [
                "platform:observability.opensearch.volumeSizeGiB: 5 is out of range; expected an integer from 10 to 16384",
                "platform:observability.opensearch.indexRetentionDays: 0 is out of range; expected an integer from 1 to 3650",
                "platform:observability.prometheus.retentionDays: 400 is out of range; expected an integer from 1 to 365",
                "platform:observability.prometheus.volumeSizeGiB: 9 is out of range; expected an integer from 10 to 16384",
            ],
        );
    });

    it("rejects a webhook that is not https, without echoing the secret", () => {
        const problems = problemsOf({ alertWebhookUrl: "http://hooks.example.com/token-123" });
        assert.equal(problems.length, 1);
        assert.match(problems[0], /^platform:observability\.alertWebhookUrl: is not an https:\/\/ URL; /);
        assert.ok(!problems[0].includes("token-123"), "the webhook URL is a secret and never printed");
    });

    it("rejects unknown keys at every level", () => {
        assert.deepEqual(problemsOf({ retention: 30, opensearch: { nodes: 5 }, prometheus: { replicas: 3 } }), [
            "platform:observability.retention: is not a known setting; known settings here: logRetentionDays, opensearch, prometheus, alertWebhookUrl",
            "platform:observability.opensearch.nodes: is not a known setting; known settings here: dataInstanceType, masterInstanceType, volumeSizeGiB, indexRetentionDays",
            "platform:observability.prometheus.replicas: is not a known setting; known settings here: retentionDays, volumeSizeGiB",
        ]);
    });

    it("rejects a section that is not an object", () => {
        assert.deepEqual(problemsOf("big"), ['platform:observability: "big" is not an object; give a map of settings or leave it out']);
    });

    it("defaults to OpenSearch types that exist in every catalog region", () => {
        const byRegion = facts().opensearchTypesByRegion;
        for (const region of catalogRegions()) {
            for (const type of [OBSERVABILITY_DEFAULTS.opensearch.dataInstanceType, OBSERVABILITY_DEFAULTS.opensearch.masterInstanceType]) {
                assert.ok(byRegion[region.name]?.includes(type), `${type} is offered in ${region.name}`);
            }
        }
    });
});
