import * as assert from "node:assert/strict";
import { LogDomain } from "../../../components/observability/logDomain";
import { OBSERVABILITY_DEFAULTS } from "../../../config/observability";
import { ACCOUNT_ID } from "../../../plan/mocks";
import { type Evaluation } from "../../../plan/runtime";
import { assertAllInRegion, evaluateOf, ofType, one, policyOf } from "../../support/harness";

const OPENSEARCH_DOMAIN = "aws:opensearch/domain:Domain";
const SUBNETS = ["subnet-0a", "subnet-0b", "subnet-0c"];

describe("LogDomain", () => {
    let ev: Evaluation;
    const sizing = OBSERVABILITY_DEFAULTS.opensearch;
    before(async () => {
        ev = await evaluateOf(LogDomain, "euc1-obs-logs", {
            region: "eu-central-1",
            accountId: ACCOUNT_ID,
            vpcId: "vpc-0123",
            vpcCidr: "10.22.0.0/16",
            subnetIds: SUBNETS,
            sizing,
            logRetentionDays: 90,
        });
    });

    it("runs three data nodes and three dedicated masters over three AZs", () => {
        const domain = one(ev, OPENSEARCH_DOMAIN, "euc1-obs-logs-domain");
        assert.equal(domain.inputs.domainName, "euc1-obs-logs");
        assert.equal(domain.inputs.engineVersion, "OpenSearch_2.19");
        assert.deepEqual(domain.inputs.clusterConfig, {
            instanceType: "r6g.large.search",
            instanceCount: 3,
            dedicatedMasterEnabled: true,
            dedicatedMasterType: "m6g.large.search",
            dedicatedMasterCount: 3,
            zoneAwarenessEnabled: true,
            zoneAwarenessConfig: { availabilityZoneCount: 3 },
        });
        assert.deepEqual(domain.inputs.ebsOptions, { ebsEnabled: true, volumeType: "gp3", volumeSize: 100, iops: 3000, throughput: 125 });
    });

    it("encrypts at rest with its own rotated, protected key, and between nodes", () => {
        const domain = one(ev, OPENSEARCH_DOMAIN, "euc1-obs-logs-domain");
        const key = one(ev, "aws:kms/key:Key", "euc1-obs-logs-key");
        assert.equal(key.inputs.enableKeyRotation, true);
        assert.equal(key.protect, true);
        const encrypt = domain.inputs.encryptAtRest as { enabled: boolean; kmsKeyId: string };
        assert.equal(encrypt.enabled, true);
        assert.match(encrypt.kmsKeyId, /^arn:aws:kms:eu-central-1:123456789012:key\//);
        assert.deepEqual(domain.inputs.nodeToNodeEncryption, { enabled: true });
    });

    it("enforces HTTPS with TLS 1.2+ forward-secret suites", () => {
        assert.deepEqual(one(ev, OPENSEARCH_DOMAIN, "euc1-obs-logs-domain").inputs.domainEndpointOptions, {
            enforceHttps: true,
            tlsSecurityPolicy: "Policy-Min-TLS-1-2-PFS-2023-10",
        });
    });

    it("uses fine-grained access control with an IAM master role, no internal users", () => {
        const domain = one(ev, OPENSEARCH_DOMAIN, "euc1-obs-logs-domain");
        const admin = one(ev, "aws:iam/role:Role", "euc1-obs-logs-admin");
        const security = domain.inputs.advancedSecurityOptions as Record<string, unknown>;
        assert.equal(security.enabled, true);
        assert.equal(security.internalUserDatabaseEnabled, false);
        assert.equal(security.anonymousAuthEnabled, false);
        assert.match(
            (security.masterUserOptions as { masterUserArn: string }).masterUserArn,
            /^arn:aws:iam::123456789012:role\/euc1-obs-logs-admin-/,
        );
        assert.deepEqual(JSON.parse(admin.inputs.assumeRolePolicy as string).Statement[0].Principal, {
            AWS: "arn:aws:iam::123456789012:root",
        });
        const access = policyOf(domain, "accessPolicies").Statement[0];
        assert.equal(access.Resource, "arn:aws:es:eu-central-1:123456789012:domain/euc1-obs-logs/*");
    });

    it("sits in the private subnets behind a security group admitting only HTTPS from the VPC", () => {
        const domain = one(ev, OPENSEARCH_DOMAIN, "euc1-obs-logs-domain");
        const sg = one(ev, "aws:ec2/securityGroup:SecurityGroup", "euc1-obs-logs-sg");
        const vpc = domain.inputs.vpcOptions as { subnetIds: string[]; securityGroupIds: string[] };
        assert.deepEqual(vpc.subnetIds, SUBNETS);
        assert.equal(vpc.securityGroupIds.length, 1);
        assert.ok(domain.dependencies.includes(sg.urn));
        assert.deepEqual(sg.inputs.ingress, [
            { protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["10.22.0.0/16"], description: "HTTPS from the cell's VPC" },
        ]);
        assert.deepEqual(sg.inputs.egress, []);
    });

    it("publishes application, audit and slow logs to CloudWatch groups with a retention", () => {
        const domain = one(ev, OPENSEARCH_DOMAIN, "euc1-obs-logs-domain");
        const published = domain.inputs.logPublishingOptions as { logType: string; cloudwatchLogGroupArn: string; enabled: boolean }[];
        assert.deepEqual(published.map((p) => p.logType).sort(), [
            "AUDIT_LOGS",
            "ES_APPLICATION_LOGS",
            "INDEX_SLOW_LOGS",
            "SEARCH_SLOW_LOGS",
        ]);
        assert.ok(published.every((p) => p.enabled));
        const groups = ofType(ev, "aws:cloudwatch/logGroup:LogGroup");
        assert.deepEqual(groups.map((g) => g.inputs.name).sort(), [
            "/aws/opensearch/euc1-obs-logs/application",
            "/aws/opensearch/euc1-obs-logs/audit",
            "/aws/opensearch/euc1-obs-logs/index-slow",
            "/aws/opensearch/euc1-obs-logs/search-slow",
        ]);
        assert.ok(groups.every((g) => g.inputs.retentionInDays === 90));
        assert.deepEqual(
            published.map((p) => p.cloudwatchLogGroupArn).sort(),
            groups.map((g) => `arn:aws:logs:eu-central-1:123456789012:log-group:${g.inputs.name}`).sort(),
        );
    });

    it("lets the OpenSearch service write only to those groups, for this domain", () => {
        const resourcePolicy = one(ev, "aws:cloudwatch/logResourcePolicy:LogResourcePolicy", "euc1-obs-logs-log-policy");
        const statement = policyOf(resourcePolicy, "policyDocument").Statement[0];
        assert.deepEqual(statement.Principal, { Service: "es.amazonaws.com" });
        assert.deepEqual(statement.Action, ["logs:PutLogEvents", "logs:CreateLogStream"]);
        assert.deepEqual(
            (statement.Resource as string[]).sort(),
            ["application", "audit", "index-slow", "search-slow"].map(
                (r) => `arn:aws:logs:eu-central-1:123456789012:log-group:/aws/opensearch/euc1-obs-logs/${r}:*`,
            ),
        );
        assert.deepEqual(statement.Condition, {
            StringEquals: { "aws:SourceAccount": ACCOUNT_ID },
            ArnLike: { "aws:SourceArn": "arn:aws:es:eu-central-1:123456789012:domain/euc1-obs-logs" },
        });
        assert.ok(
            one(ev, OPENSEARCH_DOMAIN, "euc1-obs-logs-domain").dependencies.includes(resourcePolicy.urn),
            "the policy exists before the domain publishes",
        );
    });

    it("updates its software automatically in the off-peak window, and is protected", () => {
        const domain = one(ev, OPENSEARCH_DOMAIN, "euc1-obs-logs-domain");
        assert.deepEqual(domain.inputs.softwareUpdateOptions, { autoSoftwareUpdateEnabled: true });
        assert.equal((domain.inputs.offPeakWindowOptions as { enabled: boolean }).enabled, true);
        assert.equal(domain.protect, true);
    });

    it("puts every regional resource in the cell's region", () => {
        assertAllInRegion(ev, "eu-central-1", 9);
    });

    it("refuses a name OpenSearch cannot take, and anything but three subnets", async () => {
        await assert.rejects(
            evaluateOf(LogDomain, "Use1-a-very-long-observability-domain", {
                region: "us-east-1",
                accountId: ACCOUNT_ID,
                vpcId: "vpc-0",
                vpcCidr: "10.10.0.0/16",
                subnetIds: SUBNETS.slice(0, 2),
                sizing,
                logRetentionDays: 90,
            }),
            /is not a valid domain name[\s\S]*needs exactly 3 subnets \(one per AZ\), got 2/,
        );
    });
});
