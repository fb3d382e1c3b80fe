import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { onPool } from "../../regions/capacity/nodes";
import { ALB_SSL_POLICY, CHARTS } from "../../regions/versions";
import { ORIGIN_AUTH_HEADER } from "../edge/originAuth";
import { pinnedRelease } from "../helm";
import { podIdentityRole, policyDocument } from "../iam";
import { elbLogDeliveryPrincipal } from "./elbLogDelivery";

export interface CloudflareRanges {
    readonly ipv4: pulumi.Input<string[]>;
    readonly ipv6: pulumi.Input<string[]>;
}

export interface OriginIngressArgs {
    /** AWS region of the cell. Passed to every child. */
    readonly region: string;
    readonly vpcId: pulumi.Input<string>;
    /** Public subnets of the three AZs: the ALB's nodes. */
    readonly publicSubnetIds: pulumi.Input<string>[];
    /** The validated ACM certificate of the public domain, in this region. */
    readonly certificateArn: pulumi.Input<string>;
    /** Cloudflare's published ranges: the only sources the ALB admits. */
    readonly cloudflare: CloudflareRanges;
    /** The pods' security group (the cluster security group); the ALB gets in on `appPort`. */
    readonly workloadSecurityGroupId: pulumi.Input<string>;
    readonly appPort: number;
    readonly healthPath: string;
    readonly clusterName: pulumi.Input<string>;
    /** The public domain: the only Host the ALB forwards. */
    readonly domain: string;
    /** Accepted values of `ORIGIN_AUTH_HEADER` (both rotation slots, components/edge/originAuth.ts); requests without one get 403. */
    readonly originAuthTokens: pulumi.Input<string>[];
    /** Days access logs are kept. @default 90 */
    readonly logRetentionDays?: number;
    /** What the controller needs first: nodes to run on. */
    readonly dependsOn?: pulumi.Input<pulumi.Resource>[];
}

/**
 * Room for Cloudflare's ranges (15 IPv4 and 7 IPv6 today). Plain: each reference to a prefix
 * list counts `maxEntries` rules against the security group's quota of 60 per family
 * (2 ports × 20 = 40 IPv4, 2 × 10 = 20 IPv6).
 */
export const PREFIX_LIST_MAX_ENTRIES = { IPv4: 20, IPv6: 10 } as const;

/**
 * Above Cloudflare's origin keep-alive: Cloudflare reuses an idle connection to the origin for
 * up to 900 s (developers.cloudflare.com/fundamentals/reference/connection-limits, "Proxy Idle
 * Timeout", read 2026-12-02); an ALB closing it first turns the next request into a 520. The ALB
 * allows 1 to 4000 s (elasticloadbalancing/application, "Connection idle timeout").
 */
export const ALB_IDLE_TIMEOUT_SECONDS = 910;

/** Deregistration delay: longer than the slowest request, shorter than the pods' grace period. */
export const DEREGISTRATION_DELAY_SECONDS = 30;

export const LBC_SA = "aws-load-balancer-controller";

/**
 * The cell's origin as Cloudflare sees it: an internet-facing ALB admitting only
 * Cloudflare's ranges, TLS with the domain's certificate, HTTP redirected, access logs in
 * an encrypted bucket; an ip target group the pods are bound to by the AWS Load Balancer
 * Controller (a TargetGroupBinding), which is installed here with IAM for that group only.
 */
export class OriginIngress extends pulumi.ComponentResource {
    /** The ALB's DNS name: the origin of this cell's Cloudflare pool. */
    readonly dnsName: pulumi.Output<string>;
    readonly zoneId: pulumi.Output<string>;
    readonly arnSuffix: pulumi.Output<string>;
    readonly targetGroupArn: pulumi.Output<string>;
    readonly targetGroupArnSuffix: pulumi.Output<string>;
    readonly securityGroupId: pulumi.Output<string>;
    readonly controller: k8s.helm.v3.Release;

    constructor(name: string, args: OriginIngressArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:cell:OriginIngress", name, {}, opts);
        const { region } = args;
        const child = { parent: this };

        const logs = logBucket(name, region, args.logRetentionDays ?? 90, child);
        const sg = edgeSecurityGroup(name, args, child);
        const alb = new aws.lb.LoadBalancer(
            `${name}-alb`,
            {
                region,
                loadBalancerType: "application",
                internal: false,
                ipAddressType: "ipv4",
                subnets: args.publicSubnetIds,
                securityGroups: [sg.id],
                dropInvalidHeaderFields: true,
                desyncMitigationMode: "strictest",
                enableHttp2: true,
                idleTimeout: ALB_IDLE_TIMEOUT_SECONDS,
                enableDeletionProtection: true,
                accessLogs: { bucket: logs.bucket.bucket, prefix: "alb", enabled: true },
                tags: { Name: `${name}-alb` },
            },
            { parent: this, dependsOn: [logs.policy] },
        );

        const targetGroup = new aws.lb.TargetGroup(
            `${name}-tg`,
            {
                region,
                vpcId: args.vpcId,
                targetType: "ip",
                protocol: "HTTP",
                protocolVersion: "HTTP1",
                port: args.appPort,
                deregistrationDelay: DEREGISTRATION_DELAY_SECONDS,
                loadBalancingAlgorithmType: "least_outstanding_requests",
                healthCheck: {
                    enabled: true,
                    protocol: "HTTP",
                    path: args.healthPath,
                    port: "traffic-port",
                    matcher: "200",
                    interval: 10,
                    timeout: 5,
                    healthyThreshold: 2,
                    unhealthyThreshold: 2,
                },
                tags: { Name: `${name}-tg` },
            },
            child,
        );

        // Forward only the domain, and only with Cloudflare's secret header (components/edge/originAuth.ts).
        const https = new aws.lb.Listener(
            `${name}-https`,
            {
                region,
                loadBalancerArn: alb.arn,
                port: 443,
                protocol: "HTTPS",
                sslPolicy: ALB_SSL_POLICY,
                certificateArn: args.certificateArn,
                defaultActions: [
                    { type: "fixed-response", fixedResponse: { contentType: "text/plain", statusCode: "403", messageBody: "Forbidden" } },
                ],
            },
            child,
        );
        // The pods serve Prometheus's scrape on the API's own port (the in-cluster scrape needs no
        // ALB); from the internet, even through the edge with its header, /metrics is not there.
        new aws.lb.ListenerRule(
            `${name}-https-no-metrics`,
            {
                region,
                listenerArn: https.arn,
                priority: 5,
                conditions: [{ pathPattern: { values: ["/metrics", "/metrics/*"] } }],
                actions: [
                    { type: "fixed-response", fixedResponse: { contentType: "text/plain", statusCode: "404", messageBody: "Not Found" } },
                ],
            },
            child,
        );
        new aws.lb.ListenerRule(
            `${name}-https-from-edge`,
            {
                region,
                listenerArn: https.arn,
                priority: 10,
                conditions: [
                    { hostHeader: { values: [args.domain] } },
                    { httpHeader: { httpHeaderName: ORIGIN_AUTH_HEADER, values: args.originAuthTokens } },
                ],
                actions: [{ type: "forward", targetGroupArn: targetGroup.arn }],
            },
            child,
        );
        new aws.lb.Listener(
            `${name}-http`,
            {
                region,
                loadBalancerArn: alb.arn,
                port: 80,
                protocol: "HTTP",
                defaultActions: [{ type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } }],
            },
            child,
        );

        this.controller = loadBalancerController(name, args, targetGroup, child);
        this.dnsName = alb.dnsName;
        this.zoneId = alb.zoneId;
        this.arnSuffix = alb.arnSuffix;
        this.targetGroupArn = targetGroup.arn;
        this.targetGroupArnSuffix = targetGroup.arnSuffix;
        this.securityGroupId = sg.id;
        this.registerOutputs({ dnsName: this.dnsName, zoneId: this.zoneId, targetGroupArn: this.targetGroupArn });
    }
}

/**
 * The access-log bucket: private, SSE-S3 (the only encryption ALB log delivery supports),
 * versioned, expiring, TLS-only, writable by the region's ELB log delivery. Logs are
 * evidence: the bucket is protected.
 */
function logBucket(
    name: string,
    region: string,
    retentionDays: number,
    child: pulumi.CustomResourceOptions,
): { bucket: aws.s3.Bucket; policy: aws.s3.BucketPolicy } {
    const bucket = new aws.s3.Bucket(
        `${name}-alb-logs`,
        { region, forceDestroy: false, tags: { Name: `${name}-alb-logs` } },
        { ...child, protect: true },
    );
    new aws.s3.BucketOwnershipControls(
        `${name}-alb-logs-ownership`,
        { region, bucket: bucket.id, rule: { objectOwnership: "BucketOwnerEnforced" } },
        child,
    );
    const block = new aws.s3.BucketPublicAccessBlock(
        `${name}-alb-logs-pab`,
        { region, bucket: bucket.id, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true },
        child,
    );
    new aws.s3.BucketServerSideEncryptionConfiguration(
        `${name}-alb-logs-sse`,
        { region, bucket: bucket.id, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }] },
        child,
    );
    new aws.s3.BucketVersioning(
        `${name}-alb-logs-versioning`,
        { region, bucket: bucket.id, versioningConfiguration: { status: "Enabled" } },
        child,
    );
    new aws.s3.BucketLifecycleConfiguration(
        `${name}-alb-logs-lifecycle`,
        {
            region,
            bucket: bucket.id,
            rules: [
                {
                    id: "expire-access-logs",
                    status: "Enabled",
                    filter: { prefix: "" },
                    expiration: { days: retentionDays },
                    noncurrentVersionExpiration: { noncurrentDays: 7 },
                    abortIncompleteMultipartUpload: { daysAfterInitiation: 1 },
                },
            ],
        },
        child,
    );
    const policy = new aws.s3.BucketPolicy(
        `${name}-alb-logs-policy`,
        {
            region,
            bucket: bucket.id,
            policy: pulumi.jsonStringify(
                policyDocument(
                    {
                        Sid: "ElbLogDelivery",
                        Effect: "Allow",
                        Principal: elbLogDeliveryPrincipal(region),
                        Action: "s3:PutObject",
                        Resource: pulumi.interpolate`${bucket.arn}/alb/AWSLogs/*`,
                    },
                    {
                        Sid: "TlsOnly",
                        Effect: "Deny",
                        Principal: "*",
                        Action: "s3:*",
                        Resource: [bucket.arn, pulumi.interpolate`${bucket.arn}/*`],
                        Condition: { Bool: { "aws:SecureTransport": "false" } },
                    },
                ),
            ),
        },
        { parent: child.parent, dependsOn: [block] },
    );
    return { bucket, policy };
}

/**
 * The ALB's security group: 443 and 80 from Cloudflare only (one rule per port and family,
 * each referencing a managed prefix list, so the rule count never depends on the ranges),
 * and out only to the pods on the app port.
 */
function edgeSecurityGroup(name: string, args: OriginIngressArgs, child: pulumi.CustomResourceOptions): aws.ec2.SecurityGroup {
    const { region } = args;
    const sg = new aws.ec2.SecurityGroup(
        `${name}-alb-sg`,
        {
            region,
            vpcId: args.vpcId,
            description: "ALB: HTTPS/HTTP from Cloudflare only; to the API pods only",
            tags: { Name: `${name}-alb-sg` },
        },
        child,
    );
    const lists = {
        IPv4: prefixList(`${name}-cloudflare-ipv4`, region, "IPv4", args.cloudflare.ipv4, child),
        IPv6: prefixList(`${name}-cloudflare-ipv6`, region, "IPv6", args.cloudflare.ipv6, child),
    };
    for (const port of [443, 80]) {
        for (const family of ["IPv4", "IPv6"] as const) {
            new aws.vpc.SecurityGroupIngressRule(
                `${name}-alb-${port}-${family.toLowerCase()}`,
                {
                    region,
                    securityGroupId: sg.id,
                    ipProtocol: "tcp",
                    fromPort: port,
                    toPort: port,
                    prefixListId: lists[family].id,
                    description: `${port === 443 ? "HTTPS" : "HTTP (redirected)"} from Cloudflare (${family})`,
                },
                child,
            );
        }
    }
    new aws.vpc.SecurityGroupEgressRule(
        `${name}-alb-to-pods`,
        {
            region,
            securityGroupId: sg.id,
            ipProtocol: "tcp",
            fromPort: args.appPort,
            toPort: args.appPort,
            referencedSecurityGroupId: args.workloadSecurityGroupId,
            description: "To the API pods",
        },
        child,
    );
    new aws.vpc.SecurityGroupIngressRule(
        `${name}-pods-from-alb`,
        {
            region,
            securityGroupId: args.workloadSecurityGroupId,
            ipProtocol: "tcp",
            fromPort: args.appPort,
            toPort: args.appPort,
            referencedSecurityGroupId: sg.id,
            description: "API pods from the ALB",
        },
        child,
    );
    return sg;
}

function prefixList(
    name: string,
    region: string,
    family: "IPv4" | "IPv6",
    cidrs: pulumi.Input<string[]>,
    child: pulumi.CustomResourceOptions,
): aws.ec2.ManagedPrefixList {
    return new aws.ec2.ManagedPrefixList(
        name,
        {
            region,
            addressFamily: family,
            maxEntries: PREFIX_LIST_MAX_ENTRIES[family],
            entries: pulumi.output(cidrs).apply((list) => [...list].sort().map((cidr) => ({ cidr, description: "Cloudflare" }))),
            tags: { Name: name },
        },
        child,
    );
}

/**
 * The AWS Load Balancer Controller, here only to keep the target group's members equal to
 * the API's ready pods (TargetGroupBinding): its IAM registers targets in this one target
 * group and reads; it creates no load balancer, and its Service webhook is off.
 */
function loadBalancerController(
    name: string,
    args: OriginIngressArgs,
    targetGroup: aws.lb.TargetGroup,
    child: pulumi.CustomResourceOptions,
): k8s.helm.v3.Release {
    const identity = podIdentityRole(
        `${name}-lbc`,
        {
            region: args.region,
            clusterName: args.clusterName,
            namespace: "kube-system",
            serviceAccount: LBC_SA,
            policy: pulumi.jsonStringify(loadBalancerControllerPolicy(targetGroup.arn)),
            description: `${name}: AWS Load Balancer Controller, bound to one target group`,
        },
        child,
    );
    return new k8s.helm.v3.Release(
        `${name}-lbc`,
        {
            ...pinnedRelease(CHARTS.awsLoadBalancerController, "kube-system", "aws-load-balancer-controller"),
            values: {
                clusterName: args.clusterName,
                // Explicit, because the nodes' IMDS is out of the pods' reach (hop limit 1).
                region: args.region,
                vpcId: args.vpcId,
                replicaCount: 2,
                // On the system nodes (3.5.0 values.yaml:78, templates/deployment.yaml:264-265).
                nodeSelector: onPool("system"),
                // The chart's default is none (3.5.0 values.yaml:62); its commented example requests
                // 100m/128Mi. The limit doubled, a choice: headroom for its informer caches.
                resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { memory: "256Mi" } },
                serviceAccount: { create: true, name: LBC_SA },
                // The restricted Pod Security fields the chart's default context lacks (3.5.0 values.yaml:51-57:
                // non-root, no escalation, read-only root; `drop: [ALL]` only commented out). Helm merges these
                // onto it. The controller listens above port 1024 (webhook 9443, metrics 8080, health 61779:
                // templates/deployment.yaml:248-251, values.yaml:317): no capability needed.
                securityContext: { capabilities: { drop: ["ALL"] }, seccompProfile: { type: "RuntimeDefault" } },
                enableServiceMutatorWebhook: false,
                // The chart's defaults (3.5.0 values.yaml): no PDB, and a pod webhook that fails
                // open, so pods created while the controller is down get no readiness gate and a
                // rollout could outrun the target group. Fail closed: the webhook only matches the
                // namespaces labelled for injection (the API's), never kube-system.
                podDisruptionBudget: { maxUnavailable: 1 },
                podMutatorWebhookConfig: { failurePolicy: "Fail" },
                // EndpointSlices, not the v1 Endpoints API (deprecated since Kubernetes 1.33).
                enableEndpointSlices: true,
                topologySpreadConstraints: [
                    {
                        maxSkew: 1,
                        topologyKey: "topology.kubernetes.io/zone",
                        whenUnsatisfiable: "ScheduleAnyway",
                        nodeTaintsPolicy: "Honor",
                        labelSelector: { matchLabels: { "app.kubernetes.io/name": "aws-load-balancer-controller" } },
                    },
                ],
            },
        },
        { parent: child.parent, dependsOn: [...(args.dependsOn ?? []), identity.association] },
    );
}

export function loadBalancerControllerPolicy(targetGroupArn: pulumi.Input<string>): object {
    return policyDocument(
        {
            Sid: "RegisterPods",
            Effect: "Allow",
            Action: ["elasticloadbalancing:RegisterTargets", "elasticloadbalancing:DeregisterTargets"],
            Resource: targetGroupArn,
        },
        {
            Sid: "Read",
            Effect: "Allow",
            Action: [
                "elasticloadbalancing:DescribeLoadBalancers",
                "elasticloadbalancing:DescribeListeners",
                "elasticloadbalancing:DescribeTargetGroups",
                "elasticloadbalancing:DescribeTargetGroupAttributes",
                "elasticloadbalancing:DescribeTargetHealth",
                "elasticloadbalancing:DescribeTags",
                "ec2:DescribeVpcs",
                "ec2:DescribeSubnets",
                "ec2:DescribeSecurityGroups",
                "ec2:DescribeInstances",
                "ec2:DescribeNetworkInterfaces",
                "ec2:DescribeAvailabilityZones",
            ],
            Resource: "*",
        },
    );
}
