/**
 * FSBP ELB controls, on the inputs of load balancers and listeners. `aws:lb/*` and `aws:alb/*`
 * are distinct tokens in v7 and both are checked.
 */
import type * as aws from "@pulumi/aws";
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { type Inputs, type ResourceRule, flag, fsbp, isSet, list, mustBeTrue, resourcePolicy } from "../common";
import { AWS_TYPES } from "./types";

/**
 * ELB.17's `sslPolicies`, the control's own list (not customizable): Security Hub user guide,
 * elb-controls.html#elb-17, as quoted in the obs-policy review (December 2026). TLS 1.3-only
 * policies and the TLS 1.2 "Res" (restricted, forward-secret AEAD) ones, with their FIPS and
 * post-quantum variants; the plain TLS13-1-2, Ext and FIPS-Ext policies are not on it.
 */
const ELB_TLS_POLICIES = [
    "ELBSecurityPolicy-TLS13-1-3-2021-06",
    "ELBSecurityPolicy-TLS13-1-3-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-Res-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-3-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-2-Res-FIPS-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-3-FIPS-PQ-2025-09",
];

/** ELB.12's accepted desync mitigation modes (elb-controls.html#elb-12). */
const DESYNC_MODES = ["defensive", "strictest"];

type LoadBalancer = Inputs<aws.lb.LoadBalancerArgs>;
type Listener = Inputs<aws.lb.ListenerArgs>;

/** `check` on Application Load Balancers only (the type defaults to application); other load balancers pass. */
function applicationOnly(check: ResourceRule<object, LoadBalancer>["check"]): ResourceRule<object, LoadBalancer>["check"] {
    return (loadBalancer, ...rest) => {
        if (String(loadBalancer.loadBalancerType ?? "application") === "application") check(loadBalancer, ...rest);
    };
}

/** A listener's protocol: HTTPS when it has a certificate, else HTTP, when not set. */
function listenerProtocol(listener: Listener): string {
    return String(listener.protocol ?? (isSet(listener.certificateArn) ? "HTTPS" : "HTTP"));
}

export const elbPolicies: ResourceValidationPolicy[] = [
    resourcePolicy({
        ...fsbp("elb-1-http-redirects-to-https", "ELB.1", "medium"),
        title: "Application Load Balancer HTTP listeners should redirect every request to HTTPS.",
        types: AWS_TYPES.listeners,
        check: (listener: Listener, _args, report) => {
            // An ALB listener's protocol defaults to HTTP.
            if (listenerProtocol(listener) !== "HTTP") return;
            const actions = list<Inputs<aws.types.input.lb.ListenerDefaultAction>>(listener.defaultActions);
            const redirects =
                actions.length > 0 && actions.every((action) => action.type === "redirect" && action.redirect?.protocol === "HTTPS");
            if (!redirects)
                report(
                    `an HTTP listener${listener.protocol === undefined ? " (protocol defaults to HTTP)" : ""} must only redirect to HTTPS: defaultActions [${actions.map((action) => action.type).join(", ")}]`,
                );
        },
    }),
    resourcePolicy({
        ...fsbp("elb-4-drop-invalid-headers", "ELB.4", "medium"),
        title: "Application Load Balancers should drop invalid HTTP headers.",
        types: AWS_TYPES.loadBalancers,
        check: applicationOnly(mustBeTrue<LoadBalancer>("dropInvalidHeaderFields")),
    }),
    resourcePolicy({
        ...fsbp("elb-5-access-logs", "ELB.5", "medium"),
        title: "Application Load Balancers should have access logging enabled.",
        types: AWS_TYPES.loadBalancers,
        check: applicationOnly((loadBalancer, _args, report) => {
            const logs = loadBalancer.accessLogs;
            if (!logs || !flag(logs.enabled, false))
                report(logs ? "accessLogs.enabled is not true" : "accessLogs is not set: access logging is off; send it to an S3 bucket");
        }),
    }),
    resourcePolicy({
        ...fsbp("elb-6-deletion-protection", "ELB.6", "medium"),
        title: "Application, Gateway and Network Load Balancers should have deletion protection enabled.",
        types: AWS_TYPES.loadBalancers,
        check: mustBeTrue<LoadBalancer>("enableDeletionProtection"),
    }),
    resourcePolicy({
        ...fsbp("elb-12-desync-mitigation", "ELB.12", "medium"),
        // elb-controls.html#elb-12: `desyncMode` "defensive, strictest" (not customizable), on
        // Application Load Balancers. Omitted is "defensive", the provider's default
        // (@pulumi/aws v7 lb/loadBalancer.d.ts), so it passes.
        title: "Application Load Balancers should use the defensive or strictest desync mitigation mode.",
        types: AWS_TYPES.loadBalancers,
        check: applicationOnly((loadBalancer, _args, report) => {
            const mode = String(loadBalancer.desyncMitigationMode ?? "defensive");
            if (!DESYNC_MODES.includes(mode))
                report(
                    `desyncMitigationMode is "${mode}": HTTP desync (request smuggling) is only monitored; set "defensive" or "strictest"`,
                );
        }),
    }),
    resourcePolicy({
        ...fsbp("elb-17-tls-policy", "ELB.17", "medium"),
        title: "HTTPS and TLS listeners should use a recommended security policy.",
        types: AWS_TYPES.listeners,
        config: { sslPolicies: ELB_TLS_POLICIES },
        configDocs: { sslPolicies: "Accepted sslPolicy values." },
        check: (listener: Listener, _args, report, config) => {
            const protocol = listenerProtocol(listener);
            if (protocol !== "HTTPS" && protocol !== "TLS") return;
            if (!isSet(listener.sslPolicy))
                report(
                    "sslPolicy is not set: the default ELBSecurityPolicy-2016-08 allows TLS 1.0; use ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
                );
            else if (!config.sslPolicies.includes(String(listener.sslPolicy)))
                report(`sslPolicy ${listener.sslPolicy} is not a recommended policy; use ELBSecurityPolicy-TLS13-1-2-Res-2021-06`);
        },
    }),
];
