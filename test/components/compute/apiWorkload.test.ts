import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { ApiWorkload, type ApiWorkloadArgs, POD_IDENTITY_AGENT, dataConnectionArgs } from "../../../components/compute/apiWorkload";
import { type DataConnection } from "../../../components/data/dataTier";
import { type Evaluation } from "../../../plan/runtime";
import { isRegionalAws, ofType, one, evaluateOf } from "../../support/harness";

const IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/api@sha256:4f1c8e0b7a9d2c3e5f6a7b8c9d0e1f2a3b4c5d6e7f8091a2b3c4d5e6f7a8b9c0";
const TG = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/use1-ingress-tg-1234567/0123456789abcdef";
const ARGS: ApiWorkloadArgs = {
    region: "us-east-1",
    clusterName: "platform-test-use1",
    image: IMAGE,
    port: 8080,
    healthPath: "/healthz",
    replicas: { min: 6, max: 36 },
    cpuMillicores: 500,
    memoryMiB: 512,
    targetGroupArn: TG,
    vpcCidr: "10.10.0.0/16",
    albSubnetCidrs: ["10.10.192.0/21", "10.10.200.0/21", "10.10.208.0/21"],
};

type Json = Record<string, any>;

describe("ApiWorkload", () => {
    let ev: Evaluation;
    const spec = (type: string, name: string): Json => one(ev, type, name).inputs.spec as Json;
    const pod = (): Json => spec("kubernetes:apps/v1:Deployment", "use1-api-deployment").template.spec;
    before(async () => {
        ev = await evaluateOf(ApiWorkload, "use1-api", ARGS);
    });

    it("runs in its own namespace with Pod Security 'restricted' enforced and ALB readiness gates", () => {
        const labels = (one(ev, "kubernetes:core/v1:Namespace", "use1-api-ns").inputs.metadata as Json).labels;
        assert.equal(labels["pod-security.kubernetes.io/enforce"], "restricted");
        assert.equal(labels["pod-security.kubernetes.io/enforce-version"], "latest");
        assert.equal(labels["elbv2.k8s.aws/pod-readiness-gate-inject"], "enabled");
        for (const r of ev.resources.filter((r) => r.type.startsWith("kubernetes:") && r.type !== "kubernetes:core/v1:Namespace")) {
            assert.equal((r.inputs.metadata as Json).namespace, "api", r.name);
        }
    });

    it("gives the pods their own IAM role through Pod Identity, with no Kubernetes API token", () => {
        const sa = one(ev, "kubernetes:core/v1:ServiceAccount", "use1-api-sa");
        assert.equal(sa.inputs.automountServiceAccountToken, false);
        const association = one(ev, "aws:eks/podIdentityAssociation:PodIdentityAssociation", "use1-api-app-pod-identity");
        assert.deepEqual(
            [association.inputs.clusterName, association.inputs.namespace, association.inputs.serviceAccount],
            ["platform-test-use1", "api", "api"],
        );
        const trust = JSON.parse(one(ev, "aws:iam/role:Role", "use1-api-app-role").inputs.assumeRolePolicy as string).Statement[0];
        assert.deepEqual(trust.Principal, { Service: "pods.eks.amazonaws.com" });
        // The role admits the association's own service account only, whatever else the account associates.
        assert.deepEqual(trust.Condition.StringEquals, {
            "aws:RequestTag/eks-cluster-name": "platform-test-use1",
            "aws:RequestTag/kubernetes-namespace": "api",
            "aws:RequestTag/kubernetes-service-account": "api",
        });
        assert.equal(pod().serviceAccountName, "api");
        assert.deepEqual(ofType(ev, "aws:iam/rolePolicy:RolePolicy"), [], "no secrets handed in: no permissions");
    });

    it("runs the image pinned by digest with requests, limits and the three probes on the health path", () => {
        const [container] = pod().containers;
        assert.equal(container.image, IMAGE);
        assert.deepEqual(container.resources, { requests: { cpu: "500m", memory: "512Mi" }, limits: { cpu: "1000m", memory: "512Mi" } });
        for (const probe of ["startupProbe", "readinessProbe", "livenessProbe"]) {
            assert.deepEqual(container[probe].httpGet, { path: "/healthz", port: "http" }, probe);
        }
        assert.deepEqual(container.ports, [{ name: "http", containerPort: 8080, protocol: "TCP" }]);
    });

    it("runs non-root, without privilege escalation or capabilities, seccomp RuntimeDefault, read-only root", () => {
        const podSpec = pod();
        assert.equal(podSpec.securityContext.runAsNonRoot, true);
        assert.deepEqual(podSpec.securityContext.seccompProfile, { type: "RuntimeDefault" });
        const { securityContext } = podSpec.containers[0];
        assert.deepEqual(securityContext, {
            allowPrivilegeEscalation: false,
            readOnlyRootFilesystem: true,
            runAsNonRoot: true,
            capabilities: { drop: ["ALL"] },
            seccompProfile: { type: "RuntimeDefault" },
        });
        assert.equal(podSpec.automountServiceAccountToken, false);
    });

    it("spreads over zones, rolls without losing capacity and shuts down gracefully", () => {
        const deployment = spec("kubernetes:apps/v1:Deployment", "use1-api-deployment");
        assert.equal(deployment.replicas, undefined, "the HPA owns the count");
        assert.deepEqual(deployment.strategy, { type: "RollingUpdate", rollingUpdate: { maxSurge: "25%", maxUnavailable: 0 } });
        const podSpec = pod();
        const labelSelector = { matchLabels: { "app.kubernetes.io/name": "api", "app.kubernetes.io/part-of": "platform" } };
        // Soft, and blind to tainted (unreachable) nodes: a lost zone never blocks the others' scale-out.
        assert.deepEqual(podSpec.topologySpreadConstraints, [
            {
                maxSkew: 1,
                topologyKey: "topology.kubernetes.io/zone",
                whenUnsatisfiable: "ScheduleAnyway",
                nodeTaintsPolicy: "Honor",
                matchLabelKeys: ["pod-template-hash"],
                labelSelector,
            },
            {
                maxSkew: 1,
                topologyKey: "kubernetes.io/hostname",
                whenUnsatisfiable: "ScheduleAnyway",
                nodeTaintsPolicy: "Honor",
                matchLabelKeys: ["pod-template-hash"],
                labelSelector,
            },
        ]);
        assert.deepEqual(podSpec.containers[0].lifecycle, { preStop: { sleep: { seconds: 20 } } });
        assert.equal(podSpec.terminationGracePeriodSeconds, 60);
        assert.ok(podSpec.terminationGracePeriodSeconds > 20 + 30, "grace covers the preStop sleep and the ALB's deregistration delay");
    });

    it("autoscales on 70% CPU within the given range", () => {
        const hpa = spec("kubernetes:autoscaling/v2:HorizontalPodAutoscaler", "use1-api-hpa");
        assert.deepEqual(hpa.scaleTargetRef, { apiVersion: "apps/v1", kind: "Deployment", name: "api" });
        assert.deepEqual([hpa.minReplicas, hpa.maxReplicas], [6, 36]);
        assert.deepEqual(hpa.metrics, [
            { type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 70 } } },
        ]);
    });

    it("lets a node drain: the PDB allows one pod down, not minAvailable = replicas", () => {
        const pdb = spec("kubernetes:policy/v1:PodDisruptionBudget", "use1-api-pdb");
        assert.equal(pdb.maxUnavailable, 1);
        assert.equal(pdb.minAvailable, undefined);
    });

    it("admits the app port from the ALB's subnets and Prometheus only, and lets out only DNS, the data tier, Pod Identity and HTTPS", () => {
        const policy = spec("kubernetes:networking.k8s.io/v1:NetworkPolicy", "use1-api-netpol");
        assert.deepEqual(policy.policyTypes, ["Ingress", "Egress"]);
        // Not the VPC's CIDR: every pod has a VPC address (compute review F14).
        assert.deepEqual(policy.ingress, [
            {
                from: [
                    { ipBlock: { cidr: "10.10.192.0/21" } },
                    { ipBlock: { cidr: "10.10.200.0/21" } },
                    { ipBlock: { cidr: "10.10.208.0/21" } },
                    { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } } },
                ],
                ports: [{ protocol: "TCP", port: 8080 }],
            },
        ]);
        const ports = policy.egress.map((e: Json) => e.ports.map((p: Json) => `${p.protocol}/${p.port}`).join(","));
        assert.deepEqual(ports, ["UDP/53,TCP/53", "TCP/5432,TCP/6379", "TCP/80", "TCP/443"]);
        assert.deepEqual(policy.egress[1].to, [{ ipBlock: { cidr: "10.10.0.0/16" } }]);
        assert.deepEqual(policy.egress[2].to, [{ ipBlock: { cidr: POD_IDENTITY_AGENT } }]);
    });

    it("binds the Service to the ALB's target group by pod IP", () => {
        const service = spec("kubernetes:core/v1:Service", "use1-api-service");
        assert.deepEqual(service.ports, [{ name: "http", port: 8080, targetPort: "http", protocol: "TCP" }]);
        const binding = one(ev, "kubernetes:elbv2.k8s.aws/v1beta1:TargetGroupBinding", "use1-api-tgb");
        assert.deepEqual(binding.inputs.spec, { serviceRef: { name: "api", port: 8080 }, targetGroupARN: TG, targetType: "ip" });
        // spec.targetGroupARN is immutable (the controller's webhook refuses a change): replaced, old one first.
        assert.deepEqual([binding.replaceOnChanges, binding.deleteBeforeReplace], [["spec.targetGroupARN"], true]);
        assert.ok(
            one(ev, "kubernetes:apps/v1:Deployment", "use1-api-deployment").dependencies.includes(binding.urn),
            "pods are created after the binding, so they get ALB readiness gates",
        );
    });

    it("puts every regional resource in the cell's region", () => {
        const regional = ev.resources.filter(isRegionalAws);
        assert.equal(regional.length, 1);
        assert.equal(regional[0].inputs.region, "us-east-1");
    });
});

describe("ApiWorkload with connection settings from the data tier", () => {
    let ev: Evaluation;
    const SECRET = "arn:aws:secretsmanager:us-east-1:123456789012:secret:use1-db-app-AbCdEf";
    const KEY = "arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555";
    const CONNECT = "arn:aws:rds-db:us-east-1:123456789012:dbuser:prx-0123456789abcdef0/app";
    before(async () => {
        ev = await evaluateOf(ApiWorkload, "use1-api", {
            ...ARGS,
            env: {
                DB_PROXY_ENDPOINT: "use1-db-proxy.proxy-abc.us-east-1.rds.amazonaws.com",
                CACHE_ENDPOINT: "clustercfg.use1-cache.abc.use1.cache.amazonaws.com",
            },
            secretArns: { DB_SECRET_ARN: SECRET },
            secretKmsKeyArns: [KEY],
            databaseConnectArns: [CONNECT],
            dataPorts: [5432],
        });
    });

    it("passes endpoints as plain env values and secrets only by ARN", () => {
        const env = (one(ev, "kubernetes:apps/v1:Deployment", "use1-api-deployment").inputs.spec as Json).template.spec.containers[0]
            .env as Json[];
        assert.deepEqual(
            env.map((e) => e.name),
            ["PORT", "AWS_REGION", "DB_PROXY_ENDPOINT", "CACHE_ENDPOINT", "DB_SECRET_ARN"],
        );
        assert.equal(env.find((e) => e.name === "DB_SECRET_ARN")!.value, SECRET);
        assert.ok(env.every((e) => e.valueFrom === undefined));
    });

    it("lets the pods' role read exactly the secrets handed in, and decrypt them only through Secrets Manager", () => {
        const policy = JSON.parse(one(ev, "aws:iam/rolePolicy:RolePolicy", "use1-api-app-policy").inputs.policy as string);
        assert.deepEqual(policy.Statement[0].Resource, [SECRET]);
        assert.deepEqual(policy.Statement[0].Action, ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"]);
        assert.deepEqual(policy.Statement[1].Resource, [KEY]);
        assert.deepEqual(policy.Statement[1].Condition, { StringLike: { "kms:ViaService": "secretsmanager.*.amazonaws.com" } });
        assert.deepEqual(policy.Statement[2], { Sid: "ConnectToDatabase", Effect: "Allow", Action: "rds-db:connect", Resource: [CONNECT] });
    });

    it("opens egress to the data ports handed in", () => {
        const policy = one(ev, "kubernetes:networking.k8s.io/v1:NetworkPolicy", "use1-api-netpol").inputs.spec as Json;
        assert.deepEqual(policy.egress[1].ports, [{ protocol: "TCP", port: 5432 }]);
    });
});

describe("dataConnectionArgs", () => {
    it("hands the data tier's endpoints in as plain values, its secrets by ARN and its ports to the NetworkPolicy", async () => {
        const o = (v: string) => pulumi.output(v);
        const connection: DataConnection = {
            databaseWriterEndpoint: o("w.proxy"),
            databaseReaderEndpoint: o("r.proxy"),
            databasePort: 5432,
            databaseName: "app",
            databaseUser: "app",
            databaseConnectArn: o("arn:aws:rds-db:eu-central-1:123456789012:dbuser:prx-1/app"),
            cacheEndpoint: o("clustercfg.cache"),
            cachePort: 6379,
            cacheUser: "platform-prod-euc1-app",
            cacheName: o("euc1-data-cache"),
            cacheConnectArns: [o("arn:aws:elasticache:eu-central-1:123456789012:replicationgroup:g")],
            secretArns: [],
            secretKmsKeyArns: [o("arn:aws:kms:eu-central-1:123456789012:key/k")],
        };
        const args = dataConnectionArgs(connection);
        assert.deepEqual(Object.keys(args.env!), [
            "DB_WRITER_ENDPOINT",
            "DB_READER_ENDPOINT",
            "DB_PORT",
            "DB_NAME",
            "DB_USER",
            "CACHE_ENDPOINT",
            "CACHE_PORT",
            "CACHE_USER",
            // The replication group's id, which the cache's IAM token is signed for.
            "CACHE_NAME",
        ]);
        assert.deepEqual([args.env!.DB_PORT, args.env!.CACHE_PORT], ["5432", "6379"]);
        assert.deepEqual(Object.keys(args.secretArns!), [], "IAM for the database and the cache: no secret to read");
        assert.equal(args.cacheConnectArns!.length, 1);
        assert.deepEqual(args.dataPorts, [5432, 6379]);
        assert.equal(args.databaseConnectArns!.length, 1);
    });
});
