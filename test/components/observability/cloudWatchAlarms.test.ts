import * as assert from "node:assert/strict";
import { CloudWatchAlarms, cacheNodeIds } from "../../../components/observability/cloudWatchAlarms";
import * as alarms from "../../../components/observability/cloudWatchAlarms";
import { ACCOUNT_ID } from "../../../plan/mocks";
import { type Evaluation, type RecordedResource } from "../../../plan/runtime";
import { ofType, one, evaluateOf, planOf, prodStack } from "../../support/harness";

const ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";

describe("CloudWatchAlarms", () => {
    const TOPICS = {
        page: `arn:aws:sns:eu-central-1:${ACCOUNT_ID}:euc1-obs-alerts-topic`,
        ticket: `arn:aws:sns:eu-central-1:${ACCOUNT_ID}:euc1-obs-alerts-tickets`,
    };
    let ev: Evaluation;
    before(async () => {
        ev = await evaluateOf(CloudWatchAlarms, "euc1-obs-alarms", {
            region: "eu-central-1",
            accountId: ACCOUNT_ID,
            topicArns: TOPICS,
            aurora: { clusterIdentifier: "euc1-db-cluster", globalSecondary: true, instanceClass: "db.r7g.large" },
            cache: { replicationGroupId: "euc1-cache", shards: 2, replicasPerShard: 1 },
            opensearch: { domainName: "euc1-obs-logs", volumeSizeGiB: 100 },
            alb: { arnSuffix: "app/euc1-api/50dc6c495c0c9188", targetGroupArnSuffix: "targetgroup/euc1-api/73e2d6bc24d8a067" },
            proxy: { proxyName: "euc1-data-proxy", targetGroupName: "default", writer: false },
            alertTopic: {
                topicName: "euc1-obs-alerts-topic",
                ticketTopicName: "euc1-obs-alerts-tickets",
                alertmanagerTopicName: "euc1-obs-am",
            },
        });
    });
    const alarm = (key: string) => one(ev, ALARM, `euc1-obs-alarms-${key}`).inputs;

    /** Every alarm's severity: page when users are failing or data is at risk, ticket for capacity and one degraded part. */
    const SEVERITY: Record<string, "page" | "ticket"> = {
        "aurora-replica-lag": "ticket",
        "aurora-cpu": "ticket",
        "aurora-connections": "page",
        "aurora-freeable-memory": "ticket",
        "aurora-rpo-lag": "page",
        "aurora-global-lag": "ticket",
        "aurora-global-lag-no-data": "ticket",
        "proxy-reader-availability": "page",
        "proxy-borrow-latency": "page",
        ...Object.fromEntries(
            ["0001-001", "0001-002", "0002-001", "0002-002"].flatMap((n) => [
                [`cache-${n}-engine-cpu`, "ticket"],
                [`cache-${n}-memory`, "ticket"],
                [`cache-${n}-evictions`, "page"],
                [`cache-${n}-replication-lag`, "ticket"],
            ]),
        ),
        "opensearch-red": "page",
        "opensearch-yellow": "ticket",
        "opensearch-free-storage": "ticket",
        "opensearch-jvm-pressure": "ticket",
        "opensearch-writes-blocked": "page",
        "opensearch-snapshot-failure": "ticket",
        "opensearch-nodes": "ticket",
        "opensearch-cpu": "ticket",
        "opensearch-kms-key-error": "page",
        "opensearch-kms-key-inaccessible": "page",
        "alb-elb-5xx": "page",
        "alb-target-5xx": "page",
        "alb-p99-latency": "ticket",
        "alb-unhealthy-hosts": "ticket",
        "alb-no-healthy-hosts": "page",
        "alerts-delivery-failed": "page",
        "alerts-ticket-delivery-failed": "ticket",
        "alertmanager-delivery-failed": "page",
        // The dead man's switch stays a page.
        "alertmanager-heartbeat-missing": "page",
    };

    it("gives every alarm a severity and sends its ALARM, OK and INSUFFICIENT_DATA to that severity's topic only, in the region", () => {
        const all = ofType(ev, ALARM);
        // Aurora 7 on a secondary (with the RPO lag alarm and the global lag's no-data ticket), cache 4 per node (2 shards × 2 nodes),
        // OpenSearch 4 + AWS's other 6 recommended, ALB 3 + 2 host counts, RDS Proxy 2 on a secondary (reader availability,
        // borrow latency), SNS 3 + the heartbeat.
        assert.equal(all.length, 7 + 2 * 2 * 4 + 4 + 6 + 3 + 2 + 2 + 4);
        assert.deepEqual(all.map((a) => a.name.replace("euc1-obs-alarms-", "")).sort(), Object.keys(SEVERITY).sort());
        for (const a of all) {
            const severity = SEVERITY[a.name.replace("euc1-obs-alarms-", "")];
            const topic = [TOPICS[severity]];
            assert.deepEqual([a.inputs.alarmActions, a.inputs.okActions, a.inputs.insufficientDataActions], [topic, topic, topic], a.name);
            assert.deepEqual(a.inputs.tags, { severity }, a.name);
            assert.match(a.inputs.alarmDescription as string, new RegExp(`^\\[${severity}\\] .* \\(eu-central-1\\)$`), a.name);
            assert.equal(a.inputs.region, "eu-central-1");
            assert.equal(a.inputs.name, a.name);
        }
    });

    it("watches Aurora by DBClusterIdentifier in AWS/RDS", () => {
        const expected: Record<string, [string, string, string, number]> = {
            "aurora-replica-lag": ["AuroraReplicaLagMaximum", "Maximum", "GreaterThanThreshold", alarms.AURORA_REPLICA_LAG_MS],
            "aurora-cpu": ["CPUUtilization", "Average", "GreaterThanThreshold", 70],
            // 90 % (proxy 65 + write forwarding 25) of a db.r7g.large's 1600 (regions/auroraClasses.ts).
            "aurora-connections": ["DatabaseConnections", "Maximum", "GreaterThanThreshold", 1440],
            "aurora-freeable-memory": ["FreeableMemory", "Minimum", "LessThanThreshold", 1073741824],
        };
        for (const [key, [metric, statistic, op, threshold]] of Object.entries(expected)) {
            const a = alarm(key);
            assert.deepEqual(
                [a.namespace, a.metricName, a.statistic, a.comparisonOperator, a.threshold, a.period, a.evaluationPeriods],
                ["AWS/RDS", metric, statistic, op, threshold, 60, 5],
                key,
            );
            // CPU by role: a secondary's readers (the writer's on the primary), not the cluster's average.
            assert.deepEqual(
                a.dimensions,
                key === "aurora-cpu"
                    ? { DBClusterIdentifier: "euc1-db-cluster", Role: "READER" }
                    : { DBClusterIdentifier: "euc1-db-cluster" },
            );
        }
    });

    it("reads the global database's lag through a Metrics Insights query on the cluster, whatever dimension set AWS publishes", () => {
        const lag = alarm("aurora-global-lag");
        assert.deepEqual(lag.metricQueries, [
            {
                id: "q1",
                expression: `SELECT MAX(AuroraGlobalDBReplicationLag) FROM "AWS/RDS" WHERE DBClusterIdentifier = 'euc1-db-cluster'`,
                period: 60,
                returnData: true,
            },
        ]);
        // A query alarm names no metric of its own (PutMetricAlarm takes Metrics or MetricName, not both).
        assert.deepEqual(
            [lag.namespace, lag.metricName, lag.dimensions, lag.statistic, lag.period],
            [undefined, undefined, undefined, undefined, undefined],
        );
        assert.deepEqual(
            [lag.threshold, lag.comparisonOperator, lag.evaluationPeriods],
            [alarms.AURORA_GLOBAL_LAG_MS, "GreaterThanThreshold", 5],
        );
        assert.equal(
            (alarm("aurora-rpo-lag").metricQueries as { expression: string }[])[0].expression,
            `SELECT MAX(AuroraGlobalDBRPOLag) FROM "AWS/RDS" WHERE DBClusterIdentifier = 'euc1-db-cluster'`,
        );
        // A blind query is not silent: the secondary's no-data ticket breaches on missing data only.
        const blind = alarm("aurora-global-lag-no-data");
        assert.equal(
            (blind.metricQueries as { expression: string }[])[0].expression,
            `SELECT MAX(AuroraGlobalDBRPOLag) FROM "AWS/RDS" WHERE DBClusterIdentifier = 'euc1-db-cluster'`,
        );
        assert.deepEqual(
            [blind.comparisonOperator, blind.threshold, blind.treatMissingData, blind.evaluationPeriods],
            ["LessThanThreshold", 0, "breaching", alarms.GLOBAL_LAG_NO_DATA_PERIODS],
        );
    });

    it("sets the connections alarm at 90 % of the instance class's max_connections", async () => {
        const threshold = async (instanceClass: string) => {
            const e = await evaluateOf(CloudWatchAlarms, "use1-obs-alarms", {
                region: "us-east-1",
                accountId: ACCOUNT_ID,
                topicArns: { page: "arn:aws:sns:us-east-1:123456789012:p", ticket: "arn:aws:sns:us-east-1:123456789012:t" },
                aurora: { clusterIdentifier: "use1-db-cluster", globalSecondary: false, instanceClass },
            });
            return one(e, ALARM, "use1-obs-alarms-aurora-connections").inputs.threshold as number;
        };
        // AWS's published defaults: 1722 (db.r6g.large), 3300 (db.r5.xlarge); the 5000 cap from 2xlarge.
        assert.deepEqual(
            [await threshold("db.r6g.large"), await threshold("db.r5.xlarge"), await threshold("db.r7g.4xlarge")],
            [1549, 2970, 4500],
        );
        // Above the proxy's real share (65 % of 1600 = 1040), which the old fixed 1000 was below.
        assert.ok((await threshold("db.r7g.large")) > 0.65 * 1600);
        assert.equal(alarms.auroraConnectionsThreshold("db.r7g.large"), 1440);
        assert.throws(() => alarms.auroraConnectionsThreshold("db.r8g.large"), /not in AURORA_CLASSES/);
    });

    it("watches the global replication lag only on a secondary", async () => {
        const primary = await evaluateOf(CloudWatchAlarms, "use1-obs-alarms", {
            region: "us-east-1",
            accountId: ACCOUNT_ID,
            topicArns: { page: "arn:aws:sns:us-east-1:123456789012:p", ticket: "arn:aws:sns:us-east-1:123456789012:t" },
            aurora: { clusterIdentifier: "use1-db-cluster", globalSecondary: false, instanceClass: "db.r6g.large" },
        });
        assert.deepEqual(
            ofType(primary, ALARM)
                .map((a) => a.name)
                .sort(),
            [
                "use1-obs-alarms-aurora-connections",
                "use1-obs-alarms-aurora-cpu",
                "use1-obs-alarms-aurora-freeable-memory",
                "use1-obs-alarms-aurora-replica-lag",
                "use1-obs-alarms-aurora-rpo-lag",
            ],
        );
        assert.equal(one(primary, ALARM, "use1-obs-alarms-aurora-connections").inputs.threshold, 1549);
        assert.deepEqual(one(primary, ALARM, "use1-obs-alarms-aurora-cpu").inputs.dimensions, {
            DBClusterIdentifier: "use1-db-cluster",
            Role: "WRITER",
        });
        // The RPO alarm stays on the primary (roles flip without a redeploy), quiet while it publishes nothing.
        const rpo = one(primary, ALARM, "use1-obs-alarms-aurora-rpo-lag");
        assert.deepEqual(
            [
                (rpo.inputs.metricQueries as { expression: string; period: number }[])[0],
                rpo.inputs.threshold,
                rpo.inputs.evaluationPeriods,
                rpo.inputs.treatMissingData,
            ],
            [
                {
                    id: "q1",
                    expression: `SELECT MAX(AuroraGlobalDBRPOLag) FROM "AWS/RDS" WHERE DBClusterIdentifier = 'use1-db-cluster'`,
                    period: 60,
                    returnData: true,
                },
                10000,
                2,
                "notBreaching",
            ],
        );
        assert.ok(10000 < 30 * 1000, "fires before rds.global_db_rpo blocks commits");
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

    it("watches the API target group's hosts by TargetGroup + LoadBalancer: one unhealthy for 5 min, none healthy for 2 min", () => {
        const dims = { TargetGroup: "targetgroup/euc1-api/73e2d6bc24d8a067", LoadBalancer: "app/euc1-api/50dc6c495c0c9188" };
        const pick = (a: Record<string, unknown>) => [
            a.namespace,
            a.metricName,
            a.statistic,
            a.comparisonOperator,
            a.threshold,
            a.period,
            a.evaluationPeriods,
            a.datapointsToAlarm,
            a.treatMissingData,
        ];
        assert.deepEqual(pick(alarm("alb-unhealthy-hosts")), [
            "AWS/ApplicationELB",
            "UnHealthyHostCount",
            "Maximum",
            "GreaterThanOrEqualToThreshold",
            1,
            60,
            5,
            5,
            "notBreaching",
        ]);
        assert.deepEqual(pick(alarm("alb-no-healthy-hosts")), [
            "AWS/ApplicationELB",
            "HealthyHostCount",
            "Minimum",
            "LessThanThreshold",
            1,
            60,
            2,
            2,
            "notBreaching",
        ]);
        for (const key of ["alb-unhealthy-hosts", "alb-no-healthy-hosts"]) assert.deepEqual(alarm(key).dimensions, dims);
    });

    it("watches the RDS Proxy: reader availability (dimension set 4) and borrow latency (set 1); the writer role only where the writer is", async () => {
        const reader = alarm("proxy-reader-availability");
        assert.deepEqual(
            [reader.namespace, reader.metricName, reader.statistic, reader.comparisonOperator, reader.threshold, reader.evaluationPeriods],
            ["AWS/RDS", "AvailabilityPercentage", "Average", "LessThanThreshold", 95, 3],
        );
        assert.deepEqual(reader.dimensions, { ProxyName: "euc1-data-proxy", TargetGroup: "default", TargetRole: "READ_ONLY" });
        const borrow = alarm("proxy-borrow-latency");
        assert.deepEqual(
            [borrow.namespace, borrow.metricName, borrow.statistic, borrow.threshold, borrow.evaluationPeriods, borrow.treatMissingData],
            ["AWS/RDS", "DatabaseConnectionsBorrowLatency", "Average", 10000, 5, "notBreaching"],
        );
        assert.deepEqual(borrow.dimensions, { ProxyName: "euc1-data-proxy" });
        // A secondary has no writer behind the proxy: no READ_WRITE alarm there.
        assert.equal(
            ofType(ev, ALARM).some((a) => a.name.endsWith("proxy-writer-availability")),
            false,
        );
        const primary = await evaluateOf(CloudWatchAlarms, "use1-obs-alarms", {
            region: "us-east-1",
            accountId: ACCOUNT_ID,
            topicArns: { page: "arn:aws:sns:us-east-1:123456789012:p", ticket: "arn:aws:sns:us-east-1:123456789012:t" },
            proxy: { proxyName: "use1-data-proxy", targetGroupName: "default", writer: true },
        });
        assert.deepEqual(one(primary, ALARM, "use1-obs-alarms-proxy-writer-availability").inputs.dimensions, {
            ProxyName: "use1-data-proxy",
            TargetGroup: "default",
            TargetRole: "READ_WRITE",
        });
    });

    describe("in the prod plan", () => {
        let resources: readonly RecordedResource[];
        before(async () => {
            resources = (await planOf(prodStack())).evaluation.resources;
        });
        const find = (type: string, name: string) => {
            const found = resources.find((r) => r.type === type && r.name === name);
            assert.ok(found, `${type} ${name}`);
            return found;
        };

        for (const [code, region, primary] of [
            ["use1", "us-east-1", true],
            ["euc1", "eu-central-1", false],
            ["apse1", "ap-southeast-1", false],
        ] as const) {
            it(`${code}: the new ALB and RDS Proxy alarms watch that cell's target group, load balancer and proxy, into its severity's topic`, () => {
                const alarmOf = (key: string) => find(ALARM, `${code}-obs-alarms-${key}`).inputs;
                // The cell's own ALB (as its 5xx alarm watches it), its proxy (as its read-only endpoint names it), its alarms' topic.
                const lb = (alarmOf("alb-elb-5xx").dimensions as Record<string, string>).LoadBalancer;
                assert.match(lb, new RegExp(`^app/${code}-ingress-alb-[0-9a-f]{7}/[0-9a-f]{16}$`));
                const proxy = find("aws:rds/proxyEndpoint:ProxyEndpoint", `${code}-data-proxy-ro`).inputs.dbProxyName as string;
                const [topic] = alarmOf("alb-elb-5xx").alarmActions as string[];
                assert.match(topic, new RegExp(`^arn:aws:sns:${region}:${ACCOUNT_ID}:${code}-obs-alerts-topic-`));
                const [tickets] = alarmOf("alb-unhealthy-hosts").alarmActions as string[];
                assert.match(tickets, new RegExp(`^arn:aws:sns:${region}:${ACCOUNT_ID}:${code}-obs-alerts-tickets-`));
                const topicOf = (key: string) => (key === "alb-unhealthy-hosts" ? tickets : topic);
                const tg = /^targetgroup\/[a-z0-9-]+\/[0-9a-f]{16}$/;
                const expected: Record<string, [string, string, Record<string, string | RegExp>]> = {
                    "alb-unhealthy-hosts": ["AWS/ApplicationELB", "UnHealthyHostCount", { TargetGroup: tg, LoadBalancer: lb }],
                    "alb-no-healthy-hosts": ["AWS/ApplicationELB", "HealthyHostCount", { TargetGroup: tg, LoadBalancer: lb }],
                    "proxy-reader-availability": [
                        "AWS/RDS",
                        "AvailabilityPercentage",
                        { ProxyName: proxy, TargetGroup: "default", TargetRole: "READ_ONLY" },
                    ],
                    "proxy-borrow-latency": ["AWS/RDS", "DatabaseConnectionsBorrowLatency", { ProxyName: proxy }],
                };
                if (primary)
                    expected["proxy-writer-availability"] = [
                        "AWS/RDS",
                        "AvailabilityPercentage",
                        { ProxyName: proxy, TargetGroup: "default", TargetRole: "READ_WRITE" },
                    ];
                for (const [key, [namespace, metricName, dimensions]] of Object.entries(expected)) {
                    const a = alarmOf(key);
                    assert.deepEqual([a.namespace, a.metricName, a.region], [namespace, metricName, region], `${code} ${key}`);
                    const dims = a.dimensions as Record<string, string>;
                    assert.deepEqual(Object.keys(dims).sort(), Object.keys(dimensions).sort(), `${code} ${key}`);
                    for (const [k, v] of Object.entries(dimensions))
                        if (v instanceof RegExp) assert.match(dims[k], v, `${code} ${key} ${k}`);
                        else assert.equal(dims[k], v, `${code} ${key} ${k}`);
                    const t = topicOf(key);
                    assert.deepEqual([a.alarmActions, a.okActions, a.insufficientDataActions], [[t], [t], [t]], `${code} ${key}`);
                }
                // The target group is the API's: the one the listener rule from Cloudflare forwards to (its ARN ends with the suffix).
                const actions = find("aws:lb/listenerRule:ListenerRule", `${code}-ingress-https-from-edge`).inputs.actions as {
                    targetGroupArn: string;
                }[];
                assert.ok(
                    actions[0].targetGroupArn.endsWith(
                        `:${(alarmOf("alb-unhealthy-hosts").dimensions as Record<string, string>).TargetGroup}`,
                    ),
                );
                assert.equal(
                    resources.some((r) => r.type === ALARM && r.name === `${code}-obs-alarms-proxy-writer-availability`),
                    primary,
                );
            });
        }
    });
});
