import * as assert from "node:assert/strict";
import { AlertTopic, plannedSubscriptions } from "../../../components/observability/alertTopic";
import { ACCOUNT_ID } from "../../../plan/mocks";
import { type RecordedResource } from "../../../plan/runtime";
import { evaluateOf, one, planOf, policyOf, prodStack, withConfig } from "../../support/harness";

describe("AlertTopic", () => {
    it("encrypts the topic with a rotated, protected key that CloudWatch alarms may use", async () => {
        const ev = await evaluateOf(AlertTopic, "apse1-obs-alerts", { region: "ap-southeast-1", accountId: ACCOUNT_ID });
        const key = one(ev, "aws:kms/key:Key", "apse1-obs-alerts-key");
        const topic = one(ev, "aws:sns/topic:Topic", "apse1-obs-alerts-topic");
        // Alertmanager's topic shares the key.
        assert.equal(one(ev, "aws:sns/topic:Topic", "apse1-obs-alerts-alertmanager").inputs.kmsMasterKeyId, topic.inputs.kmsMasterKeyId);
        assert.equal(key.inputs.enableKeyRotation, true);
        assert.equal(key.protect, true);
        assert.match(
            topic.inputs.kmsMasterKeyId as string,
            /^arn:aws:kms:ap-southeast-1:123456789012:key\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
        );
        assert.ok(topic.dependencies.includes(key.urn), "the topic is encrypted with this key");
        assert.equal(topic.inputs.region, "ap-southeast-1");
        const cw = policyOf(key).Statement.find((s) => s.Sid === "CloudWatchAlarmsPublish")!;
        assert.deepEqual(cw.Principal, { Service: "cloudwatch.amazonaws.com" });
        assert.deepEqual(cw.Action, ["kms:Decrypt", "kms:GenerateDataKey*"]);
        assert.deepEqual(cw.Condition, { StringEquals: { "aws:SourceAccount": ACCOUNT_ID } });
        // EventBridge's KMS calls carry no source keys: its grant has no condition, or nothing is delivered.
        const events = policyOf(key).Statement.find((s) => s.Sid === "EventBridgePublish")!;
        assert.deepEqual(
            [events.Principal, events.Action, events.Condition],
            [{ Service: "events.amazonaws.com" }, ["kms:Decrypt", "kms:GenerateDataKey*"], undefined],
        );
    });

    it("sends AWS Health's EKS lifecycle notices (end of standard support) to the ticket topic; both alarm topics' policies keep CloudWatch's publishing", async () => {
        const ev = await evaluateOf(AlertTopic, "apse1-obs-alerts", { region: "ap-southeast-1", accountId: ACCOUNT_ID });
        const rule = one(ev, "aws:cloudwatch/eventRule:EventRule", "apse1-obs-alerts-eks-lifecycle");
        assert.equal(rule.inputs.region, "ap-southeast-1");
        assert.deepEqual(JSON.parse(rule.inputs.eventPattern as string), {
            source: ["aws.health"],
            "detail-type": ["AWS Health Event"],
            detail: { service: ["EKS"], eventTypeCode: ["AWS_EKS_PLANNED_LIFECYCLE_EVENT"] },
        });
        const tickets = one(ev, "aws:sns/topic:Topic", "apse1-obs-alerts-tickets");
        assert.equal(tickets.inputs.kmsMasterKeyId, one(ev, "aws:sns/topic:Topic", "apse1-obs-alerts-topic").inputs.kmsMasterKeyId);
        const target = one(ev, "aws:cloudwatch/eventTarget:EventTarget", "apse1-obs-alerts-eks-lifecycle-target");
        // The rule is named by Pulumi's autonaming, which the offline plan does not run (its `name` is absent here).
        assert.match(target.inputs.arn as string, /^arn:aws:sns:ap-southeast-1:123456789012:apse1-obs-alerts-tickets-/);
        assert.equal(target.inputs.region, "ap-southeast-1");
        assert.ok(target.dependencies.includes(tickets.urn));
        const cloudWatch = {
            StringEquals: { "aws:SourceAccount": ACCOUNT_ID },
            ArnLike: { "aws:SourceArn": `arn:aws:cloudwatch:ap-southeast-1:${ACCOUNT_ID}:alarm:*` },
        };
        const page = policyOf(one(ev, "aws:sns/topicPolicy:TopicPolicy", "apse1-obs-alerts-topic-policy"));
        const ticket = policyOf(one(ev, "aws:sns/topicPolicy:TopicPolicy", "apse1-obs-alerts-tickets-policy"));
        const shared = [
            ["AccountOwnsTheTopic", { AWS: `arn:aws:iam::${ACCOUNT_ID}:root` }, "sns:*"],
            ["CloudWatchAlarmsPublish", { Service: "cloudwatch.amazonaws.com" }, "sns:Publish"],
        ];
        assert.deepEqual(
            page.Statement.map((s) => [s.Sid, s.Principal, s.Action]),
            shared,
        );
        assert.deepEqual(
            ticket.Statement.map((s) => [s.Sid, s.Principal, s.Action]),
            [
                ...shared,
                ["EksLifecycleNoticesPublish", { Service: "events.amazonaws.com" }, "sns:Publish"],
                ["BackupJobFailuresPublish", { Service: "events.amazonaws.com" }, "sns:Publish"],
            ],
        );
        assert.deepEqual([page.Statement[1].Condition, ticket.Statement[1].Condition], [cloudWatch, cloudWatch]);
        assert.match(JSON.stringify(ticket.Statement[2].Condition), /"aws:SourceArn":"arn:aws:events:ap-southeast-1:123456789012:rule\//);
    });
});

describe("AlertTopic: AWS Backup's failed jobs", () => {
    it("sends failed, aborted, expired or partial backup and copy jobs of the cell's region to the ticket topic, the rule alone allowed to publish", async () => {
        const ev = await evaluateOf(AlertTopic, "use1-obs-alerts", { region: "us-east-1", accountId: ACCOUNT_ID });
        const rule = one(ev, "aws:cloudwatch/eventRule:EventRule", "use1-obs-alerts-backup-failures");
        assert.equal(rule.inputs.region, "us-east-1");
        assert.deepEqual(JSON.parse(rule.inputs.eventPattern as string), {
            source: ["aws.backup"],
            "detail-type": ["Backup Job State Change", "Copy Job State Change"],
            detail: { state: ["FAILED", "ABORTED", "EXPIRED", "PARTIAL"] },
        });
        const target = one(ev, "aws:cloudwatch/eventTarget:EventTarget", "use1-obs-alerts-backup-failures-target");
        assert.ok(target.dependencies.includes(one(ev, "aws:sns/topic:Topic", "use1-obs-alerts-tickets").urn));
        const ticket = policyOf(one(ev, "aws:sns/topicPolicy:TopicPolicy", "use1-obs-alerts-tickets-policy"));
        const statement = ticket.Statement.find((s) => s.Sid === "BackupJobFailuresPublish")!;
        assert.ok(statement.Condition, "only this rule may publish");
    });
});

describe("AlertTopic subscriptions", () => {
    const PAGE = { protocol: "email", endpoint: "oncall@example.com", severity: "page" } as const;
    const TICKET = { protocol: "https", endpoint: "https://events.example.com/integration/k3y/enqueue", severity: "ticket" } as const;
    const ALL = { protocol: "email", endpoint: "lead@example.com", severity: "all" } as const;

    it("gives each severity its alarm topic unfiltered (CloudWatch sets no attribute) and Alertmanager's filtered on severity", () => {
        const planned = plannedSubscriptions([PAGE, TICKET, ALL]);
        assert.deepEqual(
            planned.map((p) => [p.spec.endpoint, p.topic, p.filterPolicy]),
            [
                ["oncall@example.com", "alarms", undefined],
                ["oncall@example.com", "alertmanager", { severity: ["page"] }],
                // A ticket subscriber never gets the page alarms' topic.
                ["https://events.example.com/integration/k3y/enqueue", "alarms-ticket", undefined],
                ["https://events.example.com/integration/k3y/enqueue", "alertmanager", { severity: ["ticket"] }],
                ["lead@example.com", "alarms", undefined],
                ["lead@example.com", "alarms-ticket", undefined],
                // `all` is pages and tickets, not Alertmanager's heartbeat.
                ["lead@example.com", "alertmanager", { severity: ["page", "ticket"] }],
            ],
        );
        // Keyed by endpoint, not position: reordering the list replaces no subscription.
        const keys = (subs: Parameters<typeof plannedSubscriptions>[0]) =>
            plannedSubscriptions(subs)
                .map((p) => p.key)
                .sort();
        assert.deepEqual(keys([ALL, TICKET, PAGE]), keys([PAGE, TICKET, ALL]));
        // The page topic's subscription keeps the key it had before the ticket topic: no replacement.
        assert.ok(
            planned.every((p) => /^[0-9a-f]{8}-(alarms|alarms-ticket|am)$/.test(p.key)) && !planned.some((p) => p.key.includes("k3y")),
        );
    });

    describe("from platform:observability.alerts.subscriptions in the prod plan", () => {
        const SUB = "aws:sns/topicSubscription:TopicSubscription";
        let resources: readonly RecordedResource[];
        before(async () => {
            const stack = withConfig(prodStack(), { "platform:observability": { alerts: { subscriptions: [PAGE, TICKET, ALL] } } });
            resources = (await planOf(stack)).evaluation.resources;
        });

        for (const [code, region] of [
            ["use1", "us-east-1"],
            ["euc1", "eu-central-1"],
            ["apse1", "ap-southeast-1"],
        ] as const) {
            it(`${code}: subscribes each endpoint to its cell's topics with the severity filter on the message attribute`, () => {
                const topicArn = (name: string) => {
                    const alarm = (key: string) =>
                        resources.find(
                            (r) => r.type === "aws:cloudwatch/metricAlarm:MetricAlarm" && r.name === `${code}-obs-alarms-${key}`,
                        )!;
                    const values = resources.find((r) => r.name === `${code}-obs-metrics-release`)!.inputs.values as {
                        alertmanager: { config: { receivers: { sns_configs?: { topic_arn: string }[] }[] } };
                    };
                    // A page alarm (ALB 5xx) and a ticket alarm (one unhealthy host) name their topics.
                    return name === "alarms"
                        ? (alarm("alb-elb-5xx").inputs.alarmActions as string[])[0]
                        : name === "alarms-ticket"
                          ? (alarm("alb-unhealthy-hosts").inputs.alarmActions as string[])[0]
                          : values.alertmanager.config.receivers[1].sns_configs![0].topic_arn;
                };
                const subs = resources.filter((r) => r.type === SUB && r.name.startsWith(`${code}-obs-alerts-sub-`));
                const seen = subs.map((s) => [
                    s.inputs.region,
                    s.inputs.topic === topicArn("alarms")
                        ? "alarms"
                        : s.inputs.topic === topicArn("alarms-ticket")
                          ? "alarms-ticket"
                          : s.inputs.topic === topicArn("alertmanager")
                            ? "alertmanager"
                            : s.inputs.topic,
                    s.inputs.protocol,
                    s.inputs.endpoint,
                    s.inputs.filterPolicy === undefined ? undefined : JSON.parse(s.inputs.filterPolicy as string),
                    s.inputs.filterPolicyScope,
                ]);
                const sorted = (rows: unknown[][]) => rows.map((r) => JSON.stringify(r)).sort();
                assert.deepEqual(
                    sorted(seen),
                    sorted([
                        [region, "alarms", "email", "oncall@example.com", undefined, undefined],
                        [region, "alertmanager", "email", "oncall@example.com", { severity: ["page"] }, "MessageAttributes"],
                        // An https endpoint may carry its token: a secret in the plan.
                        [region, "alarms-ticket", "https", "[secret]", undefined, undefined],
                        [region, "alertmanager", "https", "[secret]", { severity: ["ticket"] }, "MessageAttributes"],
                        [region, "alarms", "email", "lead@example.com", undefined, undefined],
                        [region, "alarms-ticket", "email", "lead@example.com", undefined, undefined],
                        [region, "alertmanager", "email", "lead@example.com", { severity: ["page", "ticket"] }, "MessageAttributes"],
                    ]),
                );
            });

            it(`${code}: every alarm's every action reaches its severity's subscribers and no other: a ticket never pages`, () => {
                // Who each subscription is, by protocol and endpoint (the https one is the ticket subscriber, secret in the plan).
                const severityOf = (s: RecordedResource) =>
                    s.inputs.protocol === "https" ? "ticket" : s.inputs.endpoint === PAGE.endpoint ? "page" : "all";
                const unfilteredByTopic = new Map<string, string[]>();
                for (const s of resources.filter((r) => r.type === SUB && r.name.startsWith(`${code}-obs-alerts-sub-`))) {
                    if (s.inputs.filterPolicy !== undefined) continue;
                    unfilteredByTopic.set(s.inputs.topic as string, [
                        ...(unfilteredByTopic.get(s.inputs.topic as string) ?? []),
                        severityOf(s),
                    ]);
                }
                const alarms = resources.filter(
                    (r) => r.type === "aws:cloudwatch/metricAlarm:MetricAlarm" && r.name.startsWith(`${code}-obs-alarms-`),
                );
                assert.ok(alarms.length > 40, `${alarms.length} alarms`);
                for (const a of alarms) {
                    const severity = (a.inputs.tags as Record<string, string>).severity;
                    assert.ok(severity === "page" || severity === "ticket", a.name);
                    assert.match(a.inputs.alarmDescription as string, new RegExp(`^\\[${severity}\\] `), a.name);
                    for (const actions of ["alarmActions", "okActions", "insufficientDataActions"]) {
                        const topics = a.inputs[actions] as string[];
                        assert.equal(topics.length, 1, `${a.name} ${actions}`);
                        const reached = (unfilteredByTopic.get(topics[0]) ?? []).sort();
                        assert.deepEqual(reached, severity === "page" ? ["all", "page"] : ["all", "ticket"], `${a.name} ${actions}`);
                    }
                }
                assert.deepEqual([...new Set(alarms.map((a) => (a.inputs.tags as Record<string, string>).severity))].sort(), [
                    "page",
                    "ticket",
                ]);
            });
        }

        it("declares no subscription without the key; prod's file pages its on-call address in every cell", async () => {
            const prod = prodStack();
            const { alerts: _alerts, ...rest } = JSON.parse(prod.config["platform:observability"]) as Record<string, unknown>;
            const plain = (await planOf(withConfig(prod, { "platform:observability": rest }))).evaluation.resources;
            assert.equal(plain.filter((r) => r.type === SUB).length, 0);
            const subs = (await planOf(prod)).evaluation.resources.filter((r) => r.type === SUB);
            assert.deepEqual([subs.length, [...new Set(subs.map((s) => s.inputs.endpoint))]], [6, ["oncall@example.com"]]);
            // A page subscriber: the page alarms' and Alertmanager's topics, never the ticket alarms'.
            assert.ok(subs.every((s) => !s.name.endsWith("-alarms-ticket")));
        });
    });
});
