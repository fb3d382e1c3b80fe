import * as assert from "node:assert/strict";
import {
    CA_CERTIFICATE,
    CLUSTER_PARAMETERS,
    INSTANCE_PARAMETERS,
    PASSWORD_SPECIALS,
    ROTATION_APP_ID,
    ROTATION_APP_VERSION,
    memberProblems,
    parameterFamily,
} from "../../../components/data/database";
import { hexOf } from "../../../plan/mocks";
import { type Evaluation, type RecordedResource } from "../../../plan/runtime";
import { dataPlan, fakeCell } from "../../support/data";
import { isRegionalAws, ofType, one } from "../../support/harness";

const CLUSTER = "aws:rds/cluster:Cluster";
const INSTANCE = "aws:rds/clusterInstance:ClusterInstance";
const KEY = "aws:kms/key:Key";

describe("GlobalDatabase", () => {
    let ev: Evaluation;
    before(async () => {
        ev = await dataPlan(["us-east-1", "eu-central-1", "ap-southeast-1"]);
    });

    it("declares an encrypted, deletion-protected, protected global cluster in the primary region", () => {
        const g = one(ev, "aws:rds/globalCluster:GlobalCluster", "use1-global-db-cluster");
        assert.deepEqual(
            [
                g.inputs.region,
                g.inputs.globalClusterIdentifier,
                g.inputs.engine,
                g.inputs.engineVersion,
                g.inputs.storageEncrypted,
                g.inputs.deletionProtection,
            ],
            ["us-east-1", "platform-test", "aurora-postgresql", "16.9", true, true],
        );
        assert.equal(g.protect, true);
        assert.equal(ofType(ev, "aws:rds/globalCluster:GlobalCluster").length, 1);
    });

    it("generates the master password as a secret with characters RDS accepts", () => {
        const p = one(ev, "random:index/randomPassword:RandomPassword", "use1-global-db-master-password");
        assert.deepEqual([p.inputs.length, p.inputs.special, p.inputs.overrideSpecial], [40, true, PASSWORD_SPECIALS]);
        for (const forbidden of ["/", "@", '"', " ", "'", "\\"]) assert.ok(!PASSWORD_SPECIALS.includes(forbidden), forbidden);
    });

    it("stores the credentials in a KMS-encrypted, protected secret whose value Pulumi writes once", () => {
        const key = one(ev, KEY, "use1-global-db-secret-key");
        assert.deepEqual([key.inputs.region, key.inputs.enableKeyRotation, key.protect], ["us-east-1", true, true]);
        const secret = one(ev, "aws:secretsmanager/secret:Secret", "use1-global-db-master-secret");
        assert.deepEqual([secret.inputs.region, secret.inputs.recoveryWindowInDays, secret.protect], ["us-east-1", 30, true]);
        assert.ok(secret.dependencies.includes(key.urn));
        const value = one(ev, "aws:secretsmanager/secretVersion:SecretVersion", "use1-global-db-master-secret-value");
        assert.equal(value.inputs.secretString, "[secret]");
        assert.deepEqual(value.ignoreChanges, ["secretString", "region"]);
        const json = JSON.parse(value.rawInputs.secretString as string);
        assert.deepEqual(Object.keys(json).sort(), ["dbname", "engine", "host", "password", "port", "username"]);
        assert.deepEqual([json.engine, json.port, json.username, json.dbname], ["postgres", 5433, "platform_admin", "api"]);
        assert.match(json.host, /^platform-test\.global-[0-9a-f]{10}\.global\.rds\.amazonaws\.com$/);
        assert.equal(json.password.length, 40);
    });
});

describe("DatabaseMember", () => {
    let ev: Evaluation;
    let primary: RecordedResource;
    let secondary: RecordedResource;
    before(async () => {
        ev = await dataPlan(["us-east-1", "eu-central-1", "ap-southeast-1"]);
        primary = one(ev, CLUSTER, "use1-data-db-cluster");
        secondary = one(ev, CLUSTER, "euc1-data-db-cluster");
    });

    const common = (c: RecordedResource, region: string, code: string) => {
        assert.equal(c.inputs.region, region);
        assert.equal(c.inputs.engine, "aurora-postgresql");
        assert.equal(c.inputs.engineVersion, "16.9");
        assert.equal(c.inputs.globalClusterIdentifier, "platform-test");
        assert.equal(c.inputs.port, 5433);
        assert.equal(c.inputs.storageEncrypted, true);
        assert.equal(c.inputs.kmsKeyId, keyArn(region, `${code}-data-db-key`));
        assert.equal(c.inputs.iamDatabaseAuthenticationEnabled, true);
        assert.equal(c.inputs.backupRetentionPeriod, 14);
        assert.equal(c.inputs.copyTagsToSnapshot, true);
        assert.equal(c.inputs.deletionProtection, true);
        assert.equal(c.inputs.skipFinalSnapshot, false);
        assert.equal(c.inputs.finalSnapshotIdentifier, `${code}-data-db-final`);
        assert.deepEqual(c.inputs.enabledCloudwatchLogsExports, ["postgresql"]);
        assert.deepEqual(c.inputs.vpcSecurityGroupIds, [sgId(`${code}-data-db-sg`)]);
        assert.match(c.inputs.dbSubnetGroupName as string, new RegExp(`^${code}-data-db-subnets-[0-9a-f]{7}$`));
        assert.match(c.inputs.dbClusterParameterGroupName as string, new RegExp(`^${code}-data-db-cluster-params-[0-9a-f]{7}$`));
        assert.equal(c.protect, true);
        assert.deepEqual([...c.ignoreChanges].sort(), [
            "databaseName",
            "engineVersion",
            "masterPassword",
            "masterUsername",
            "replicationSourceIdentifier",
        ]);
    };

    it("primary: a protected, encrypted cluster with the master user, database and every safety setting", () => {
        common(primary, "us-east-1", "use1");
        assert.equal(primary.inputs.masterUsername, "platform_admin");
        assert.equal(primary.inputs.masterPassword, "[secret]");
        assert.equal(
            primary.rawInputs.masterPassword,
            JSON.parse(
                one(ev, "aws:secretsmanager/secretVersion:SecretVersion", "use1-global-db-master-secret-value").rawInputs
                    .secretString as string,
            ).password,
        );
        assert.equal(primary.inputs.databaseName, "api");
        assert.equal(primary.inputs.enableGlobalWriteForwarding, undefined);
        assert.ok(!primary.dependencies.some((d) => d.includes("euc1") || d.includes("apse1")));
    });

    it("secondary: no username, password or database, global write forwarding on, joins after the primary's cluster and writer", () => {
        common(secondary, "eu-central-1", "euc1");
        for (const key of ["masterUsername", "masterPassword", "databaseName"]) assert.ok(!(key in secondary.inputs), key);
        assert.equal(secondary.inputs.enableGlobalWriteForwarding, true);
        assert.ok(secondary.dependencies.includes(primary.urn), "depends on the primary cluster");
        assert.ok(secondary.dependencies.includes(one(ev, INSTANCE, "use1-data-db-1").urn), "depends on the primary's writer");
    });

    for (const [code, region] of [
        ["use1", "us-east-1"],
        ["euc1", "eu-central-1"],
    ] as const) {
        it(`${code}: a writer-capable instance and two readers, one per AZ, private, monitored, with Performance Insights on the region's key`, () => {
            const instances = ofType(ev, INSTANCE).filter((i) => i.name.startsWith(`${code}-data-db-`));
            assert.deepEqual(instances.map((i) => i.name).sort(), [`${code}-data-db-1`, `${code}-data-db-2`, `${code}-data-db-3`]);
            const cell = fakeCell(region);
            assert.deepEqual(instances.map((i) => i.inputs.availabilityZone).sort(), [...cell.azs]);
            const key = one(ev, KEY, `${code}-data-db-key`);
            const role = one(ev, "aws:iam/role:Role", `${code}-data-db-monitoring-role`);
            for (const i of instances) {
                assert.equal(i.inputs.region, region);
                assert.equal(i.inputs.engine, "aurora-postgresql");
                assert.equal(i.inputs.instanceClass, "db.r7g.large");
                assert.equal(i.inputs.publiclyAccessible, false);
                assert.equal(i.inputs.autoMinorVersionUpgrade, false);
                assert.equal(i.inputs.caCertIdentifier, CA_CERTIFICATE);
                assert.equal(i.inputs.copyTagsToSnapshot, true);
                assert.equal(i.inputs.monitoringInterval, 15);
                assert.match(
                    i.inputs.monitoringRoleArn as string,
                    new RegExp(`^arn:aws:iam::123456789012:role/${code}-data-db-monitoring-role-[0-9a-f]{7}$`),
                );
                assert.equal(i.inputs.performanceInsightsEnabled, true);
                assert.equal(i.inputs.performanceInsightsRetentionPeriod, 7);
                assert.ok(i.dependencies.includes(key.urn), "PI encrypted with the region's key");
                assert.equal(i.inputs.performanceInsightsKmsKeyId, keyArn(region, `${code}-data-db-key`));
                assert.deepEqual(i.ignoreChanges, ["engineVersion"]);
                assert.equal(i.protect, false, "instances hold no data: the reader count stays a config knob");
                assert.ok(
                    i.dependencies.includes(role.urn) ||
                        i.dependencies.includes(
                            one(ev, "aws:iam/rolePolicyAttachment:RolePolicyAttachment", `${code}-data-db-monitoring-policy`).urn,
                        ),
                );
            }
            assert.deepEqual(
                instances.map((i) => i.inputs.promotionTier),
                [0, 1, 1],
            );
        });

        it(`${code}: custom parameter groups of the version's family: TLS forced, logging on`, () => {
            const cp = one(ev, "aws:rds/clusterParameterGroup:ClusterParameterGroup", `${code}-data-db-cluster-params`);
            assert.equal(cp.inputs.family, "aurora-postgresql16");
            assert.deepEqual(
                cp.inputs.parameters,
                CLUSTER_PARAMETERS.map((p) => ({ ...p, applyMethod: "immediate" })),
            );
            assert.ok(
                (cp.inputs.parameters as { name: string; value: string }[]).some((p) => p.name === "rds.force_ssl" && p.value === "1"),
            );
            const ip = one(ev, "aws:rds/parameterGroup:ParameterGroup", `${code}-data-db-instance-params`);
            assert.equal(ip.inputs.family, "aurora-postgresql16");
            assert.deepEqual(
                ip.inputs.parameters,
                INSTANCE_PARAMETERS.map((p) => ({ ...p, applyMethod: "immediate" })),
            );
            const cluster = one(ev, CLUSTER, `${code}-data-db-cluster`);
            assert.ok(cluster.dependencies.includes(cp.urn));
        });

        it(`${code}: a rotated, protected KMS key, a subnet group on the isolated subnets and a security group with no inline rules`, () => {
            const key = one(ev, KEY, `${code}-data-db-key`);
            assert.deepEqual(
                [key.inputs.region, key.inputs.enableKeyRotation, key.inputs.deletionWindowInDays, key.protect],
                [region, true, 30, true],
            );
            const subnets = one(ev, "aws:rds/subnetGroup:SubnetGroup", `${code}-data-db-subnets`);
            assert.deepEqual(subnets.inputs.subnetIds, fakeCell(region).isolatedSubnetIds);
            const sg = one(ev, "aws:ec2/securityGroup:SecurityGroup", `${code}-data-db-sg`);
            assert.equal(sg.inputs.vpcId, fakeCell(region).vpcId);
            assert.ok(!("ingress" in sg.inputs) && !("egress" in sg.inputs));
        });

        it(`${code}: every regional resource carries ${region}`, () => {
            const regional = ev.resources.filter((r) => isRegionalAws(r) && r.name.startsWith(`${code}-data`));
            assert.ok(regional.length > 20);
            assert.deepEqual(
                regional.filter((r) => r.inputs.region !== region).map((r) => r.name),
                [],
            );
        });
    }

    it("primary only: rotates the master secret with AWS's function in the private subnets", () => {
        const app = one(ev, "aws:serverlessrepository/cloudFormationStack:CloudFormationStack", "use1-data-db-rotation");
        assert.equal(app.inputs.region, "us-east-1");
        assert.equal(app.inputs.applicationId, ROTATION_APP_ID);
        assert.equal(app.inputs.semanticVersion, ROTATION_APP_VERSION);
        assert.deepEqual(app.inputs.capabilities, ["CAPABILITY_IAM", "CAPABILITY_RESOURCE_POLICY"]);
        const params = app.inputs.parameters as Record<string, string>;
        assert.equal(params.endpoint, "https://secretsmanager.us-east-1.amazonaws.com");
        assert.equal(params.vpcSubnetIds, fakeCell("us-east-1").privateSubnetIds.join(","));
        assert.equal(params.kmsKeyArn, keyArn("us-east-1", "use1-global-db-secret-key"));
        const rotation = one(ev, "aws:secretsmanager/secretRotation:SecretRotation", "use1-global-db-master-rotation");
        assert.equal(rotation.inputs.region, "us-east-1");
        assert.deepEqual(rotation.inputs.rotationRules, { automaticallyAfterDays: 30 });
        assert.equal(rotation.inputs.rotationLambdaArn, "arn:aws:lambda:us-east-1:123456789012:function:use1-data-db-master-rotation");
        assert.match(
            rotation.inputs.secretId as string,
            /^arn:aws:secretsmanager:us-east-1:123456789012:secret:use1-global-db-master-secret-/,
        );
        const ingress = one(ev, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "use1-data-db-from-rotation");
        assert.deepEqual([ingress.inputs.fromPort, ingress.inputs.toPort, ingress.inputs.ipProtocol], [5433, 5433, "tcp"]);
        assert.deepEqual(
            ofType(ev, "aws:secretsmanager/secretRotation:SecretRotation").map((r) => r.name),
            ["use1-global-db-master-rotation"],
        );
        assert.deepEqual(
            ofType(ev, "aws:serverlessrepository/cloudFormationStack:CloudFormationStack").map((r) => r.name),
            ["use1-data-db-rotation"],
        );
    });
});

describe("memberProblems", () => {
    const azs = ["a", "b", "c"];
    const master = { username: "u", password: "p", databaseName: "d" };
    it("accepts a well-formed primary and secondary", () => {
        assert.deepEqual(memberProblems({ primary: true, readers: 2, azs, master }), []);
        assert.deepEqual(memberProblems({ primary: false, readers: 2, azs, dependsOn: [{} as never] }), []);
    });
    it("refuses fewer than 2 readers or 3 AZs", () => {
        assert.deepEqual(memberProblems({ primary: true, readers: 1, azs: ["a", "b"], master }), [
            "readers is 1; at least 2 readers in distinct AZs are required",
            "azs has 2 zones; the writer and two readers need 3 distinct AZs",
        ]);
    });
    it("refuses a primary without credentials", () => {
        assert.deepEqual(memberProblems({ primary: true, readers: 2, azs }), ["the primary member needs master credentials (master)"]);
    });
    it("refuses a secondary with credentials, rotation, or nothing to join after", () => {
        assert.deepEqual(
            memberProblems({ primary: false, readers: 2, azs, master, rotation: { secretArn: "", secretKmsKeyArn: "", subnetIds: [] } }),
            [
                "a secondary member must not set master (the global cluster's primary owns the credentials)",
                "a secondary member must not rotate the master secret (the primary does)",
                "a secondary member must join after the primary (dependsOn: primary.readyForSecondaries)",
            ],
        );
    });
    it("derives the parameter family from the major version", () => {
        assert.equal(parameterFamily("16.9"), "aurora-postgresql16");
        assert.equal(parameterFamily("17.5"), "aurora-postgresql17");
    });
});

/** The ARN the mocks give the KMS key `name` of `region` (plan/mocks.ts derives ids from type and name). */
function keyArn(region: string, name: string): string {
    const h = hexOf(`${KEY}|${name}|`, 32);
    return `arn:aws:kms:${region}:123456789012:key/${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

function sgId(name: string): string {
    return `sg-0${hexOf(`aws:ec2/securityGroup:SecurityGroup|${name}|`, 16)}`;
}
