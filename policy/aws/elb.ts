/** FSBP ELB controls on load balancers and listeners (inputs); `aws:lb/*` and `aws:alb/*` are distinct tokens in v7 and both are checked. */
import type * as aws from "@pulumi/aws";
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { type Inputs, type Props, flag, isSet, list, resourcePolicy } from "../common";
import { AWS_TYPES } from "./types";

/** ELB.17's recommended policies: TLS 1.3 (+1.2) policies of 2021-06, their FIPS and post-quantum variants. */
const ELB_TLS_POLICIES = [
    "ELBSecurityPolicy-TLS13-1-2-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-Ext1-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-Ext2-2021-06",
    "ELBSecurityPolicy-TLS13-1-3-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-2-Res-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-2-Ext0-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-2-Ext1-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-2-Ext2-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-3-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-2-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-3-PQ-2025-09",
];

function lbType(p: Props): string {
    return String((p as Inputs<aws.lb.LoadBalancerArgs>).loadBalancerType ?? "application");
}

export const elbPolicies: ResourceValidationPolicy[] = [
    resourcePolicy({
        name: "elb-1-http-redirects-to-https",
        control: "ELB.1",
        severity: "medium",
        title: "Application Load Balancer HTTP listeners should redirect every request to HTTPS.",
        types: AWS_TYPES.listeners,
        check: (p, _a, report) => {
            const l = p as Inputs<aws.lb.ListenerArgs>;
            // An ALB listener's protocol defaults to HTTP.
            const protocol = String(l.protocol ?? (isSet(l.certificateArn) ? "HTTPS" : "HTTP"));
            if (protocol !== "HTTP") return;
            const actions = list<Inputs<aws.types.input.lb.ListenerDefaultAction>>(l.defaultActions);
            const redirects = actions.length > 0 && actions.every((x) => x.type === "redirect" && x.redirect?.protocol === "HTTPS");
            if (!redirects)
                report(
                    `an HTTP listener${l.protocol === undefined ? " (protocol defaults to HTTP)" : ""} must only redirect to HTTPS: defaultActions [${actions.map((x) => x.type).join(", ")}]`,
                );
        },
    }),
    resourcePolicy({
        name: "elb-4-drop-invalid-headers",
        control: "ELB.4",
        severity: "medium",
        title: "Application Load Balancers should drop invalid HTTP headers.",
        types: AWS_TYPES.loadBalancers,
        check: (p, _a, report) => {
            if (lbType(p) !== "application") return;
            const lb = p as Inputs<aws.lb.LoadBalancerArgs>;
            if (!flag(lb.dropInvalidHeaderFields, false))
                report(
                    `dropInvalidHeaderFields is ${lb.dropInvalidHeaderFields === undefined ? "not set (default false)" : "false"}: set it to true`,
                );
        },
    }),
    resourcePolicy({
        name: "elb-5-access-logs",
        control: "ELB.5",
        severity: "medium",
        title: "Application Load Balancers should have access logging enabled.",
        types: AWS_TYPES.loadBalancers,
        check: (p, _a, report) => {
            if (lbType(p) !== "application") return;
            const logs = (p as Inputs<aws.lb.LoadBalancerArgs>).accessLogs;
            if (!logs || !flag(logs.enabled, false))
                report(logs ? "accessLogs.enabled is not true" : "accessLogs is not set: access logging is off; send it to an S3 bucket");
        },
    }),
    resourcePolicy({
        name: "elb-6-deletion-protection",
        control: "ELB.6",
        severity: "medium",
        title: "Application, Gateway and Network Load Balancers should have deletion protection enabled.",
        types: AWS_TYPES.loadBalancers,
        check: (p, _a, report) => {
            const lb = p as Inputs<aws.lb.LoadBalancerArgs>;
            if (!flag(lb.enableDeletionProtection, false))
                report(
                    `enableDeletionProtection is ${lb.enableDeletionProtection === undefined ? "not set (default false)" : "false"}: set it to true`,
                );
        },
    }),
    resourcePolicy({
        name: "elb-17-tls-policy",
        control: "ELB.17",
        severity: "medium",
        title: "HTTPS and TLS listeners should use a recommended security policy.",
        types: AWS_TYPES.listeners,
        config: { sslPolicies: ELB_TLS_POLICIES },
        configDocs: { sslPolicies: "Accepted sslPolicy values." },
        check: (p, _a, report, c) => {
            const l = p as Inputs<aws.lb.ListenerArgs>;
            const protocol = String(l.protocol ?? (isSet(l.certificateArn) ? "HTTPS" : "HTTP"));
            if (protocol !== "HTTPS" && protocol !== "TLS") return;
            if (!isSet(l.sslPolicy))
                report(
                    "sslPolicy is not set: the default ELBSecurityPolicy-2016-08 allows TLS 1.0; use ELBSecurityPolicy-TLS13-1-2-2021-06",
                );
            else if (!c.sslPolicies.includes(String(l.sslPolicy)))
                report(`sslPolicy ${l.sslPolicy} is not a recommended policy; use ELBSecurityPolicy-TLS13-1-2-2021-06`);
        },
    }),
];
