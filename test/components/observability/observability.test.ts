import * as assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as rules from "../../../components/observability/alertRules";
import { apiAlertRules } from "../../../components/observability/alertRules";
import { CloudWatchAlarms, cacheNodeIds } from "../../../components/observability/cloudWatchAlarms";
import * as alarms from "../../../components/observability/cloudWatchAlarms";
import { apiDashboard } from "../../../components/observability/dashboard";
import { ISM_POLICY_ID, ismPolicy } from "../../../components/observability/ism";
import {
    FLUENT_BIT_CHART,
    LogDomain,
    LogShipper,
    OPENSEARCH_ENGINE_VERSION,
    OPENSEARCH_TLS_POLICY,
} from "../../../components/observability/logging";
import { AlertTopic, KUBE_PROMETHEUS_STACK_CHART, Monitoring } from "../../../components/observability/monitoring";
import { Observability } from "../../../components/observability/observability";
import { OBSERVABILITY_DEFAULTS } from "../../../config/observability";
import { ACCOUNT_ID } from "../../../plan/mocks";
import { type Evaluation, type RecordedResource } from "../../../plan/runtime";
import { projectRoot } from "../../../plan/stackConfig";
import { assertUniqueUrns, evaluateComponent, isRegionalAws, ofType, one } from "../../support/harness";

const OPENSEARCH_DOMAIN = "aws:opensearch/domain:Domain";
const RELEASE = "kubernetes:helm.sh/v3:Release";
const ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";
const SUBNETS = ["subnet-0a", "subnet-0b", "subnet-0c"];

function k8sProvider(): k8s.Provider {
    return new k8s.Provider("k8s", { kubeconfig: "apiVersion: v1\nkind: Config\nclusters: []\ncontexts: []\nusers: []\n" });
}

function policy(r: RecordedResource, key = "policy"): { Statement: Record<string, unknown>[] } {
    return JSON.parse(r.inputs[key] as string);
}

describe("LogDomain", () => {
    let ev: Evaluation;
    const sizing = OBSERVABILITY_DEFAULTS.opensearch;
    before(async () => {
        ev = await evaluateComponent(
            (opts) =>
                new LogDomain(
                    "euc1-obs-logs",
                    {
                        region: "eu-central-1",
                        accountId: ACCOUNT_ID,
                        vpcId: "vpc-0123",
                        vpcCidr: "10.22.0.0/16",
                        subnetIds: SUBNETS,
                        sizing,
                        logRetentionDays: 90,
                    },
                    opts,
                ),
        );
    });

    it("runs three data nodes and three dedicated masters over three AZs", () => {
        const domain = one(ev, OPENSEARCH_DOMAIN, "euc1-obs-logs-domain");
        assert.equal(domain.inputs.domainName, "euc1-obs-logs");
        assert.equal(domain.inputs.engineVersion, "OpenSearch_2.19");
        assert.equal(OPENSEARCH_ENGINE_VERSION, "OpenSearch_2.19");
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
        assert.equal(OPENSEARCH_TLS_POLICY, "Policy-Min-TLS-1-2-PFS-2023-10");
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
        const access = policy(domain, "accessPolicies").Statement[0];
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
        const statement = policy(resourcePolicy, "policyDocument").Statement[0];
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
        const regional = ev.resources.filter(isRegionalAws);
        assert.ok(regional.length >= 9);
        assert.deepEqual(
            regional.filter((r) => r.inputs.region !== "eu-central-1").map((r) => r.name),
            [],
        );
    });

    it("refuses a name OpenSearch cannot take, and anything but three subnets", async () => {
        await assert.rejects(
            evaluateComponent(
                (opts) =>
                    new LogDomain(
                        "Use1-a-very-long-observability-domain",
                        {
                            region: "us-east-1",
                            accountId: ACCOUNT_ID,
                            vpcId: "vpc-0",
                            vpcCidr: "10.10.0.0/16",
                            subnetIds: SUBNETS.slice(0, 2),
                            sizing,
                            logRetentionDays: 90,
                        },
                        opts,
                    ),
            ),
            /is not a valid domain name[\s\S]*needs exactly 3 subnets \(one per AZ\), got 2/,
        );
    });
});

describe("LogShipper", () => {
    const shipper = (region: string, code: string) =>
        evaluateComponent(
            (opts) =>
                new LogShipper(
                    `${code}-fluent-bit`,
                    {
                        region,
                        clusterName: `${code}-eks`,
                        domainArn: `arn:aws:es:${region}:${ACCOUNT_ID}:domain/${code}-obs-logs`,
                        domainEndpoint: `vpc-${code}-obs-logs-abc.${region}.es.amazonaws.com`,
                        k8sProvider: k8sProvider(),
                    },
                    opts,
                ),
        );
    let use1: Evaluation;
    let apse1: Evaluation;
    before(async () => {
        use1 = await shipper("us-east-1", "use1");
        apse1 = await shipper("ap-southeast-1", "apse1");
    });

    it("may only POST and PUT to its own region's domain", () => {
        for (const [ev, region, code] of [
            [use1, "us-east-1", "use1"],
            [apse1, "ap-southeast-1", "apse1"],
        ] as const) {
            const statements = policy(one(ev, "aws:iam/rolePolicy:RolePolicy", `${code}-fluent-bit-policy`)).Statement;
            assert.deepEqual(statements, [
                {
                    Effect: "Allow",
                    Action: ["es:ESHttpPost", "es:ESHttpPut"],
                    Resource: `arn:aws:es:${region}:${ACCOUNT_ID}:domain/${code}-obs-logs/*`,
                },
            ]);
        }
    });

    it("gets its role through EKS Pod Identity for the fluent-bit service account", () => {
        const role = one(use1, "aws:iam/role:Role", "use1-fluent-bit-role");
        assert.deepEqual(JSON.parse(role.inputs.assumeRolePolicy as string).Statement, [
            { Effect: "Allow", Principal: { Service: "pods.eks.amazonaws.com" }, Action: ["sts:AssumeRole", "sts:TagSession"] },
        ]);
        const association = one(use1, "aws:eks/podIdentityAssociation:PodIdentityAssociation", "use1-fluent-bit-pod-identity");
        assert.equal(association.inputs.region, "us-east-1");
        assert.equal(association.inputs.clusterName, "use1-eks");
        assert.equal(association.inputs.namespace, "logging");
        assert.equal(association.inputs.serviceAccount, "fluent-bit");
        assert.match(association.inputs.roleArn as string, /^arn:aws:iam::123456789012:role\/use1-fluent-bit-role-/);
    });

    it("installs the pinned fluent-bit chart as a DaemonSet with that service account", () => {
        const release = one(use1, RELEASE, "use1-fluent-bit-release");
        assert.deepEqual(FLUENT_BIT_CHART, { chart: "fluent-bit", version: "0.58.1", repo: "https://fluent.github.io/helm-charts" });
        assert.equal(release.inputs.chart, "fluent-bit");
        assert.equal(release.inputs.version, "0.58.1");
        assert.deepEqual(release.inputs.repositoryOpts, { repo: "https://fluent.github.io/helm-charts" });
        assert.equal(release.inputs.namespace, "logging");
        const values = release.inputs.values as Record<string, unknown>;
        assert.equal(values.kind, "DaemonSet");
        assert.deepEqual(values.serviceAccount, { create: true, name: "fluent-bit" });
        assert.match(release.provider ?? "", /::k8s::/);
    });

    it("adds Kubernetes metadata and ships to its domain with SigV4 in its region", () => {
        for (const [ev, region, code] of [
            [use1, "us-east-1", "use1"],
            [apse1, "ap-southeast-1", "apse1"],
        ] as const) {
            const config = (
                one(ev, RELEASE, `${code}-fluent-bit-release`).inputs.values as { config: { filters: string; outputs: string } }
            ).config;
            assert.match(config.filters, /Name kubernetes\n\s+Match kube\.\*/);
            const outputs = config.outputs.split("[OUTPUT]").slice(1);
            assert.equal(outputs.length, 2);
            for (const output of outputs) {
                assert.match(output, /Name opensearch\n/);
                assert.match(output, new RegExp(`Host vpc-${code}-obs-logs-abc\\.${region}\\.es\\.amazonaws\\.com\\n`));
                assert.match(output, /Port 443\n\s+tls On\n\s+tls.verify On\n\s+AWS_Auth On\n/);
                assert.match(output, new RegExp(`AWS_Region ${region}\\n`));
                assert.match(output, /Suppress_Type_Name On/);
            }
            assert.match(outputs[0], /Match kube\.\*\n[\s\S]*Logstash_Prefix kube\n/);
            assert.match(outputs[1], /Match host\.\*\n[\s\S]*Logstash_Prefix node\n/);
        }
    });
});

describe("alert rules and dashboard", () => {
    it("pins each threshold and duration", () => {
        assert.equal(rules.P99_LATENCY_SECONDS, 0.03);
        assert.equal(rules.P99_LATENCY_FOR, "5m");
        assert.equal(rules.ERROR_RATIO, 0.001);
        assert.equal(rules.NODE_CPU_RATIO, 0.7);
    });

    it("builds the dashboard's panels from the alert queries", () => {
        const dashboard = apiDashboard("api", "us-east-1");
        assert.deepEqual(
            dashboard.panels.map((p) => p.title),
            ["Latency p50 / p95 / p99", "Error rate (5xx ratio)", "Requests per second", "Pods running", "HPA replicas", "CPU (cores)"],
        );
        assert.deepEqual(
            dashboard.panels[0].targets.map((t) => t.expr),
            [0.5, 0.95, 0.99].map((q) => rules.latencyQuantile("api", q)),
        );
        assert.equal(dashboard.panels[1].targets[0].expr, rules.errorRatio("api"));
        assert.equal(dashboard.uid, "api-us-east-1");
    });

    it("deletes log indices after the retention (ISM)", () => {
        const p = ismPolicy(14).policy as {
            states: { name: string; transitions: { conditions: { min_index_age: string } }[]; actions: unknown[] }[];
            ism_template: { index_patterns: string[] }[];
        };
        assert.equal(ISM_POLICY_ID, "platform-log-retention");
        assert.equal(p.states[0].transitions[0].conditions.min_index_age, "14d");
        assert.deepEqual(p.states[1].actions, [{ delete: {} }]);
        assert.deepEqual(p.ism_template[0].index_patterns, ["kube-*", "node-*"]);
    });

    it("documents exactly the ISM policy the code builds for the default retention", () => {
        const doc = readFileSync(path.join(projectRoot(), "docs", "observability.md"), "utf8");
        const block = /<!-- ism-policy:begin -->\n```json\n([\s\S]*?)\n```\n<!-- ism-policy:end -->/.exec(doc);
        assert.ok(block, "docs/observability.md has the ISM policy block");
        assert.deepEqual(JSON.parse(block[1]), ismPolicy(OBSERVABILITY_DEFAULTS.opensearch.indexRetentionDays));
    });
});

describe("Monitoring", () => {
    const build = (webhook?: string) =>
        evaluateComponent(
            (opts) =>
                new Monitoring(
                    "use1-obs-metrics",
                    {
                        region: "us-east-1",
                        clusterName: "use1-eks",
                        k8sProvider: k8sProvider(),
                        topicArn: `arn:aws:sns:us-east-1:${ACCOUNT_ID}:use1-obs-alerts`,
                        topicKeyArn: `arn:aws:kms:us-east-1:${ACCOUNT_ID}:key/1234`,
                        prometheus: { retentionDays: 15, volumeSizeGiB: 100 },
                        alertWebhookUrl: webhook,
                    },
                    opts,
                ),
        );
    let ev: Evaluation;
    let withWebhook: Evaluation;
    before(async () => {
        ev = await build();
        withWebhook = await build("https://hooks.example.com/secret-token");
    });

    const values = (e: Evaluation) => one(e, RELEASE, "use1-obs-metrics-release").inputs.values as Record<string, any>;

    it("installs the pinned kube-prometheus-stack chart", () => {
        const release = one(ev, RELEASE, "use1-obs-metrics-release");
        assert.deepEqual(KUBE_PROMETHEUS_STACK_CHART, {
            chart: "kube-prometheus-stack",
            version: "88.5.3",
            repo: "https://prometheus-community.github.io/helm-charts",
        });
        assert.equal(release.inputs.chart, "kube-prometheus-stack");
        assert.equal(release.inputs.version, "88.5.3");
        assert.deepEqual(release.inputs.repositoryOpts, { repo: "https://prometheus-community.github.io/helm-charts" });
        assert.equal(release.inputs.namespace, "monitoring");
        assert.equal(release.inputs.name, "kps");
    });

    it("keeps Prometheus data for the retention on gp3 volumes, and selects every rule", () => {
        const spec = values(ev).prometheus.prometheusSpec;
        assert.equal(spec.retention, "15d");
        assert.equal(spec.retentionSize, "85GB");
        assert.equal(spec.replicas, 2);
        assert.deepEqual(spec.storageSpec, {
            volumeClaimTemplate: {
                spec: { storageClassName: "monitoring-gp3", accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "100Gi" } } },
            },
        });
        assert.equal(values(ev).alertmanager.alertmanagerSpec.storage.volumeClaimTemplate.spec.storageClassName, "monitoring-gp3");
        assert.equal(spec.ruleSelectorNilUsesHelmValues, false);
        assert.equal(spec.serviceMonitorSelectorNilUsesHelmValues, false);
    });

    it("declares an encrypted gp3 StorageClass on the EBS CSI driver, unless given one", async () => {
        const sc = one(ev, "kubernetes:storage.k8s.io/v1:StorageClass", "use1-obs-metrics-gp3");
        assert.equal((sc.inputs.metadata as { name: string }).name, "monitoring-gp3");
        assert.equal(sc.inputs.provisioner, "ebs.csi.aws.com");
        assert.deepEqual(sc.inputs.parameters, { type: "gp3", encrypted: "true", "csi.storage.k8s.io/fstype": "ext4" });
        assert.equal(sc.inputs.volumeBindingMode, "WaitForFirstConsumer");
        assert.ok(one(ev, RELEASE, "use1-obs-metrics-release").dependencies.includes(sc.urn));
        const given = await evaluateComponent(
            (opts) =>
                new Monitoring(
                    "use1-obs-metrics",
                    {
                        region: "us-east-1",
                        clusterName: "use1-eks",
                        k8sProvider: k8sProvider(),
                        topicArn: "arn:aws:sns:us-east-1:123456789012:t",
                        topicKeyArn: "arn:aws:kms:us-east-1:123456789012:key/1",
                        prometheus: { retentionDays: 7, volumeSizeGiB: 50 },
                        storageClassName: "gp3",
                    },
                    opts,
                ),
        );
        assert.deepEqual(ofType(given, "kubernetes:storage.k8s.io/v1:StorageClass"), []);
        const spec = (one(given, RELEASE, "use1-obs-metrics-release").inputs.values as Record<string, any>).prometheus.prometheusSpec;
        assert.deepEqual(
            [spec.retention, spec.retentionSize, spec.storageSpec.volumeClaimTemplate.spec.storageClassName],
            ["7d", "42GB", "gp3"],
        );
    });

    it("scrapes the API's Service with a ServiceMonitor in its namespace", () => {
        const monitor = one(ev, "kubernetes:monitoring.coreos.com/v1:ServiceMonitor", "use1-obs-metrics-api-monitor");
        assert.deepEqual(monitor.inputs.metadata, { name: "api", namespace: "api", labels: { release: "kps" } });
        assert.deepEqual(monitor.inputs.spec, {
            selector: { matchLabels: { "app.kubernetes.io/name": "api" } },
            namespaceSelector: { matchNames: ["api"] },
            endpoints: [{ port: "http", path: "/metrics", interval: "30s" }],
        });
        assert.ok(monitor.dependencies.includes(one(ev, RELEASE, "use1-obs-metrics-release").urn), "after the chart's CRDs");
    });

    it("reads Grafana's admin password from a Secret holding a random password, never from values", () => {
        const grafana = values(ev).grafana;
        assert.deepEqual(grafana.admin, { existingSecret: "grafana-admin", userKey: "admin-user", passwordKey: "admin-password" });
        assert.equal(grafana.adminPassword, undefined);
        const secret = one(ev, "kubernetes:core/v1:Secret", "use1-obs-metrics-grafana-admin");
        assert.equal((secret.inputs.metadata as { name: string }).name, "grafana-admin");
        assert.equal(secret.inputs.stringData, "[secret]");
        const raw = secret.rawInputs.stringData as Record<string, string>;
        assert.equal(raw["admin-user"], "admin");
        assert.equal(raw["admin-password"].length, 32);
        assert.ok(
            !JSON.stringify(one(ev, RELEASE, "use1-obs-metrics-release").rawInputs).includes(raw["admin-password"]),
            "the password is not in the release",
        );
        const password = one(ev, "random:index/randomPassword:RandomPassword", "use1-obs-metrics-grafana-admin");
        assert.equal(password.inputs.length, 32);
        assert.ok(one(ev, RELEASE, "use1-obs-metrics-release").dependencies.includes(secret.urn));
    });

    it("routes alerts to the region's SNS topic with SigV4, as a Pod Identity role", () => {
        const am = values(ev).alertmanager;
        assert.equal(am.config.route.receiver, "platform");
        const receiver = am.config.receivers.find((r: { name: string }) => r.name === "platform");
        assert.deepEqual(
            receiver.sns_configs.map((c: Record<string, unknown>) => ({ topic: c.topic_arn, sigv4: c.sigv4 })),
            [{ topic: `arn:aws:sns:us-east-1:${ACCOUNT_ID}:use1-obs-alerts`, sigv4: { region: "us-east-1" } }],
        );
        assert.equal(receiver.webhook_configs, undefined);
        assert.deepEqual(am.serviceAccount, { create: true, name: "alertmanager" });
        const association = one(ev, "aws:eks/podIdentityAssociation:PodIdentityAssociation", "use1-obs-metrics-alertmanager-pod-identity");
        assert.deepEqual(
            [association.inputs.namespace, association.inputs.serviceAccount, association.inputs.clusterName, association.inputs.region],
            ["monitoring", "alertmanager", "use1-eks", "us-east-1"],
        );
        assert.deepEqual(policy(one(ev, "aws:iam/rolePolicy:RolePolicy", "use1-obs-metrics-alertmanager-policy")).Statement, [
            { Effect: "Allow", Action: "sns:Publish", Resource: `arn:aws:sns:us-east-1:${ACCOUNT_ID}:use1-obs-alerts` },
            { Effect: "Allow", Action: ["kms:GenerateDataKey*", "kms:Decrypt"], Resource: `arn:aws:kms:us-east-1:${ACCOUNT_ID}:key/1234` },
        ]);
        assert.deepEqual(
            ofType(ev, "kubernetes:core/v1:Secret").map((s) => s.name),
            ["use1-obs-metrics-grafana-admin"],
            "no webhook secret without a webhook",
        );
    });

    it("adds the webhook from a Secret file, keeping the URL out of the values", () => {
        const am = values(withWebhook).alertmanager;
        const receiver = am.config.receivers.find((r: { name: string }) => r.name === "platform");
        assert.deepEqual(receiver.webhook_configs, [
            { url_file: "/etc/alertmanager/secrets/alertmanager-webhook/url", send_resolved: true },
        ]);
        assert.deepEqual(am.alertmanagerSpec.secrets, ["alertmanager-webhook"]);
        const secret = one(withWebhook, "kubernetes:core/v1:Secret", "use1-obs-metrics-webhook");
        assert.equal(secret.inputs.stringData, "[secret]");
        assert.deepEqual(secret.rawInputs.stringData, { url: "https://hooks.example.com/secret-token" });
        assert.ok(!JSON.stringify(one(withWebhook, RELEASE, "use1-obs-metrics-release").rawInputs).includes("secret-token"));
    });

    it("ships the API dashboard as a ConfigMap the Grafana sidecar loads", () => {
        const map = one(ev, "kubernetes:core/v1:ConfigMap", "use1-obs-metrics-api-dashboard");
        assert.deepEqual((map.inputs.metadata as { labels: unknown }).labels, { grafana_dashboard: "1" });
        assert.deepEqual(
            JSON.parse((map.inputs.data as Record<string, string>)["api.json"]),
            JSON.parse(JSON.stringify(apiDashboard("api", "us-east-1"))),
        );
        assert.deepEqual(values(ev).grafana.sidecar.dashboards, {
            enabled: true,
            label: "grafana_dashboard",
            labelValue: "1",
            searchNamespace: "ALL",
        });
    });

    describe("PrometheusRule", () => {
        let byName: Map<string, { expr: string; for: string; labels: Record<string, string> }>;
        let rule: RecordedResource;
        before(() => {
            rule = one(ev, "kubernetes:monitoring.coreos.com/v1:PrometheusRule", "use1-obs-metrics-api-rules");
            const groups = (
                rule.inputs.spec as { groups: { rules: { alert: string; expr: string; for: string; labels: Record<string, string> }[] }[] }
            ).groups;
            byName = new Map(groups.flatMap((g) => g.rules).map((r) => [r.alert, r]));
        });

        it("is a monitoring.coreos.com/v1 PrometheusRule installed after the chart's CRDs", () => {
            assert.equal(rule.inputs.apiVersion, "monitoring.coreos.com/v1");
            assert.equal(rule.inputs.kind, "PrometheusRule");
            assert.ok(rule.dependencies.includes(one(ev, RELEASE, "use1-obs-metrics-release").urn));
        });

        it("alerts when p99 latency exceeds 30 ms for 5 minutes", () => {
            const r = byName.get("ApiLatencyP99High")!;
            assert.match(
                r.expr,
                /^histogram_quantile\(0\.99, sum by \(le\) \(rate\(http_server_request_duration_seconds_bucket\{namespace="api"\}\[5m\]\)\)\) > 0\.03$/,
            );
            assert.equal(r.for, "5m");
            assert.deepEqual(r.labels, { severity: "critical", region: "us-east-1" });
        });

        it("alerts when more than 0.1% of requests fail for 5 minutes", () => {
            const r = byName.get("ApiErrorRateHigh")!;
            assert.match(r.expr, /http_response_status_code=~"5\.\."/);
            assert.match(r.expr, /\) > 0\.001$/);
            assert.equal(r.for, "5m");
        });

        it("alerts when the HPA sits at max replicas", () => {
            const r = byName.get("ApiHpaAtMaxReplicas")!;
            assert.equal(
                r.expr,
                'kube_horizontalpodautoscaler_status_current_replicas{namespace="api"} >= kube_horizontalpodautoscaler_spec_max_replicas{namespace="api"}',
            );
            assert.equal(r.for, "15m");
        });

        it("alerts on pod restarts", () => {
            const r = byName.get("ApiPodRestarting")!;
            assert.equal(r.expr, 'increase(kube_pod_container_status_restarts_total{namespace="api"}[15m]) > 3');
        });

        it("alerts when a node's CPU stays above 70%", () => {
            const r = byName.get("NodeCpuHigh")!;
            assert.equal(r.expr, '(1 - avg by (instance) (rate(node_cpu_seconds_total{mode="idle"}[5m]))) > 0.7');
            assert.equal(r.for, "15m");
        });

        it("has exactly these alerts", () => {
            assert.deepEqual([...byName.keys()].sort(), [
                "ApiErrorRateHigh",
                "ApiHpaAtMaxReplicas",
                "ApiLatencyP99High",
                "ApiPodRestarting",
                "NodeCpuHigh",
            ]);
            assert.deepEqual(apiAlertRules("api", "us-east-1").flatMap((g) => g.rules).length, 5);
        });
    });

    it("keeps the SNS subject within SNS's 100 characters for a long alert name", () => {
        const receiver = values(ev).alertmanager.config.receivers.find((r: { name: string }) => r.name === "platform");
        const subject = (receiver.sns_configs[0].subject as string)
            .replace("{{ .Status | toUpper }}", "RESOLVED")
            .replace("{{ .CommonLabels.alertname }}", "ApiHpaAtMaxReplicasForAVeryLongTime");
        assert.equal(subject, "[RESOLVED] ApiHpaAtMaxReplicasForAVeryLongTime (us-east-1)");
        assert.ok(subject.length <= 100);
    });
});

describe("AlertTopic", () => {
    it("encrypts the topic with a rotated, protected key that CloudWatch alarms may use", async () => {
        const ev = await evaluateComponent(
            (opts) => new AlertTopic("apse1-obs-alerts", { region: "ap-southeast-1", accountId: ACCOUNT_ID }, opts),
        );
        const key = one(ev, "aws:kms/key:Key", "apse1-obs-alerts-key");
        const topic = one(ev, "aws:sns/topic:Topic", "apse1-obs-alerts-topic");
        assert.equal(key.inputs.enableKeyRotation, true);
        assert.equal(key.protect, true);
        assert.match(
            topic.inputs.kmsMasterKeyId as string,
            /^arn:aws:kms:ap-southeast-1:123456789012:key\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
        );
        assert.ok(topic.dependencies.includes(key.urn), "the topic is encrypted with this key");
        assert.equal(topic.inputs.region, "ap-southeast-1");
        const cw = policy(key).Statement.find((s) => s.Sid === "CloudWatchAlarmsPublish")!;
        assert.deepEqual(cw.Principal, { Service: "cloudwatch.amazonaws.com" });
        assert.deepEqual(cw.Action, ["kms:Decrypt", "kms:GenerateDataKey*"]);
        assert.deepEqual(cw.Condition, { StringEquals: { "aws:SourceAccount": ACCOUNT_ID } });
    });
});

describe("CloudWatchAlarms", () => {
    const TOPIC = `arn:aws:sns:eu-central-1:${ACCOUNT_ID}:euc1-obs-alerts`;
    let ev: Evaluation;
    before(async () => {
        ev = await evaluateComponent(
            (opts) =>
                new CloudWatchAlarms(
                    "euc1-obs-alarms",
                    {
                        region: "eu-central-1",
                        accountId: ACCOUNT_ID,
                        topicArn: TOPIC,
                        aurora: { clusterIdentifier: "euc1-db-cluster", globalSecondary: true },
                        cache: { replicationGroupId: "euc1-cache", shards: 2, replicasPerShard: 1 },
                        opensearch: { domainName: "euc1-obs-logs", volumeSizeGiB: 100 },
                        alb: { arnSuffix: "app/euc1-api/50dc6c495c0c9188" },
                    },
                    opts,
                ),
        );
    });
    const alarm = (key: string) => one(ev, ALARM, `euc1-obs-alarms-${key}`).inputs;

    it("sends every alarm and its recovery to the region's topic, in the region", () => {
        const all = ofType(ev, ALARM);
        assert.equal(all.length, 5 + 2 * 2 * 4 + 4 + 3);
        for (const a of all) {
            assert.deepEqual(a.inputs.alarmActions, [TOPIC], a.name);
            assert.deepEqual(a.inputs.okActions, [TOPIC], a.name);
            assert.equal(a.inputs.region, "eu-central-1");
            assert.equal(a.inputs.name, a.name);
        }
    });

    it("watches Aurora by DBClusterIdentifier in AWS/RDS", () => {
        const expected: Record<string, [string, string, string, number]> = {
            "aurora-replica-lag": ["AuroraReplicaLagMaximum", "Maximum", "GreaterThanThreshold", alarms.AURORA_REPLICA_LAG_MS],
            "aurora-global-lag": ["AuroraGlobalDBReplicationLag", "Maximum", "GreaterThanThreshold", alarms.AURORA_GLOBAL_LAG_MS],
            "aurora-cpu": ["CPUUtilization", "Average", "GreaterThanThreshold", 70],
            "aurora-connections": ["DatabaseConnections", "Maximum", "GreaterThanThreshold", 1000],
            "aurora-freeable-memory": ["FreeableMemory", "Minimum", "LessThanThreshold", 1073741824],
        };
        for (const [key, [metric, statistic, op, threshold]] of Object.entries(expected)) {
            const a = alarm(key);
            assert.deepEqual(
                [a.namespace, a.metricName, a.statistic, a.comparisonOperator, a.threshold, a.period, a.evaluationPeriods],
                ["AWS/RDS", metric, statistic, op, threshold, 60, 5],
                key,
            );
            assert.deepEqual(a.dimensions, { DBClusterIdentifier: "euc1-db-cluster" });
        }
    });

    it("watches the global replication lag only on a secondary", async () => {
        const primary = await evaluateComponent(
            (opts) =>
                new CloudWatchAlarms(
                    "use1-obs-alarms",
                    {
                        region: "us-east-1",
                        accountId: ACCOUNT_ID,
                        topicArn: "arn:aws:sns:us-east-1:123456789012:t",
                        aurora: { clusterIdentifier: "use1-db-cluster", globalSecondary: false, maxConnections: 500 },
                    },
                    opts,
                ),
        );
        assert.deepEqual(
            ofType(primary, ALARM)
                .map((a) => a.name)
                .sort(),
            [
                "use1-obs-alarms-aurora-connections",
                "use1-obs-alarms-aurora-cpu",
                "use1-obs-alarms-aurora-freeable-memory",
                "use1-obs-alarms-aurora-replica-lag",
            ],
        );
        assert.equal(one(primary, ALARM, "use1-obs-alarms-aurora-connections").inputs.threshold, 500);
    });

    it("watches every ElastiCache node by CacheClusterId in AWS/ElastiCache", () => {
        const nodes = ["0001-001", "0001-002", "0002-001", "0002-002"];
        for (const node of nodes) {
            const expected: Record<string, [string, string, number]> = {
                "engine-cpu": ["EngineCPUUtilization", "Average", 80],
                memory: ["DatabaseMemoryUsagePercentage", "Maximum", 80],
                evictions: ["Evictions", "Sum", 0],
                "replication-lag": ["ReplicationLag", "Maximum", 1],
            };
            for (const [suffix, [metric, statistic, threshold]] of Object.entries(expected)) {
                const a = alarm(`cache-${node}-${suffix}`);
                assert.deepEqual(
                    [a.namespace, a.metricName, a.statistic, a.threshold, a.comparisonOperator],
                    ["AWS/ElastiCache", metric, statistic, threshold, "GreaterThanThreshold"],
                );
                assert.deepEqual(a.dimensions, { CacheClusterId: `euc1-cache-${node}` });
            }
        }
        assert.equal(alarm("cache-0001-002-replication-lag").treatMissingData, "notBreaching");
    });

    it("names cluster-mode nodes as ElastiCache does", async () => {
        assert.deepEqual(
            cacheNodeIds("g", 3, 2).map((n) => n.suffix),
            ["0001-001", "0001-002", "0001-003", "0002-001", "0002-002", "0002-003", "0003-001", "0003-002", "0003-003"],
        );
    });

    it("watches the log domain in AWS/ES by DomainName and ClientId (the account)", () => {
        const expected: Record<string, [string, string, string, number, number, number]> = {
            "opensearch-red": ["ClusterStatus.red", "Maximum", "GreaterThanOrEqualToThreshold", 1, 60, 1],
            "opensearch-yellow": ["ClusterStatus.yellow", "Maximum", "GreaterThanOrEqualToThreshold", 1, 60, 5],
            "opensearch-free-storage": ["FreeStorageSpace", "Minimum", "LessThanOrEqualToThreshold", 25600, 60, 1],
            "opensearch-jvm-pressure": ["JVMMemoryPressure", "Maximum", "GreaterThanOrEqualToThreshold", 80, 300, 3],
        };
        for (const [key, [metric, statistic, op, threshold, period, periods]] of Object.entries(expected)) {
            const a = alarm(key);
            assert.deepEqual(
                [a.namespace, a.metricName, a.statistic, a.comparisonOperator, a.threshold, a.period, a.evaluationPeriods],
                ["AWS/ES", metric, statistic, op, threshold, period, periods],
                key,
            );
            assert.deepEqual(a.dimensions, { DomainName: "euc1-obs-logs", ClientId: ACCOUNT_ID });
        }
    });

    it("watches the ALB by its ARN suffix in AWS/ApplicationELB, p99 at 30 ms", () => {
        for (const key of ["alb-elb-5xx", "alb-target-5xx", "alb-p99-latency"]) {
            assert.equal(alarm(key).namespace, "AWS/ApplicationELB");
            assert.deepEqual(alarm(key).dimensions, { LoadBalancer: "app/euc1-api/50dc6c495c0c9188" });
        }
        assert.deepEqual(
            [alarm("alb-elb-5xx").metricName, alarm("alb-elb-5xx").statistic, alarm("alb-elb-5xx").threshold],
            ["HTTPCode_ELB_5XX_Count", "Sum", 10],
        );
        assert.deepEqual([alarm("alb-target-5xx").metricName, alarm("alb-target-5xx").threshold], ["HTTPCode_Target_5XX_Count", 10]);
        const latency = alarm("alb-p99-latency");
        assert.deepEqual(
            [latency.metricName, latency.extendedStatistic, latency.statistic, latency.threshold, latency.evaluationPeriods],
            ["TargetResponseTime", "p99", undefined, 0.03, 5],
        );
    });
});

describe("account id under the mocks", () => {
    it("answers getCallerIdentity with the plan's account", async () => {
        const ev = await evaluateComponent(() => ({ accountId: aws.getCallerIdentityOutput().accountId }));
        assert.equal(ev.outputs.accountId, ACCOUNT_ID);
    });
});

describe("Observability", () => {
    let ev: Evaluation;
    before(async () => {
        ev = await evaluateComponent((opts) =>
            exportsOf(
                new Observability(
                    "apse1-obs",
                    {
                        region: "ap-southeast-1",
                        accountId: ACCOUNT_ID,
                        vpcId: "vpc-0123",
                        vpcCidr: "10.31.0.0/16",
                        privateSubnetIds: SUBNETS,
                        clusterName: "apse1-eks",
                        k8sProvider: k8sProvider(),
                        ...OBSERVABILITY_DEFAULTS,
                        alb: { arnSuffix: "app/apse1-api/1" },
                    },
                    opts,
                ),
            ),
        );
    });
    const exportsOf = (o: Observability) => ({
        grafanaAdminPassword: o.grafanaAdminPassword,
        topicArn: o.topicArn,
        logShipperRoleArn: o.logShipperRoleArn,
    });

    it("exports the Grafana password only as a secret", () => {
        assert.equal(ev.outputs.grafanaAdminPassword, "[secret]");
        assert.match(ev.outputs.topicArn as string, /^arn:aws:sns:ap-southeast-1:123456789012:apse1-obs-alerts-topic-/);
        assert.match(ev.outputs.logShipperRoleArn as string, /^arn:aws:iam::123456789012:role\/apse1-obs-fluent-bit-role-/);
    });

    it("composes the tiers with unique URNs, all in the cell's region", () => {
        assertUniqueUrns(ev.resources);
        assert.deepEqual(
            ev.resources
                .filter(isRegionalAws)
                .filter((r) => r.inputs.region !== "ap-southeast-1")
                .map((r) => r.name),
            [],
        );
        assert.equal(one(ev, OPENSEARCH_DOMAIN, "apse1-obs-logs-domain").inputs.domainName, "apse1-obs-logs");
        assert.equal(ofType(ev, RELEASE).length, 2);
    });

    it("wires the domain's endpoint into Fluent Bit and its ARN into the shipper's policy", () => {
        const outputs = (one(ev, RELEASE, "apse1-obs-fluent-bit-release").inputs.values as { config: { outputs: string } }).config.outputs;
        assert.match(outputs, /Host vpc-apse1-obs-logs-[0-9a-f]{26}\.ap-southeast-1\.es\.amazonaws\.com\n/);
        assert.equal(
            policy(one(ev, "aws:iam/rolePolicy:RolePolicy", "apse1-obs-fluent-bit-policy")).Statement[0].Resource,
            `arn:aws:es:ap-southeast-1:${ACCOUNT_ID}:domain/apse1-obs-logs/*`,
        );
    });

    it("alarms on the domain and on the given ALB into the cell's topic", () => {
        const topic = `arn:aws:sns:ap-southeast-1:${ACCOUNT_ID}:`;
        const names = ofType(ev, ALARM)
            .map((a) => a.name)
            .sort();
        assert.deepEqual(
            names,
            [
                "alb-elb-5xx",
                "alb-p99-latency",
                "alb-target-5xx",
                "opensearch-free-storage",
                "opensearch-jvm-pressure",
                "opensearch-red",
                "opensearch-yellow",
            ].map((k) => `apse1-obs-alarms-${k}`),
        );
        assert.ok(ofType(ev, ALARM).every((a) => (a.inputs.alarmActions as string[])[0].startsWith(topic)));
        assert.deepEqual(one(ev, ALARM, "apse1-obs-alarms-opensearch-red").inputs.dimensions, {
            DomainName: "apse1-obs-logs",
            ClientId: ACCOUNT_ID,
        });
    });

    it("routes Alertmanager to the cell's own topic", () => {
        const values = one(ev, RELEASE, "apse1-obs-metrics-release").inputs.values as {
            alertmanager: { config: { receivers: { name: string; sns_configs?: { topic_arn: string }[] }[] } };
        };
        const topic = one(ev, "aws:sns/topic:Topic", "apse1-obs-alerts-topic");
        assert.match(
            values.alertmanager.config.receivers[1].sns_configs![0].topic_arn,
            /^arn:aws:sns:ap-southeast-1:123456789012:apse1-obs-alerts-topic-/,
        );
        assert.equal(topic.inputs.region, "ap-southeast-1");
    });
});
