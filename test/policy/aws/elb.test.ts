// FSBP ELB controls on load balancers and listeners, on both v7 modules (aws:lb and aws:alb):
// compliant, omitted (judged by the provider's default) and non-compliant, with exact messages.
import * as assert from "node:assert/strict";
import { type Row, UNKNOWN, checkRule, underEngine, unsetOrFalse } from "../../support/policy";

const LOAD_BALANCERS = ["aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer"];
const LISTENERS = ["aws:lb/listener:Listener", "aws:alb/listener:Listener"];
const goodLoadBalancer = { dropInvalidHeaderFields: true, accessLogs: { bucket: "logs", enabled: true }, enableDeletionProtection: true };
const redirect = { type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } };

const FORWARD = { defaultActions: [{ type: "forward" }] };
const NOT_REDIRECTED = "must only redirect to HTTPS: defaultActions [forward]";
const RECOMMENDED = "ELBSecurityPolicy-TLS13-1-2-Res-2021-06";
const OLD = "ELBSecurityPolicy-2016-08";
const NLB = { loadBalancerType: "network" };

describe("policy pack: ELB (aws:lb and aws:alb)", () => {
    checkRule("elb-1-http-redirects-to-https", LISTENERS, [
        ["redirects", { protocol: "HTTP", defaultActions: [redirect] }, null],
        ["https", { protocol: "HTTPS", sslPolicy: RECOMMENDED, ...FORWARD }, null],
        ["certificate", { certificateArn: "arn:aws:acm:us-east-1:1:certificate/x", ...FORWARD }, null],
        ["omitted", FORWARD, `an HTTP listener (protocol defaults to HTTP) ${NOT_REDIRECTED}`],
        ["forward", { protocol: "HTTP", ...FORWARD }, `an HTTP listener ${NOT_REDIRECTED}`],
    ]);
    checkRule("elb-4-drop-invalid-headers", LOAD_BALANCERS, [
        ["good", goodLoadBalancer, null],
        ["nlb", NLB, null],
        ...unsetOrFalse("dropInvalidHeaderFields"),
    ]);
    checkRule("elb-5-access-logs", LOAD_BALANCERS, [
        ["good", goodLoadBalancer, null],
        ["nlb", NLB, null],
        ["omitted", {}, "accessLogs is not set: access logging is off; send it to an S3 bucket"],
        ["disabled", { accessLogs: { bucket: "logs" } }, "accessLogs.enabled is not true"],
    ]);
    checkRule("elb-6-deletion-protection", LOAD_BALANCERS, [
        ["good", goodLoadBalancer, null],
        ["omitted", NLB, "enableDeletionProtection is not set (default false): set it to true"],
        ["off", { enableDeletionProtection: false }, "enableDeletionProtection is false: set it to true"],
    ]);
    // ELB.12: defensive or strictest; omitted is the provider's default, defensive.
    checkRule("elb-12-desync-mitigation", LOAD_BALANCERS, [
        ["strictest", { ...goodLoadBalancer, desyncMitigationMode: "strictest" }, null],
        ["defensive", { desyncMitigationMode: "defensive" }, null],
        ["omitted", {}, null],
        ["nlb", { ...NLB, desyncMitigationMode: "monitor" }, null],
        [
            "monitor",
            { loadBalancerType: "application", desyncMitigationMode: "monitor" },
            'desyncMitigationMode is "monitor": HTTP desync (request smuggling) is only monitored; set "defensive" or "strictest"',
        ],
    ]);
    it("elb-12-desync-mitigation during preview: an unknown mode or type is undecided, never a pass", async () => {
        for (const props of [{ desyncMitigationMode: UNKNOWN }, { loadBalancerType: UNKNOWN, desyncMitigationMode: "monitor" }])
            assert.deepEqual(await underEngine("elb-12-desync-mitigation", LOAD_BALANCERS[0], "alb", props), {
                violations: [],
                undecided: true,
            });
    });
    checkRule("elb-17-tls-policy", LISTENERS, [
        ["good", { protocol: "HTTPS", sslPolicy: RECOMMENDED }, null],
        ["http", { protocol: "HTTP", defaultActions: [redirect] }, null],
        ["omitted", { protocol: "HTTPS" }, `sslPolicy is not set: the default ${OLD} allows TLS 1.0; use ${RECOMMENDED}`],
        ["old", { protocol: "TLS", sslPolicy: OLD }, `sslPolicy ${OLD} is not a recommended policy; use ${RECOMMENDED}`],
        // Off ELB.17's list although TLS 1.2+: CBC suites (the plain policy), extended and FIPS-extended suites.
        ...[
            "ELBSecurityPolicy-TLS13-1-2-2021-06",
            "ELBSecurityPolicy-TLS13-1-2-Ext1-2021-06",
            "ELBSecurityPolicy-TLS13-1-2-Ext2-FIPS-2023-04",
            "ELBSecurityPolicy-TLS13-1-2-PQ-2025-09",
        ].map((sslPolicy): Row => [
            sslPolicy,
            { protocol: "HTTPS", sslPolicy },
            `sslPolicy ${sslPolicy} is not a recommended policy; use ${RECOMMENDED}`,
        ]),
        ["tls13-fips-pq", { protocol: "HTTPS", sslPolicy: "ELBSecurityPolicy-TLS13-1-3-FIPS-PQ-2025-09" }, null],
    ]);
});
