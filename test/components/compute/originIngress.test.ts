import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { elbLogDeliveryPrincipal } from "../../../components/compute/elbLogDelivery";
import { LBC_SA, OriginIngress, PREFIX_LIST_MAX_ENTRIES } from "../../../components/compute/originIngress";
import { CLOUDFLARE_IP_RANGES } from "../../../plan/mocks";
import { type Evaluation, type RecordedResource } from "../../../plan/runtime";
import { assertAllInRegion, chartOf, evaluateOf, ofType, one } from "../../support/harness";

const { ipv4: CLOUDFLARE_IPV4, ipv6: CLOUDFLARE_IPV6 } = CLOUDFLARE_IP_RANGES;

const CERT = "arn:aws:acm:eu-central-1:123456789012:certificate/11111111-2222-3333-4444-555555555555";

describe("OriginIngress", () => {
    let ev: Evaluation;
    const sgRule = (name: string): RecordedResource => one(ev, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", name);
    before(async () => {
        ev = await evaluateOf(OriginIngress, "euc1-ingress", {
            region: "eu-central-1",
            vpcId: "vpc-0123",
            publicSubnetIds: ["subnet-pa", "subnet-pb", "subnet-pc"],
            certificateArn: CERT,
            cloudflare: { ipv4: CLOUDFLARE_IPV4, ipv6: CLOUDFLARE_IPV6 },
            workloadSecurityGroupId: "sg-0cluster",
            appPort: 8080,
            healthPath: "/healthz",
            clusterName: "platform-test-euc1",
            domain: "api.example.com",
            originAuthTokens: [pulumi.secret("origin-token-for-tests"), pulumi.secret("origin-token-b")],
        });
    });

    it("declares an internet-facing ALB in the public subnets that drops invalid headers, logs, and resists deletion", () => {
        const alb = one(ev, "aws:lb/loadBalancer:LoadBalancer", "euc1-ingress-alb");
        assert.equal(alb.inputs.loadBalancerType, "application");
        assert.equal(alb.inputs.internal, false);
        assert.deepEqual(alb.inputs.subnets, ["subnet-pa", "subnet-pb", "subnet-pc"]);
        assert.equal(alb.inputs.dropInvalidHeaderFields, true);
        assert.equal(alb.inputs.enableDeletionProtection, true);
        // Cloudflare keeps idle origin connections up to 900 s: the ALB must not close them first (520s).
        assert.equal(alb.inputs.idleTimeout, 910);
        assert.ok((alb.inputs.idleTimeout as number) > 900 && (alb.inputs.idleTimeout as number) <= 4000);
        const logs = alb.inputs.accessLogs as { bucket: string; prefix: string; enabled: boolean };
        assert.deepEqual([logs.prefix, logs.enabled], ["alb", true]);
        assert.match(logs.bucket, /^euc1-ingress-alb-logs-[0-9a-f]{7}$/);
        assert.ok(
            alb.dependencies.includes(one(ev, "aws:s3/bucketPolicy:BucketPolicy", "euc1-ingress-alb-logs-policy").urn),
            "logging is allowed before the ALB turns it on",
        );
    });

    it("terminates TLS 1.3/1.2 with the domain's certificate and redirects HTTP with a 301", () => {
        const https = one(ev, "aws:lb/listener:Listener", "euc1-ingress-https");
        assert.equal(https.inputs.port, 443);
        assert.equal(https.inputs.protocol, "HTTPS");
        assert.equal(https.inputs.sslPolicy, "ELBSecurityPolicy-TLS13-1-2-Res-2021-06");
        assert.equal(https.inputs.certificateArn, CERT);
        assert.deepEqual(https.inputs.defaultActions, [
            { type: "fixed-response", fixedResponse: { contentType: "text/plain", statusCode: "403", messageBody: "Forbidden" } },
        ]);
        const http = one(ev, "aws:lb/listener:Listener", "euc1-ingress-http");
        assert.equal(http.inputs.port, 80);
        assert.deepEqual(http.inputs.defaultActions, [
            { type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } },
        ]);
    });

    it("answers /metrics with 404 before any forward: the pods' scrape endpoint is Prometheus's, not the internet's", () => {
        const rule = one(ev, "aws:lb/listenerRule:ListenerRule", "euc1-ingress-https-no-metrics");
        const forward = one(ev, "aws:lb/listenerRule:ListenerRule", "euc1-ingress-https-from-edge");
        assert.ok((rule.inputs.priority as number) < (forward.inputs.priority as number), "judged first");
        assert.deepEqual(rule.inputs.conditions, [{ pathPattern: { values: ["/metrics", "/metrics/*"] } }]);
        assert.deepEqual(rule.inputs.actions, [
            { type: "fixed-response", fixedResponse: { contentType: "text/plain", statusCode: "404", messageBody: "Not Found" } },
        ]);
    });

    it("forwards only the domain, and only with Cloudflare's secret origin-auth header; anything else gets 403", () => {
        const rule = one(ev, "aws:lb/listenerRule:ListenerRule", "euc1-ingress-https-from-edge");
        assert.ok(rule.dependencies.includes(one(ev, "aws:lb/listener:Listener", "euc1-ingress-https").urn));
        assert.equal(rule.inputs.priority, 10);
        // The token is a secret, so the whole conditions list is one in the plan.
        assert.equal(rule.inputs.conditions, "[secret]");
        assert.deepEqual(rule.rawInputs.conditions, [
            { hostHeader: { values: ["api.example.com"] } },
            { httpHeader: { httpHeaderName: "x-origin-auth", values: ["origin-token-for-tests", "origin-token-b"] } },
        ]);
        const forward = (rule.inputs.actions as { type: string; targetGroupArn: string }[])[0];
        assert.equal(forward.type, "forward");
        assert.match(forward.targetGroupArn, /^arn:aws:elasticloadbalancing:eu-central-1:123456789012:targetgroup\/euc1-ingress-tg-/);
    });

    it("targets pod IPs on the app port, health-checked on the health path", () => {
        const tg = one(ev, "aws:lb/targetGroup:TargetGroup", "euc1-ingress-tg");
        assert.equal(tg.inputs.targetType, "ip");
        assert.equal(tg.inputs.port, 8080);
        assert.equal(tg.inputs.protocol, "HTTP");
        assert.equal(tg.inputs.vpcId, "vpc-0123");
        assert.equal(tg.inputs.deregistrationDelay, 30);
        const check = tg.inputs.healthCheck as Record<string, unknown>;
        assert.equal(check.path, "/healthz");
        assert.equal(check.matcher, "200");
        assert.equal(check.port, "traffic-port");
    });

    it("admits 443 and 80 only from Cloudflare's ranges, one rule per port and family, through prefix lists", () => {
        const v4 = one(ev, "aws:ec2/managedPrefixList:ManagedPrefixList", "euc1-ingress-cloudflare-ipv4");
        const v6 = one(ev, "aws:ec2/managedPrefixList:ManagedPrefixList", "euc1-ingress-cloudflare-ipv6");
        assert.deepEqual([v4.inputs.addressFamily, v4.inputs.maxEntries], ["IPv4", PREFIX_LIST_MAX_ENTRIES.IPv4]);
        assert.deepEqual([v6.inputs.addressFamily, v6.inputs.maxEntries], ["IPv6", 10]);
        assert.deepEqual(
            (v4.inputs.entries as { cidr: string }[]).map((e) => e.cidr),
            [...CLOUDFLARE_IPV4].sort(),
        );
        assert.deepEqual(
            (v6.inputs.entries as { cidr: string }[]).map((e) => e.cidr),
            [...CLOUDFLARE_IPV6].sort(),
        );
        const sg = one(ev, "aws:ec2/securityGroup:SecurityGroup", "euc1-ingress-alb-sg");
        assert.equal(sg.inputs.ingress, undefined, "no inline rules to fight the rule resources");
        const albRules = ofType(ev, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule").filter((r) =>
            r.name.startsWith("euc1-ingress-alb-"),
        );
        assert.deepEqual(albRules.map((r) => r.name).sort(), [
            "euc1-ingress-alb-443-ipv4",
            "euc1-ingress-alb-443-ipv6",
            "euc1-ingress-alb-80-ipv4",
            "euc1-ingress-alb-80-ipv6",
        ]);
        for (const r of albRules) {
            assert.equal(r.inputs.cidrIpv4, undefined);
            assert.equal(r.inputs.cidrIpv6, undefined);
            assert.equal(r.inputs.fromPort, r.inputs.toPort);
            assert.ok(r.dependencies.includes(r.name.endsWith("ipv4") ? v4.urn : v6.urn));
        }
        assert.equal(sgRule("euc1-ingress-alb-443-ipv6").inputs.fromPort, 443);
    });

    it("lets the ALB reach only the pods' app port, and the pods admit it", () => {
        const out = one(ev, "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule", "euc1-ingress-alb-to-pods");
        assert.deepEqual([out.inputs.fromPort, out.inputs.toPort, out.inputs.referencedSecurityGroupId], [8080, 8080, "sg-0cluster"]);
        const into = sgRule("euc1-ingress-pods-from-alb");
        assert.equal(into.inputs.securityGroupId, "sg-0cluster");
        assert.equal(into.inputs.fromPort, 8080);
        assert.ok(into.dependencies.includes(one(ev, "aws:ec2/securityGroup:SecurityGroup", "euc1-ingress-alb-sg").urn));
    });

    it("keeps access logs private, encrypted, versioned, expiring, TLS-only and writable by the region's ELB account", () => {
        const bucket = one(ev, "aws:s3/bucket:Bucket", "euc1-ingress-alb-logs");
        assert.equal(bucket.protect, true);
        const pab = one(ev, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "euc1-ingress-alb-logs-pab").inputs;
        assert.deepEqual(
            [pab.blockPublicAcls, pab.blockPublicPolicy, pab.ignorePublicAcls, pab.restrictPublicBuckets],
            [true, true, true, true],
        );
        assert.deepEqual(one(ev, "aws:s3/bucketOwnershipControls:BucketOwnershipControls", "euc1-ingress-alb-logs-ownership").inputs.rule, {
            objectOwnership: "BucketOwnerEnforced",
        });
        assert.deepEqual(
            one(ev, "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", "euc1-ingress-alb-logs-sse")
                .inputs.rules,
            [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }],
        );
        assert.deepEqual(
            one(ev, "aws:s3/bucketVersioning:BucketVersioning", "euc1-ingress-alb-logs-versioning").inputs.versioningConfiguration,
            { status: "Enabled" },
        );
        const rule = (
            one(ev, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "euc1-ingress-alb-logs-lifecycle").inputs
                .rules as Record<string, unknown>[]
        )[0];
        assert.deepEqual(rule.expiration, { days: 90 });
        assert.deepEqual(rule.noncurrentVersionExpiration, { noncurrentDays: 7 });
        const policy = JSON.parse(one(ev, "aws:s3/bucketPolicy:BucketPolicy", "euc1-ingress-alb-logs-policy").inputs.policy as string);
        const [allow, deny] = policy.Statement;
        assert.deepEqual(allow.Principal, { AWS: "arn:aws:iam::054676820928:root" });
        assert.equal(allow.Action, "s3:PutObject");
        assert.match(allow.Resource, /^arn:aws:s3:::euc1-ingress-alb-logs-[0-9a-f]{7}\/alb\/AWSLogs\/\*$/);
        assert.deepEqual([deny.Effect, deny.Condition], ["Deny", { Bool: { "aws:SecureTransport": "false" } }]);
    });

    it("installs the AWS Load Balancer Controller from its pinned chart, bound to this target group only", () => {
        const release = one(ev, "kubernetes:helm.sh/v3:Release", "euc1-ingress-lbc");
        assert.equal(chartOf(release), "aws-load-balancer-controller@3.5.0 from https://aws.github.io/eks-charts in kube-system");
        assert.deepEqual(release.inputs.values, {
            clusterName: "platform-test-euc1",
            region: "eu-central-1",
            vpcId: "vpc-0123",
            replicaCount: 2,
            nodeSelector: { "platform/pool": "system" },
            resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { memory: "256Mi" } },
            serviceAccount: { create: true, name: LBC_SA },
            securityContext: { capabilities: { drop: ["ALL"] }, seccompProfile: { type: "RuntimeDefault" } },
            enableServiceMutatorWebhook: false,
            podDisruptionBudget: { maxUnavailable: 1 },
            podMutatorWebhookConfig: { failurePolicy: "Fail" },
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
        });
        const policy = JSON.parse(one(ev, "aws:iam/rolePolicy:RolePolicy", "euc1-ingress-lbc-policy").inputs.policy as string);
        const register = policy.Statement.find((s: { Sid: string }) => s.Sid === "RegisterPods");
        assert.match(register.Resource, /:targetgroup\/euc1-ingress-tg-/);
        assert.deepEqual(register.Action, ["elasticloadbalancing:RegisterTargets", "elasticloadbalancing:DeregisterTargets"]);
        const read = policy.Statement.find((s: { Sid: string }) => s.Sid === "Read");
        assert.ok(
            read.Action.every((a: string) => a.includes(":Describe")),
            "the unscoped statement only reads",
        );
        const association = one(ev, "aws:eks/podIdentityAssociation:PodIdentityAssociation", "euc1-ingress-lbc-pod-identity");
        assert.deepEqual([association.inputs.namespace, association.inputs.serviceAccount], ["kube-system", LBC_SA]);
    });

    it("puts every regional resource in the cell's region", () => {
        assertAllInRegion(ev, "eu-central-1", 23);
    });
});

describe("elbLogDeliveryPrincipal", () => {
    it("uses the regional ELB account where there is one, the service principal elsewhere", () => {
        assert.deepEqual(elbLogDeliveryPrincipal("us-east-1"), { AWS: "arn:aws:iam::127311923021:root" });
        assert.deepEqual(elbLogDeliveryPrincipal("ap-southeast-1"), { AWS: "arn:aws:iam::114774131450:root" });
        assert.deepEqual(elbLogDeliveryPrincipal("me-central-1"), { Service: "logdelivery.elasticloadbalancing.amazonaws.com" });
    });
});
