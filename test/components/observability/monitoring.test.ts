import * as assert from "node:assert/strict";
import * as aws from "@pulumi/aws";
import { apiAlertRules } from "../../../components/observability/alertRules";
import { apiDashboard } from "../../../components/observability/dashboard";
import { KPS_RESOURCES, KUBE_PROMETHEUS_STACK_CHART, Monitoring, type MonitoringArgs } from "../../../components/observability/monitoring";
import { OPERATOR_VERSIONS } from "../../../components/observability/operatorCrds";
import { ACCOUNT_ID } from "../../../plan/mocks";
import { type Evaluation, type RecordedResource, UNKNOWN, evaluate } from "../../../plan/runtime";
import { chartOf, evaluateOf, k8sProvider, ofType, one, policyOf, RELEASE } from "../../support/harness";
import { fixture, flagged } from "../../support/policy";

describe("Monitoring", () => {
    const argsOf = (more: Partial<MonitoringArgs> = {}): MonitoringArgs => ({
        region: "us-east-1",
        clusterName: "use1-eks",
        k8sProvider: k8sProvider(),
        topicArn: `arn:aws:sns:us-east-1:${ACCOUNT_ID}:use1-obs-alerts`,
        topicKeyArn: `arn:aws:kms:us-east-1:${ACCOUNT_ID}:key/1234`,
        prometheus: { retentionDays: 15, volumeSizeGiB: 100 },
        ...more,
    });
    const build = (webhook?: string) => evaluateOf(Monitoring, "use1-obs-metrics", argsOf({ alertWebhookUrl: webhook }));
    let ev: Evaluation;
    let withWebhook: Evaluation;
    before(async () => {
        ev = await build();
        withWebhook = await build("https://hooks.example.com/secret-token");
    });

    const values = (e: Evaluation) => one(e, RELEASE, "use1-obs-metrics-release").inputs.values as Record<string, any>;

    it("installs the pinned kube-prometheus-stack chart", () => {
        const release = one(ev, RELEASE, "use1-obs-metrics-release");
        assert.equal(
            chartOf(release),
            "kube-prometheus-stack@88.5.3 from https://prometheus-community.github.io/helm-charts in monitoring",
        );
        assert.equal(release.inputs.name, "kps");
    });

    describe("the operator's CRDs", () => {
        const crds = (e: Evaluation) => one(e, RELEASE, "use1-obs-metrics-crds");

        it("come from the pinned prometheus-operator-crds chart, as their own release in the monitoring namespace", () => {
            assert.equal(
                chartOf(crds(ev)),
                "prometheus-operator-crds@31.0.1 from https://prometheus-community.github.io/helm-charts in monitoring",
            );
            assert.equal(crds(ev).inputs.name, "prometheus-operator-crds");
            assert.equal(crds(ev).inputs.atomic, true);
        });

        it("are kept by Helm (uninstall, or a chart version that stops rendering one) and adopt CRDs an earlier kube-prometheus-stack installed", () => {
            assert.deepEqual(crds(ev).inputs.values, { crds: { annotations: { "helm.sh/resource-policy": "keep" } } });
            assert.equal(crds(ev).inputs.takeOwnership, true);
        });

        it("are installed before kube-prometheus-stack, which no longer installs its own", () => {
            const stack = one(ev, RELEASE, "use1-obs-metrics-release");
            assert.ok(stack.dependencies.includes(crds(ev).urn), "kube-prometheus-stack waits for the CRDs");
            assert.ok(!crds(ev).dependencies.includes(stack.urn), "the CRDs do not wait for kube-prometheus-stack");
            assert.deepEqual(values(ev).crds, { enabled: false });
            // What creates objects of the CRDs' kinds comes after both.
            for (const [type, name] of [
                ["kubernetes:monitoring.coreos.com/v1:PrometheusRule", "use1-obs-metrics-api-rules"],
                ["kubernetes:monitoring.coreos.com/v1:ServiceMonitor", "use1-obs-metrics-api-monitor"],
            ]) {
                assert.ok(one(ev, type, name).dependencies.includes(stack.urn), `${name} after kube-prometheus-stack`);
            }
        });

        it("refuse a kube-prometheus-stack version whose operator does not match them, before declaring anything", async () => {
            const table = OPERATOR_VERSIONS["kube-prometheus-stack"] as Record<string, string>;
            const pinned = table[KUBE_PROMETHEUS_STACK_CHART.version];
            table[KUBE_PROMETHEUS_STACK_CHART.version] = "v0.94.0";
            try {
                await assert.rejects(
                    build(),
                    /kube-prometheus-stack 88\.5\.3 runs prometheus-operator v0\.94\.0, but prometheus-operator-crds 31\.0\.1 installs the CRDs of v0\.93\.1/,
                );
            } finally {
                table[KUBE_PROMETHEUS_STACK_CHART.version] = pinned;
            }
        });
    });

    it("gives Prometheus and Alertmanager a disruption budget (one of two replicas at a time), and every multi-replica component one", () => {
        const v = values(ev);
        const budget = { enabled: true, minAvailable: 1, unhealthyPodEvictionPolicy: "AlwaysAllow" };
        assert.deepEqual(v.prometheus.podDisruptionBudget, budget);
        assert.deepEqual(v.alertmanager.podDisruptionBudget, budget);
        assert.equal(v.prometheus.podDisruptionBudget.maxUnavailable, undefined, "the chart renders both keys: one of them only");
        // Every component of the values that runs more than one replica has a budget of its own.
        const replicated = (node: unknown): boolean =>
            typeof node === "object" &&
            node !== null &&
            Object.entries(node).some(([k, x]) => (k === "replicas" && typeof x === "number" && x > 1) || replicated(x));
        const components = Object.entries(v).filter(([, x]) => replicated(x));
        assert.deepEqual(components.map(([k]) => k).sort(), ["alertmanager", "prometheus"]);
        for (const [k, x] of components)
            assert.equal((x as { podDisruptionBudget?: { enabled: boolean } }).podDisruptionBudget?.enabled, true, k);
        assert.deepEqual([v.prometheus.prometheusSpec.replicas, v.alertmanager.alertmanagerSpec.replicas], [2, 2]);
    });

    it("sizes every workload the chart renders (requests cpu + memory, a memory limit), at the chart's own values paths", () => {
        const v = values(ev);
        assert.deepEqual(
            {
                operator: v.prometheusOperator.resources,
                configReloader: v.prometheusOperator.prometheusConfigReloader.resources,
                admissionJobs: v.prometheusOperator.admissionWebhooks.patch.resources,
                prometheus: v.prometheus.prometheusSpec.resources,
                alertmanager: v.alertmanager.alertmanagerSpec.resources,
                grafana: v.grafana.resources,
                grafanaSidecar: v.grafana.sidecar.resources,
                kubeStateMetrics: v["kube-state-metrics"].resources,
                nodeExporter: v["prometheus-node-exporter"].resources,
            },
            KPS_RESOURCES,
        );
        for (const [workload, r] of Object.entries(KPS_RESOURCES))
            assert.deepEqual([Object.keys(r.requests), Object.keys(r.limits)], [["cpu", "memory"], ["memory"]], workload);
        assert.deepEqual(v.grafana.sidecar.dashboards.enabled, true, "the sidecar keys merged beside the resources");
    });

    it("turns on the config reloaders' probes and completes node-exporter's restricted context (policy/helm.ts judges both)", () => {
        const v = values(ev);
        assert.equal(v.prometheusOperator.prometheusConfigReloader.enableProbe, true);
        assert.deepEqual(v["prometheus-node-exporter"].securityContext, { seccompProfile: { type: "RuntimeDefault" } });
        assert.deepEqual(v["prometheus-node-exporter"].containerSecurityContext, {
            allowPrivilegeEscalation: false,
            capabilities: { drop: ["ALL"] },
        });
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
        const given = await evaluateOf(Monitoring, "use1-obs-metrics", {
            region: "us-east-1",
            clusterName: "use1-eks",
            k8sProvider: k8sProvider(),
            topicArn: "arn:aws:sns:us-east-1:123456789012:t",
            topicKeyArn: "arn:aws:kms:us-east-1:123456789012:key/1",
            prometheus: { retentionDays: 7, volumeSizeGiB: 50 },
            storageClassName: "gp3",
        });
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
        assert.deepEqual(policyOf(one(ev, "aws:iam/rolePolicy:RolePolicy", "use1-obs-metrics-alertmanager-policy")).Statement, [
            { Effect: "Allow", Action: "sns:Publish", Resource: `arn:aws:sns:us-east-1:${ACCOUNT_ID}:use1-obs-alerts` },
            { Effect: "Allow", Action: ["kms:GenerateDataKey*", "kms:Decrypt"], Resource: `arn:aws:kms:us-east-1:${ACCOUNT_ID}:key/1234` },
        ]);
        assert.deepEqual(
            ofType(ev, "kubernetes:core/v1:Secret").map((s) => s.name),
            ["use1-obs-metrics-grafana-admin"],
            "no webhook secret without a webhook",
        );
    });

    it("sends the chart's Pending-pod alerts of the placeholders' namespace nowhere, before the severity routes, and disables the overcommit rules", async () => {
        const placed = await evaluateOf(Monitoring, "use1-obs-metrics", argsOf({ placeholderNamespaces: ["warm-capacity"] }));
        const routes = values(placed).alertmanager.config.route.routes as { receiver: string; matchers: string[] }[];
        assert.deepEqual(routes[1], {
            receiver: "null",
            matchers: ['namespace = "warm-capacity"', 'alertname =~ "KubePodNotReady|KubeDeploymentReplicasMismatch"'],
        });
        assert.deepEqual(
            routes.slice(2).map((r) => r.receiver),
            ["platform", "ticket", "null"],
        );
        // Without placeholders, no such route (the routes test below).
        assert.equal(values(ev).alertmanager.config.route.routes.length, 4);
        assert.deepEqual(values(ev).defaultRules.disabled, { KubeCPUOvercommit: true, KubeMemoryOvercommit: true });
    });

    it("routes by severity: critical pages, warning tickets (the SNS attribute severity tells them apart), info nowhere, Watchdog as the heartbeat", () => {
        const config = values(ev).alertmanager.config;
        assert.deepEqual(config.route.routes, [
            // Every 5 minutes with severity=heartbeat, which no subscription takes: a CloudWatch alarm pages when it stops.
            { receiver: "heartbeat", matchers: ['alertname = "Watchdog"'], group_wait: "0s", group_interval: "5m", repeat_interval: "5m" },
            { receiver: "platform", matchers: ['severity = "critical"'] },
            { receiver: "ticket", matchers: ['severity = "warning"'] },
            { receiver: "null", matchers: ['severity =~ "info|none"'] },
        ]);
        const attributes = (name: string) =>
            config.receivers.find((r: { name: string }) => r.name === name).sns_configs.map((c: { attributes: unknown }) => c.attributes);
        assert.deepEqual(
            [attributes("platform"), attributes("ticket"), attributes("heartbeat")],
            [[{ severity: "page" }], [{ severity: "ticket" }], [{ severity: "heartbeat" }]],
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

    it("turns off the scrapes and alerts of the control plane EKS runs (they would fire forever), and waits for Alertmanager's Pod Identity", () => {
        const v = values(ev);
        // kube-proxy too: the EKS add-on serves its metrics on 127.0.0.1 only.
        assert.deepEqual(
            [v.kubeScheduler, v.kubeControllerManager, v.kubeEtcd, v.kubeProxy],
            [{ enabled: false }, { enabled: false }, { enabled: false }, { enabled: false }],
        );
        assert.deepEqual(v.defaultRules.rules, {
            kubeSchedulerAlerting: false,
            kubeSchedulerRecording: false,
            kubeControllerManager: false,
            etcd: false,
            kubeProxy: false,
        });
        const association = one(ev, "aws:eks/podIdentityAssociation:PodIdentityAssociation", "use1-obs-metrics-alertmanager-pod-identity");
        assert.ok(one(ev, RELEASE, "use1-obs-metrics-release").dependencies.includes(association.urn));
    });

    const groupsOf = (r: RecordedResource) =>
        (
            r.inputs.spec as { groups: { rules: { alert: string; expr: string; for: string; labels: Record<string, string> }[] }[] }
        ).groups.flatMap((g) => g.rules);

    describe("PrometheusRule", () => {
        let byName: Map<string, { expr: string; for: string; labels: Record<string, string> }>;
        let rule: RecordedResource;
        before(() => {
            rule = one(ev, "kubernetes:monitoring.coreos.com/v1:PrometheusRule", "use1-obs-metrics-api-rules");
            const groups = (
                rule.inputs.spec as { groups: { rules: { alert: string; expr: string; for: string; labels: Record<string, string> }[] }[] }
            ).groups;
            byName = new Map(
                groups
                    .flatMap((g) => g.rules)
                    .filter((r) => r.alert !== undefined)
                    .map((r) => [r.alert, r]),
            );
        });

        it("is a monitoring.coreos.com/v1 PrometheusRule installed after the chart's CRDs", () => {
            assert.equal(rule.inputs.apiVersion, "monitoring.coreos.com/v1");
            assert.equal(rule.inputs.kind, "PrometheusRule");
            assert.ok(rule.dependencies.includes(one(ev, RELEASE, "use1-obs-metrics-release").urn));
        });

        /** The recording rules of the PrometheusRule, by recorded series and `slo` label. */
        const recorded = () =>
            new Map(
                (rule.inputs.spec as { groups: { rules: { record?: string; expr: string; labels: { slo: string } }[] }[] }).groups
                    .flatMap((g) => g.rules)
                    .filter((r) => r.record !== undefined)
                    .map((r) => [`${r.record}{slo="${r.labels.slo}"}`, r.expr]),
            );

        it("pages on a fast burn of the 99.99 % availability budget: 14.4x over 1 h confirmed by 5 m, at least 10 failed requests", () => {
            const [fast, medium, slow] = [...groupsOf(rule)].filter((r) => r.alert === "ApiAvailabilityBudgetBurn");
            assert.equal(
                fast.expr,
                'api_slo:bad_ratio:increase1h{slo="availability"} > 0.00144 and api_slo:bad_ratio:increase5m{slo="availability"} > 0.00144 and api_slo:bad_requests:increase1h{slo="availability"} >= 10',
            );
            // What those series record: the 5xx ratio and the 5xx count of the window.
            const ratio = (w: string) =>
                `(sum(increase(http_server_request_duration_seconds_count{namespace="api", http_response_status_code=~"5.."}[${w}])) / sum(increase(http_server_request_duration_seconds_count{namespace="api"}[${w}])))`;
            const records = recorded();
            assert.equal(records.get('api_slo:bad_ratio:increase1h{slo="availability"}'), ratio("1h"));
            assert.equal(records.get('api_slo:bad_ratio:increase5m{slo="availability"}'), ratio("5m"));
            assert.equal(
                records.get('api_slo:bad_requests:increase1h{slo="availability"}'),
                'sum(increase(http_server_request_duration_seconds_count{namespace="api", http_response_status_code=~"5.."}[1h]))',
            );
            assert.deepEqual(fast.labels, { severity: "critical", region: "us-east-1", slo: "availability", long_window: "1h" });
            assert.match(medium.expr, /increase6h\{slo="availability"\} > 0\.0006 and .*increase30m\{slo="availability"\} > 0\.0006 /);
            assert.equal(medium.labels.severity, "critical");
            // The slow burn (the whole budget at 1x over 3 days) opens a ticket, never a page.
            assert.match(slow.expr, /increase3d\{slo="availability"\} > 0\.0001 and .*increase6h\{slo="availability"\} > 0\.0001 /);
            assert.equal(slow.labels.severity, "warning");
        });

        it("records every series the burn-rate alerts read, once, in the same PrometheusRule", () => {
            const records = recorded();
            const read = [...groupsOf(rule)]
                .filter((r) => r.alert?.endsWith("BudgetBurn"))
                .flatMap((r) => r.expr.match(/api_slo:[a-z_]+:increase\w+\{slo="\w+"\}/g) ?? []);
            assert.equal(read.length, 2 * 3 * 3);
            for (const series of read) assert.ok(records.has(series), `${series} is recorded`);
            const all = (rule.inputs.spec as { groups: { rules: { record?: string; labels: { slo: string } }[] }[] }).groups
                .flatMap((g) => g.rules)
                .filter((r) => r.record !== undefined);
            assert.equal(records.size, all.length, "no series is recorded twice");
            // The 5-minute bad and total rates per objective; windows 5m, 30m, 1h, 6h, 3d: ratio and count per
            // objective; and the 30 d ratio of the budget, every 2 minutes.
            assert.equal(all.length, 2 * 2 + 2 * 5 * 2 + 2);
            const budget = (rule.inputs.spec as { groups: { name: string; interval?: string; rules: { record: string }[] }[] }).groups.find(
                (g) => g.name === "api.slo.budget",
            )!;
            assert.deepEqual(
                [budget.interval, budget.rules.map((r) => r.record)],
                ["2m", ["api_slo:bad_ratio:increase30d", "api_slo:bad_ratio:increase30d"]],
            );
        });

        it("reads 3 and 30 days from the one-series 5-minute records, never from the raw counters (Prometheus's 50M-sample query limit)", () => {
            const rules = (
                rule.inputs.spec as { groups: { rules: { record?: string; expr: string; labels?: { slo: string } }[] }[] }
            ).groups.flatMap((g) => g.rules);
            const long = rules.filter((r) => /increase(3d|30d)$/.test(r.record ?? ""));
            assert.equal(long.length, 2 * 2 + 2, "3 d ratio and count, 30 d ratio, per objective");
            for (const r of long) {
                assert.doesNotMatch(r.expr, /http_server_request_duration_seconds/, `${r.record} reads no raw counter`);
                assert.match(r.expr, new RegExp(`api_slo:bad_requests:rate5m\\{slo="${r.labels!.slo}"\\}\\[(3d|30d)\\]`));
            }
            assert.equal(
                rules.find((r) => r.record === "api_slo:bad_requests:increase3d" && r.labels!.slo === "availability")!.expr,
                '(sum_over_time(api_slo:bad_requests:rate5m{slo="availability"}[3d]) * 30)',
            );
            // The count sums 30 s samples: the group states its interval, whatever Prometheus's global default.
            const sli = (rule.inputs.spec as { groups: { name: string; interval?: string }[] }).groups.find(
                (g) => g.name === "api.slo.sli",
            )!;
            assert.equal(sli.interval, "30s");
            // Up to 6 h the windows read the counters exactly; the rate records come first, so a long window reads this evaluation's.
            const sixHours = rules.find((r) => r.record === "api_slo:bad_ratio:increase6h" && r.labels!.slo === "latency")!;
            assert.match(sixHours.expr, /increase\(http_server_request_duration_seconds_count\{namespace="api"\}\[6h\]\)/);
            const first = rules.findIndex((r) => r.record?.startsWith("api_slo:bad_ratio:"));
            assert.ok(rules.slice(0, first).every((r) => r.record!.endsWith(":rate5m")));
            assert.equal(first, 4);
        });

        it('burns the latency budget (99 % within 30 ms) on requests above the le="0.03" bucket', () => {
            const rules = [...groupsOf(rule)].filter((r) => r.alert === "ApiLatencyBudgetBurn");
            assert.deepEqual(
                rules.map((r) => [r.labels.long_window, r.labels.severity]),
                [
                    ["1h", "critical"],
                    ["6h", "critical"],
                    ["3d", "warning"],
                ],
            );
            assert.match(rules[0].expr, /^api_slo:bad_ratio:increase1h\{slo="latency"\} > 0\.144 and /);
            assert.match(
                recorded().get('api_slo:bad_ratio:increase1h{slo="latency"}')!,
                /- sum\(increase\(http_server_request_duration_seconds_bucket\{namespace="api", le="0\.03"\}\[1h\]\)\)\)/,
            );
        });

        it("says when the app exports no request metric (the SLO alerts would be blind)", () => {
            const r = byName.get("ApiMetricsAbsent")!;
            assert.equal(r.expr, 'absent(http_server_request_duration_seconds_count{namespace="api"})');
            assert.equal(r.for, "15m");
        });

        it("says when the app's histogram has no 30 ms bucket (OpenTelemetry's defaults have none), while it exports requests", () => {
            const r = byName.get("ApiLatencyBucketAbsent")!;
            assert.equal(
                r.expr,
                'absent(http_server_request_duration_seconds_bucket{namespace="api", le="0.03"}) and on() count(http_server_request_duration_seconds_count{namespace="api"}) > 0',
            );
            assert.equal(r.labels.severity, "warning");
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
                "ApiAvailabilityBudgetBurn",
                "ApiHpaAtMaxReplicas",
                "ApiLatencyBucketAbsent",
                "ApiLatencyBudgetBurn",
                "ApiMetricsAbsent",
                "ApiPodRestarting",
                "FluentBitBufferFilling",
                "FluentBitDroppedRecords",
                "FluentBitMetricsAbsent",
                "NodeCpuHigh",
            ]);
            // Three burn-rate windows per objective, the two absent guards, three capacity rules.
            assert.deepEqual(apiAlertRules("api", "us-east-1").flatMap((g) => g.rules).length, 3 * 2 + 2 + 3);
        });

        it("opens a ticket (warning → receiver ticket → SNS severity=ticket) when Fluent Bit drops records or its buffer fills, per pod and output", () => {
            const dropped = byName.get("FluentBitDroppedRecords")!;
            const filling = byName.get("FluentBitBufferFilling")!;
            assert.equal(dropped.expr, "sum by (pod, name) (increase(fluentbit_output_dropped_records_total[10m])) > 0");
            assert.equal(filling.expr, "min by (pod, name) (fluentbit_output_chunk_available_capacity_percent) < 50");
            assert.equal(filling.for, "10m");
            for (const r of [dropped, filling, byName.get("FluentBitMetricsAbsent")!])
                assert.deepEqual(r.labels, { severity: "warning", region: "us-east-1" });
            assert.equal(byName.get("FluentBitMetricsAbsent")!.expr, "absent(fluentbit_output_retries_failed_total)");
            // The route that carries them: warning → the ticket receiver, whose messages carry severity=ticket.
            const config = values(ev).alertmanager.config;
            const route = config.route.routes.find((r: { matchers: string[] }) => r.matchers.includes('severity = "warning"'));
            const receiver = config.receivers.find((r: { name: string }) => r.name === route.receiver);
            assert.deepEqual(receiver.sns_configs[0].attributes, { severity: "ticket" });
        });
    });

    describe("Grafana's CloudWatch data source", () => {
        const ALB = "app/use1-ingress-alb-1a2b3c4/0123456789abcdef";
        const ASSOCIATION = "aws:eks/podIdentityAssociation:PodIdentityAssociation";
        const dashboardOf = (e: Evaluation) =>
            JSON.parse(
                (one(e, "kubernetes:core/v1:ConfigMap", "use1-obs-metrics-api-dashboard").inputs.data as Record<string, string>)[
                    "api.json"
                ],
            );
        let withAlb: Evaluation;
        let frankfurt: Evaluation;
        before(async () => {
            withAlb = await evaluateOf(Monitoring, "use1-obs-metrics", argsOf({ alb: { arnSuffix: ALB } }));
            frankfurt = await evaluateOf(Monitoring, "euc1-obs-metrics", argsOf({ region: "eu-central-1", clusterName: "euc1-eks" }));
        });

        it("is provisioned beside the chart's own, in the cell's region, through the AWS SDK's default chain, with a stable uid", () => {
            const expected = (region: string) => [
                {
                    name: "CloudWatch",
                    type: "cloudwatch",
                    uid: "cloudwatch",
                    access: "proxy",
                    isDefault: false,
                    editable: false,
                    jsonData: { authType: "default", defaultRegion: region },
                },
            ];
            assert.deepEqual(values(ev).grafana.additionalDataSources, expected("us-east-1"));
            const euc1 = one(frankfurt, RELEASE, "euc1-obs-metrics-release").inputs.values as Record<string, any>;
            assert.deepEqual(euc1.grafana.additionalDataSources, expected("eu-central-1"));
            // The chart renders additionalDataSources through tpl: no template text may reach it.
            assert.ok(!JSON.stringify(values(ev).grafana.additionalDataSources).includes("{{"));
            // The Prometheus data source stays the chart's default one.
            assert.equal(values(ev).grafana.sidecar.datasources, undefined);
        });

        it("reads CloudWatch as a Pod Identity role of Grafana's named service account, with exactly Grafana's metrics-only read permissions", () => {
            assert.deepEqual(values(ev).grafana.serviceAccount, { create: true, name: "grafana" });
            const association = one(ev, ASSOCIATION, "use1-obs-metrics-grafana-pod-identity");
            assert.deepEqual(
                [
                    association.inputs.namespace,
                    association.inputs.serviceAccount,
                    association.inputs.clusterName,
                    association.inputs.region,
                ],
                ["monitoring", "grafana", "use1-eks", "us-east-1"],
            );
            const role = one(ev, "aws:iam/role:Role", "use1-obs-metrics-grafana-role");
            assert.ok(String(association.inputs.roleArn).endsWith(`:role/${role.id}`), "the association binds Grafana's role");
            assert.deepEqual(policyOf(role, "assumeRolePolicy").Statement[0].Condition, {
                StringEquals: {
                    "aws:RequestTag/eks-cluster-name": "use1-eks",
                    "aws:RequestTag/kubernetes-namespace": "monitoring",
                    "aws:RequestTag/kubernetes-service-account": "grafana",
                },
            });
            const policy = one(ev, "aws:iam/rolePolicy:RolePolicy", "use1-obs-metrics-grafana-policy");
            assert.equal(policy.inputs.role, role.id);
            // grafana/grafana/docs/sources/datasources/aws-cloudwatch/configure/index.md, "Metrics-only permissions"; no logs:*.
            const statements = policyOf(policy).Statement;
            assert.deepEqual(
                statements.map((st) => [st.Sid, st.Effect, st.Resource]),
                [
                    ["AllowReadingMetricsFromCloudWatch", "Allow", "*"],
                    ["AllowReadingTagsInstancesRegionsFromEC2", "Allow", "*"],
                    ["AllowReadingResourcesForTags", "Allow", "*"],
                    ["AllowReadingResourceMetricsFromPerformanceInsights", "Allow", "*"],
                ],
            );
            // Every action granted, sorted: read-only, no logs:* (no panel queries CloudWatch Logs).
            assert.deepEqual(statements.flatMap((st) => [st.Action as string | string[]].flat()).sort(), [
                "cloudwatch:DescribeAlarmHistory",
                "cloudwatch:DescribeAlarms",
                "cloudwatch:DescribeAlarmsForMetric",
                "cloudwatch:GetInsightRuleReport",
                "cloudwatch:GetMetricData",
                "cloudwatch:ListMetrics",
                "ec2:DescribeInstances",
                "ec2:DescribeRegions",
                "ec2:DescribeTags",
                "pi:GetResourceMetrics",
                "tag:GetResources",
            ]);
            // Alertmanager keeps its own role: two associations, one per service account.
            assert.deepEqual(
                ofType(ev, ASSOCIATION)
                    .map((a) => a.inputs.serviceAccount)
                    .sort(),
                ["alertmanager", "grafana"],
            );
        });

        it("passes the pack's inline least-privilege rule, which flags the same document with a service wildcard", async () => {
            const policy = one(ev, "aws:iam/rolePolicy:RolePolicy", "use1-obs-metrics-grafana-policy");
            assert.deepEqual(await flagged("iam-inline-least-privilege", [policy]), []);
            const document = policyOf(policy);
            const widened = fixture("aws:iam/rolePolicy:RolePolicy", "widened", {
                role: "r",
                policy: JSON.stringify({
                    ...document,
                    Statement: [...document.Statement, { Effect: "Allow", Action: "cloudwatch:*", Resource: "*" }],
                }),
            });
            assert.equal((await flagged("iam-inline-least-privilege", [widened])).length, 1);
        });

        it("installs kube-prometheus-stack after Grafana's association, so its pods are admitted with credentials", () => {
            const release = one(ev, RELEASE, "use1-obs-metrics-release");
            assert.ok(release.dependencies.includes(one(ev, ASSOCIATION, "use1-obs-metrics-grafana-pod-identity").urn));
        });

        it("charts the ALB's TargetResponseTime p99 from CloudWatch with the ALB's dimension and the 30 ms line, in the data source it provisions", () => {
            const panels = dashboardOf(withAlb).panels as Record<string, any>[];
            const panel = panels.find((p) => p.title === "ALB target response time p99 (CloudWatch)")!;
            assert.deepEqual(
                panels.map((p) => p.id),
                [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
            );
            const uid = values(withAlb).grafana.additionalDataSources[0].uid;
            assert.deepEqual(panel.datasource, { type: "cloudwatch", uid });
            assert.deepEqual(panel.targets, [
                {
                    refId: "A",
                    datasource: { type: "cloudwatch", uid },
                    queryMode: "Metrics",
                    metricQueryType: 0,
                    metricEditorMode: 0,
                    id: "",
                    region: "us-east-1",
                    namespace: "AWS/ApplicationELB",
                    metricName: "TargetResponseTime",
                    dimensions: { LoadBalancer: ALB },
                    matchExact: true,
                    statistic: "p99",
                    period: "60",
                    label: "p99 (alarm: above 30 ms for 5 min)",
                },
            ]);
            assert.equal(panel.fieldConfig.defaults.unit, "s");
            assert.deepEqual(panel.fieldConfig.defaults.thresholds.steps, [
                { color: "green", value: null },
                { color: "red", value: 0.03 },
            ]);
            assert.deepEqual(panel.fieldConfig.defaults.custom, { thresholdsStyle: { mode: "line" } });
            // Without an ALB, the app's panels only.
            assert.deepEqual(
                (dashboardOf(ev).panels as { title: string }[]).map((p) => p.title),
                panels.slice(0, 9).map((p) => p.title),
            );
        });

        it("follows the ALB's ARN suffix, unknown in a first preview, and declares the same dashboard there", async () => {
            const program = () => {
                const provider = new aws.Provider("aws", { region: "us-east-1" });
                const alb = new aws.lb.LoadBalancer("use1-ingress-alb", { region: "us-east-1" }, { provider });
                new Monitoring("use1-obs-metrics", argsOf({ alb: { arnSuffix: alb.arnSuffix } }), { providers: [provider] });
            };
            const plan = await evaluate({ stack: "test", config: { "aws:region": "us-east-1" } }, program);
            const preview = await evaluate({ stack: "test", config: { "aws:region": "us-east-1" }, preview: true }, program);
            const lb = one(plan, "aws:lb/loadBalancer:LoadBalancer", "use1-ingress-alb");
            const panel = (dashboardOf(plan).panels as Record<string, any>[]).find((p) => p.id === 10)!;
            assert.match(String(panel.targets[0].dimensions.LoadBalancer), /^app\/use1-ingress-alb-[0-9a-f]+\/[0-9a-f]{16}$/);
            const planned = one(plan, "kubernetes:core/v1:ConfigMap", "use1-obs-metrics-api-dashboard");
            assert.ok(planned.dependencies.includes(lb.urn), "the dashboard waits for the ALB");
            const map = one(preview, "kubernetes:core/v1:ConfigMap", "use1-obs-metrics-api-dashboard");
            assert.equal(map.inputs.data, UNKNOWN);
            assert.deepEqual(
                preview.resources.map((r) => r.urn),
                plan.resources.map((r) => r.urn),
            );
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
