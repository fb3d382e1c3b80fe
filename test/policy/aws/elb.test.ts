// FSBP ELB controls on load balancers and listeners, on both v7 modules (aws:lb and aws:alb):
// compliant, omitted (judged by the provider's default) and non-compliant, with exact messages.
import { checkRule } from "../../support/policy";

const LOAD_BALANCERS = ["aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer"];
const LISTENERS = ["aws:lb/listener:Listener", "aws:alb/listener:Listener"];
const goodLoadBalancer = { dropInvalidHeaderFields: true, accessLogs: { bucket: "logs", enabled: true }, enableDeletionProtection: true };
const redirect = { type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } };

describe("policy pack: ELB (aws:lb and aws:alb)", () => {
    checkRule({
        policy: "elb-1-http-redirects-to-https",
        type: LISTENERS,
        rows: [
            ["redirects", { protocol: "HTTP", defaultActions: [redirect] }, null],
            ["https", { protocol: "HTTPS", sslPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06", defaultActions: [{ type: "forward" }] }, null],
            ["certificate", { certificateArn: "arn:aws:acm:us-east-1:1:certificate/x", defaultActions: [{ type: "forward" }] }, null],
            [
                "omitted",
                { defaultActions: [{ type: "forward" }] },
                "an HTTP listener (protocol defaults to HTTP) must only redirect to HTTPS: defaultActions [forward]",
            ],
            [
                "forward",
                { protocol: "HTTP", defaultActions: [{ type: "forward" }] },
                "an HTTP listener must only redirect to HTTPS: defaultActions [forward]",
            ],
        ],
    });
    checkRule({
        policy: "elb-4-drop-invalid-headers",
        type: LOAD_BALANCERS,
        rows: [
            ["good", goodLoadBalancer, null],
            ["nlb", { loadBalancerType: "network" }, null],
            ["omitted", {}, "dropInvalidHeaderFields is not set (default false): set it to true"],
            ["off", { dropInvalidHeaderFields: false }, "dropInvalidHeaderFields is false: set it to true"],
        ],
    });
    checkRule({
        policy: "elb-5-access-logs",
        type: LOAD_BALANCERS,
        rows: [
            ["good", goodLoadBalancer, null],
            ["nlb", { loadBalancerType: "network" }, null],
            ["omitted", {}, "accessLogs is not set: access logging is off; send it to an S3 bucket"],
            ["disabled", { accessLogs: { bucket: "logs" } }, "accessLogs.enabled is not true"],
        ],
    });
    checkRule({
        policy: "elb-6-deletion-protection",
        type: LOAD_BALANCERS,
        rows: [
            ["good", goodLoadBalancer, null],
            ["omitted", { loadBalancerType: "network" }, "enableDeletionProtection is not set (default false): set it to true"],
            ["off", { enableDeletionProtection: false }, "enableDeletionProtection is false: set it to true"],
        ],
    });
    checkRule({
        policy: "elb-17-tls-policy",
        type: LISTENERS,
        rows: [
            ["good", { protocol: "HTTPS", sslPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06" }, null],
            ["http", { protocol: "HTTP", defaultActions: [redirect] }, null],
            [
                "omitted",
                { protocol: "HTTPS" },
                "sslPolicy is not set: the default ELBSecurityPolicy-2016-08 allows TLS 1.0; use ELBSecurityPolicy-TLS13-1-2-2021-06",
            ],
            [
                "old",
                { protocol: "TLS", sslPolicy: "ELBSecurityPolicy-2016-08" },
                "sslPolicy ELBSecurityPolicy-2016-08 is not a recommended policy; use ELBSecurityPolicy-TLS13-1-2-2021-06",
            ],
        ],
    });
});
