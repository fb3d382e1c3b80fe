import * as assert from "node:assert/strict";
import { Observability } from "../../../components/observability/observability";
import { OBSERVABILITY_DEFAULTS } from "../../../config/observability";
import { ACCOUNT_ID } from "../../../plan/mocks";
import { type Evaluation } from "../../../plan/runtime";
import { assertUniqueUrns, evaluateComponent, isRegionalAws, k8sProvider, ofType, one, policyOf, RELEASE } from "../../support/harness";

const OPENSEARCH_DOMAIN = "aws:opensearch/domain:Domain";
const ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";
const SUBNETS = ["subnet-0a", "subnet-0b", "subnet-0c"];

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
                        endpointSecurityGroupId: "sg-0endpoints",
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
        // prometheus-operator-crds, kube-prometheus-stack, fluent-bit.
        assert.deepEqual(
            ofType(ev, RELEASE)
                .map((r) => r.name)
                .sort(),
            ["apse1-obs-fluent-bit-release", "apse1-obs-metrics-crds", "apse1-obs-metrics-release"],
        );
    });

    it("wires the domain's endpoint into Fluent Bit and its ARN into the shipper's policy", () => {
        const outputs = (one(ev, RELEASE, "apse1-obs-fluent-bit-release").inputs.values as { config: { outputs: string } }).config.outputs;
        assert.match(outputs, /Host vpc-apse1-obs-logs-[0-9a-f]{26}\.ap-southeast-1\.es\.amazonaws\.com\n/);
        assert.equal(
            policyOf(one(ev, "aws:iam/rolePolicy:RolePolicy", "apse1-obs-fluent-bit-policy")).Statement[0].Resource,
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
                "alertmanager-delivery-failed",
                "alertmanager-heartbeat-missing",
                "alerts-delivery-failed",
                "alerts-ticket-delivery-failed",
                "opensearch-cpu",
                "opensearch-free-storage",
                "opensearch-jvm-pressure",
                "opensearch-kms-key-error",
                "opensearch-kms-key-inaccessible",
                "opensearch-nodes",
                "opensearch-red",
                "opensearch-snapshot-failure",
                "opensearch-writes-blocked",
                "opensearch-yellow",
            ].map((k) => `apse1-obs-alarms-${k}`),
        );
        // The alert path's own alarm watches the topic by its name.
        assert.match(
            String((one(ev, ALARM, "apse1-obs-alarms-alerts-delivery-failed").inputs.dimensions as Record<string, string>).TopicName),
            /^apse1-obs-alerts-topic-[0-9a-f]{7}$/,
        );
        assert.deepEqual(
            [
                one(ev, ALARM, "apse1-obs-alarms-opensearch-writes-blocked").inputs.metricName,
                one(ev, ALARM, "apse1-obs-alarms-opensearch-nodes").inputs.threshold,
            ],
            ["ClusterIndexWritesBlocked", 6],
        );
        assert.ok(ofType(ev, ALARM).every((a) => (a.inputs.alarmActions as string[])[0].startsWith(topic)));
        // The dead man's switch: Alertmanager's topic silent for 15 minutes (no heartbeat) pages; silence is breaching.
        const heartbeat = one(ev, ALARM, "apse1-obs-alarms-alertmanager-heartbeat-missing").inputs;
        assert.deepEqual(
            [
                heartbeat.namespace,
                heartbeat.metricName,
                heartbeat.comparisonOperator,
                heartbeat.threshold,
                heartbeat.period,
                heartbeat.evaluationPeriods,
                heartbeat.treatMissingData,
            ],
            ["AWS/SNS", "NumberOfMessagesPublished", "LessThanThreshold", 1, 300, 3, "breaching"],
        );
        assert.match(String((heartbeat.dimensions as Record<string, string>).TopicName), /^apse1-obs-alerts-alertmanager-[0-9a-f]{7}$/);
        assert.deepEqual(one(ev, ALARM, "apse1-obs-alarms-opensearch-red").inputs.dimensions, {
            DomainName: "apse1-obs-logs",
            ClientId: ACCOUNT_ID,
        });
    });

    it("routes Alertmanager to the cell's own Alertmanager topic, CloudWatch alarms to the other", () => {
        const values = one(ev, RELEASE, "apse1-obs-metrics-release").inputs.values as {
            alertmanager: { config: { receivers: { name: string; sns_configs?: { topic_arn: string }[] }[] } };
        };
        const topic = one(ev, "aws:sns/topic:Topic", "apse1-obs-alerts-alertmanager");
        assert.match(
            values.alertmanager.config.receivers[1].sns_configs![0].topic_arn,
            /^arn:aws:sns:ap-southeast-1:123456789012:apse1-obs-alerts-alertmanager-/,
        );
        assert.equal(topic.inputs.region, "ap-southeast-1");
        assert.equal(
            policyOf(one(ev, "aws:iam/rolePolicy:RolePolicy", "apse1-obs-metrics-alertmanager-policy")).Statement[0].Resource,
            values.alertmanager.config.receivers[1].sns_configs![0].topic_arn,
        );
        // CloudWatch alarms publish to the alarm topic of their severity (tag `severity`), never Alertmanager's.
        for (const a of ofType(ev, ALARM)) {
            const topic = (a.inputs.tags as { severity: string }).severity === "page" ? "topic" : "tickets";
            assert.match((a.inputs.alarmActions as string[])[0], new RegExp(`:apse1-obs-alerts-${topic}-`), a.name);
        }
        assert.match(
            String(
                (one(ev, ALARM, "apse1-obs-alarms-alerts-ticket-delivery-failed").inputs.dimensions as Record<string, string>).TopicName,
            ),
            /^apse1-obs-alerts-tickets-[0-9a-f]{7}$/,
        );
    });

    it("installs Fluent Bit after kube-prometheus-stack, so the chart's ServiceMonitor finds its CRD", () => {
        const shipper = one(ev, RELEASE, "apse1-obs-fluent-bit-release");
        assert.ok(shipper.dependencies.includes(one(ev, RELEASE, "apse1-obs-metrics-release").urn));
        assert.deepEqual((shipper.inputs.values as { serviceMonitor: unknown }).serviceMonitor, { enabled: true, interval: "30s" });
    });
});
