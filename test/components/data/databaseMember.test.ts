import * as assert from "node:assert/strict";
import {
    CA_CERTIFICATE,
    CLUSTER_PARAMETERS,
    INSTANCE_PARAMETERS,
    connectionBudgetProblems,
    defaultMaxConnections,
    parameterFamily,
} from "../../../components/data/aurora";
import { CLUSTER_WINDOWS, instanceMaintenanceWindow, memberProblems } from "../../../components/data/databaseMember";
import { mockZoneName } from "../../../plan/mocks";
import { type Evaluation, type RecordedResource } from "../../../plan/runtime";
import { AURORA_MAX_READERS } from "../../../regions/awsLimits";
import { DATA_REGIONS, dataPlan, fakeCell, keyArn, sgId } from "../../support/data";
import { isRegionalAws, ofType, one } from "../../support/harness";

const CLUSTER = "aws:rds/cluster:Cluster";
const KEY = "aws:kms/key:Key";
const INSTANCE = "aws:rds/clusterInstance:ClusterInstance";

describe("DatabaseMember", () => {
    let ev: Evaluation;
    let primary: RecordedResource;
    let secondary: RecordedResource;
    before(async () => {
        ev = await dataPlan(DATA_REGIONS);
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
        // On the primary it waits for a demotion (a switchover), then applies at once.
        assert.equal(primary.inputs.enableGlobalWriteForwarding, true);
        assert.ok(!primary.dependencies.some((d) => d.includes("euc1") || d.includes("apse1")));
        // A pinned engine minor applies in its wave, not in the maintenance window (docs/releases.md).
        assert.equal(primary.inputs.applyImmediately, true);
    });

    it("secondary: no username, password or database, global write forwarding on, joins after the primary's cluster and writer", () => {
        common(secondary, "eu-central-1", "euc1");
        for (const key of ["masterUsername", "masterPassword", "databaseName"]) assert.ok(!(key in secondary.inputs), key);
        assert.equal(secondary.inputs.enableGlobalWriteForwarding, true);
        assert.ok(secondary.dependencies.includes(primary.urn), "depends on the primary cluster");
        assert.ok(secondary.dependencies.includes(one(ev, INSTANCE, "use1-data-db-1").urn), "depends on the primary's writer");
    });

    // The primary also runs the master secret's rotation (its stack, security group and ingress rule)
    // and the database bootstrap (security group, ingress rule, log group, function, invocation)
    // and its backup plan and selection; every cell has a locked backup vault (vault, lock).
    // The cache's IAM users and user group replace its AUTH secret and value (+1). Every member
    // has a writer guard (log group, function, invocation; its role is global). Every cell has a
    // logically air-gapped vault (+1, issue 15).
    const regionalCount: Record<string, number> = { use1: 38, euc1: 28 };

    for (const [code, region] of [
        ["use1", "us-east-1"],
        ["euc1", "eu-central-1"],
    ] as const) {
        it(`${code}: a writer-capable instance and two readers, one per AZ, private, monitored, with Performance Insights on the region's key`, () => {
            const instances = ofType(ev, INSTANCE).filter((i) => i.name.startsWith(`${code}-data-db-`));
            assert.deepEqual(instances.map((i) => i.name).sort(), [`${code}-data-db-1`, `${code}-data-db-2`, `${code}-data-db-3`]);
            const cell = fakeCell(region);
            // The account's names of the catalog's AZ IDs (the mock's differ from the IDs' order), one
            // instance per AZ in the order of the IDs: three distinct AZs.
            const byName = [...instances].sort((a, b) => (a.name < b.name ? -1 : 1));
            assert.deepEqual(
                byName.map((i) => i.inputs.availabilityZone),
                cell.zoneIds.map((id) => mockZoneName(region, id)),
            );
            assert.equal(new Set(byName.map((i) => i.inputs.availabilityZone)).size, 3);
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
            // One maintenance slot each, an hour apart, so a deferred class change reboots one at a time.
            assert.deepEqual(
                byName.map((i) => i.inputs.preferredMaintenanceWindow),
                ["sun:06:00-sun:06:30", "sun:07:00-sun:07:30", "sun:08:00-sun:08:30"],
            );
        });

        it(`${code}: custom parameter groups of the version's family: TLS forced, logging on, the connection split, managed RPO on the primary only`, () => {
            const cp = one(ev, "aws:rds/clusterParameterGroup:ClusterParameterGroup", `${code}-data-db-cluster-params`);
            assert.equal(cp.inputs.family, "aurora-postgresql16");
            assert.deepEqual(
                cp.inputs.parameters,
                [...CLUSTER_PARAMETERS, ...(code === "use1" ? [{ name: "rds.global_db_rpo", value: "30" }] : [])].map((p) => ({
                    ...p,
                    applyMethod: "immediate",
                })),
            );
            const value = (name: string) => (cp.inputs.parameters as { name: string; value: string }[]).find((p) => p.name === name)?.value;
            assert.deepEqual(
                [value("apg_write_forward.max_forwarding_connections_percent"), value("apg_write_forward.consistency_mode")],
                ["25", "EVENTUAL"],
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
            assert.equal(regional.length, regionalCount[code]);
            assert.deepEqual(
                regional.filter((r) => r.inputs.region !== region).map((r) => r.name),
                [],
            );
        });
    }
});

describe("memberProblems", () => {
    const zoneIds = ["use1-az1", "use1-az2", "use1-az4"];
    const master = { username: "u", password: "p", databaseName: "d" };
    it("accepts a well-formed primary and secondary", () => {
        assert.deepEqual(memberProblems({ primary: true, readers: 2, zoneIds, master }), []);
        assert.deepEqual(memberProblems({ primary: false, readers: 2, zoneIds, dependsOn: [{} as never] }), []);
    });
    it("refuses fewer than 2 readers or 3 AZs", () => {
        assert.deepEqual(memberProblems({ primary: true, readers: 1, zoneIds: ["use1-az1", "use1-az2"], master }), [
            "readers is 1; at least 2 readers in distinct AZs are required",
            "zoneIds has 2 distinct zones; the writer and two readers need 3 distinct AZs",
        ]);
        assert.deepEqual(memberProblems({ primary: true, readers: 2, zoneIds: ["use1-az1", "use1-az1", "use1-az2"], master }), [
            "zoneIds has 2 distinct zones; the writer and two readers need 3 distinct AZs",
        ]);
    });
    it("refuses a primary without credentials", () => {
        assert.deepEqual(memberProblems({ primary: true, readers: 2, zoneIds }), ["the primary member needs master credentials (master)"]);
    });
    it("refuses a secondary with credentials, rotation, or nothing to join after", () => {
        assert.deepEqual(
            memberProblems({
                primary: false,
                readers: 2,
                zoneIds,
                master,
                rotation: { secretArn: "", secretKmsKeyArn: "", subnetIds: [] },
            }),
            [
                "a secondary member must not set master (the global cluster's primary owns the credentials)",
                "a secondary member must not rotate the master secret (the primary does)",
                "a secondary member must join after the primary (dependsOn: primary.readyForSecondaries)",
            ],
        );
    });
    it("refuses an engine pin of another major than the global cluster's (a major is the global cluster's); accepts a minor", () => {
        const secondary = { primary: false, readers: 2, zoneIds, dependsOn: [{} as never], engineVersion: "16.9" };
        assert.deepEqual(memberProblems({ ...secondary, engineVersionPin: "17.5" }), [
            "engineVersionPin 17.5 is another major than the global cluster's 16.9; a major is upgraded on the global cluster",
        ]);
        assert.deepEqual(memberProblems({ ...secondary, engineVersionPin: "16.10" }), []);
    });
    it("derives the parameter family from the major version", () => {
        assert.equal(parameterFamily("16.9"), "aurora-postgresql16");
        assert.equal(parameterFamily("17.5"), "aurora-postgresql17");
    });
});

describe("instanceMaintenanceWindow", () => {
    /** Minutes from Sunday 00:00 of a window's start and end ("sun:HH:MM-sun:HH:MM"). */
    function minutes(window: string): [number, number] {
        const m = /^sun:(\d\d):(\d\d)-sun:(\d\d):(\d\d)$/.exec(window);
        assert.ok(m, `${window} is a Sunday window in RDS's ddd:hh24:mi-ddd:hh24:mi format`);
        return [Number(m[1]) * 60 + Number(m[2]), Number(m[3]) * 60 + Number(m[4])];
    }
    const backup = CLUSTER_WINDOWS.backup.split("-").map((t) => Number(t.slice(0, 2)) * 60 + Number(t.slice(3)));
    const cluster = minutes(CLUSTER_WINDOWS.maintenance);

    it("gives each of a member's 16 possible instances 30 minutes an hour from the next, after the backup and cluster windows", () => {
        const windows = Array.from({ length: 1 + AURORA_MAX_READERS }, (_, i) => minutes(instanceMaintenanceWindow(i)));
        for (const [i, [start, end]] of windows.entries()) {
            assert.equal(end - start, 30, "AWS's minimum, and no longer");
            assert.ok(start >= backup[1]! && start >= cluster[1], `instance ${i} starts after the backup and cluster windows`);
            if (i > 0) assert.equal(start - windows[i - 1]![0], 60, "an hour after the previous instance's");
        }
        assert.ok(windows.at(-1)![1] <= 24 * 60, "all on the Sunday");
    });

    it("refuses an index no member has", () => {
        assert.throws(() => instanceMaintenanceWindow(16), /index 16 is not an instance of a member \(0 to 15\)/);
        assert.throws(() => instanceMaintenanceWindow(-1), /index -1/);
    });
});

describe("the writer's connection budget", () => {
    it("splits max_connections without oversubscription, and names what is over", () => {
        assert.deepEqual(connectionBudgetProblems({ proxyPercent: 65, writeForwardingPercent: 25, reservedPercent: 10 }), []);
        // The split the review found: proxy 80 % beside the default 25 % forwarding quota.
        assert.deepEqual(connectionBudgetProblems({ proxyPercent: 80, writeForwardingPercent: 25, reservedPercent: 0 }), [
            "the writer's connections are oversubscribed: proxy 80 % + write forwarding 25 % + reserved 0 % = 105 % > 100 %",
        ]);
    });
    it("computes Aurora PostgreSQL's default max_connections: LEAST(DBInstanceClassMemory/9531392, 5000)", () => {
        assert.equal(defaultMaxConnections(16 * 1024 ** 3), 1802);
        assert.equal(defaultMaxConnections(512 * 1024 ** 3), 5000);
    });
});
