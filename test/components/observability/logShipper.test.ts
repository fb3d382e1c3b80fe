import * as assert from "node:assert/strict";
import { LogShipper } from "../../../components/observability/logShipper";
import { ACCOUNT_ID } from "../../../plan/mocks";
import { type Evaluation } from "../../../plan/runtime";
import { chartOf, evaluateOf, k8sProvider, one, policyOf, RELEASE } from "../../support/harness";

describe("LogShipper", () => {
    const shipper = (region: string, code: string) =>
        evaluateOf(LogShipper, `${code}-fluent-bit`, {
            region,
            clusterName: `${code}-eks`,
            domainArn: `arn:aws:es:${region}:${ACCOUNT_ID}:domain/${code}-obs-logs`,
            domainEndpoint: `vpc-${code}-obs-logs-abc.${region}.es.amazonaws.com`,
            k8sProvider: k8sProvider(),
        });
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
            const statements = policyOf(one(ev, "aws:iam/rolePolicy:RolePolicy", `${code}-fluent-bit-policy`)).Statement;
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
        // Only this cluster's fluent-bit service account (Pod Identity's session tags; compute review F14).
        assert.deepEqual(JSON.parse(role.inputs.assumeRolePolicy as string).Statement, [
            {
                Effect: "Allow",
                Principal: { Service: "pods.eks.amazonaws.com" },
                Action: ["sts:AssumeRole", "sts:TagSession"],
                Condition: {
                    StringEquals: {
                        "aws:RequestTag/eks-cluster-name": "use1-eks",
                        "aws:RequestTag/kubernetes-namespace": "logging",
                        "aws:RequestTag/kubernetes-service-account": "fluent-bit",
                    },
                },
            },
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
        assert.equal(chartOf(release), "fluent-bit@0.58.1 from https://fluent.github.io/helm-charts in logging");
        const values = release.inputs.values as Record<string, unknown>;
        assert.equal(values.kind, "DaemonSet");
        assert.deepEqual(values.serviceAccount, { create: true, name: "fluent-bit" });
        // The chart's ServiceMonitor (port http, /api/v2/metrics/prometheus) lets Prometheus see dropped records.
        assert.deepEqual(values.serviceMonitor, { enabled: true, interval: "30s" });
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

    describe("on day 2: a restart or a domain outage loses no logs", () => {
        type Values = {
            config: { service: string; inputs: string; outputs: string };
            daemonSetVolumes: { name: string; hostPath: { path: string; type?: string } }[];
            daemonSetVolumeMounts: { name: string; mountPath: string; readOnly?: boolean }[];
            securityContext: Record<string, unknown>;
            updateStrategy: Record<string, unknown>;
        };
        let v: Values;
        const sections = (text: string, kind: string) => text.split(`[${kind}]`).slice(1);
        const setting = (section: string, key: string) => new RegExp(`^\\s+${key.replace(/\./g, "\\.")} (.+)$`, "m").exec(section)?.[1];
        before(() => {
            v = one(use1, RELEASE, "use1-fluent-bit-release").inputs.values as Values;
        });

        it("keeps each input's position in its own database and buffers both inputs on the filesystem", () => {
            const [tail, systemd] = sections(v.config.inputs, "INPUT");
            assert.equal(setting(tail, "Name"), "tail");
            assert.equal(setting(systemd, "Name"), "systemd");
            assert.equal(setting(tail, "DB"), "/var/fluent-bit/state/tail-containers.db");
            assert.equal(setting(systemd, "DB"), "/var/fluent-bit/state/systemd-kubelet.db");
            for (const input of [tail, systemd]) assert.equal(setting(input, "storage.type"), "filesystem");
            // A file the database does not know (a container started while Fluent Bit was down) is read from its start.
            assert.equal(setting(tail, "Read_from_Head"), "On");
            assert.equal(setting(tail, "Mem_Buf_Limit"), undefined, "does not apply to filesystem buffering");
            assert.equal(setting(tail, "multiline.parser"), "docker, cri");
            assert.equal(setting(systemd, "Systemd_Filter"), "_SYSTEMD_UNIT=kubelet.service");
        });

        it("stores the buffer under storage.path and keeps the chart's HTTP server (the ServiceMonitor's port 2020)", () => {
            const [service] = sections(v.config.service, "SERVICE");
            assert.equal(setting(service, "storage.path"), "/var/fluent-bit/state/buffer/");
            assert.equal(setting(service, "storage.max_chunks_up"), "64");
            assert.equal(setting(service, "scheduler.cap"), "300");
            // A chunk refused after its last retry is kept on the node's disk, bounded, not dropped unseen.
            assert.equal(setting(service, "storage.keep.rejected"), "On");
            assert.equal(setting(service, "storage.rejected.limit"), "1G");
            assert.equal(setting(service, "HTTP_Server"), "On");
            assert.equal(setting(service, "HTTP_Port"), "{{ .Values.metricsPort }}");
        });

        it("retries a chunk 60 times with ids from the records (no duplicates on a re-send), and bounds each output's buffer (3 GiB, 512 MiB)", () => {
            const outputs = sections(v.config.outputs, "OUTPUT");
            assert.deepEqual(
                outputs.map((o) => [
                    setting(o, "Match"),
                    setting(o, "Retry_Limit"),
                    setting(o, "Generate_ID"),
                    setting(o, "storage.total_limit_size"),
                ]),
                [
                    ["kube.*", "60", "On", "3G"],
                    ["host.*", "60", "On", "512M"],
                ],
            );
        });

        it("writes on the node only in its state directory, which holds the databases and the buffer", () => {
            const volumes = new Map(v.daemonSetVolumes.map((x) => [x.name, x.hostPath]));
            assert.deepEqual(
                [...volumes.keys()].sort(),
                ["etcmachineid", "state", "varlog"],
                "no /var/lib/docker/containers: AL2023 runs containerd",
            );
            const writable = v.daemonSetVolumeMounts.filter((m) => m.readOnly !== true);
            assert.deepEqual(writable, [{ name: "state", mountPath: "/var/fluent-bit/state" }]);
            assert.deepEqual(volumes.get("state"), { path: "/var/fluent-bit/state", type: "DirectoryOrCreate" });
            assert.deepEqual(volumes.get("varlog"), { path: "/var/log" });
            // Every file Fluent Bit writes lies under the writable mount, of a host directory (it outlives the pod).
            const written = [
                setting(sections(v.config.service, "SERVICE")[0], "storage.path")!,
                ...sections(v.config.inputs, "INPUT").map((i) => setting(i, "DB")!),
            ];
            for (const path of written) {
                const mount = writable.find((m) => path.startsWith(`${m.mountPath}/`));
                assert.ok(mount, `${path} is on a writable mount`);
                assert.equal(volumes.get(mount.name)?.path, mount.mountPath);
            }
            // And it reads the logs it tails (/var/log/containers, the journal under /var/log) through a read-only mount.
            assert.deepEqual(
                v.daemonSetVolumeMounts.find((m) => m.name === "varlog"),
                { name: "varlog", mountPath: "/var/log", readOnly: true },
            );
        });

        it("runs with no capability, no privilege escalation, a read-only root filesystem and RuntimeDefault seccomp, one node at a time", () => {
            assert.deepEqual(v.securityContext, {
                runAsUser: 0,
                privileged: false,
                allowPrivilegeEscalation: false,
                readOnlyRootFilesystem: true,
                capabilities: { drop: ["ALL"] },
                seccompProfile: { type: "RuntimeDefault" },
            });
            // Without surge, the old pod stops before the new one opens the node's databases.
            assert.deepEqual(v.updateStrategy, { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } });
        });
    });
});
