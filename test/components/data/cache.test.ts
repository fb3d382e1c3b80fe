import * as assert from "node:assert/strict";
import { Cache, cacheParameterGroup, cacheProblems } from "../../../components/data/cache";
import { EvaluationError, type Evaluation } from "../../../plan/runtime";
import { DATA_REGIONS, dataPlan, PRIMARY_AND_SECONDARY } from "../../support/data";
import { ofType, one, evaluateOf } from "../../support/harness";

describe("Cache", () => {
    let ev: Evaluation;
    before(async () => {
        ev = await dataPlan(DATA_REGIONS);
    });

    for (const cell of PRIMARY_AND_SECONDARY) {
        const { code, region } = cell;

        it(`${code}: Valkey in cluster mode, 3 shards × 1 replica, multi-AZ with automatic failover`, () => {
            const g = one(ev, "aws:elasticache/replicationGroup:ReplicationGroup", `${code}-data-cache-valkey`);
            assert.equal(g.inputs.region, region);
            assert.equal(g.inputs.engine, "valkey");
            assert.equal(g.inputs.engineVersion, "8.1");
            assert.equal(g.inputs.parameterGroupName, "default.valkey8.cluster.on");
            assert.equal(g.inputs.nodeType, "cache.r7g.large");
            assert.equal(g.inputs.port, 6379);
            assert.equal(g.inputs.clusterMode, "enabled");
            assert.equal(g.inputs.numNodeGroups, 3);
            assert.equal(g.inputs.replicasPerNodeGroup, 1);
            assert.equal(g.inputs.automaticFailoverEnabled, true);
            assert.equal(g.inputs.multiAzEnabled, true);
            assert.ok(!("globalReplicationGroupId" in g.inputs), "regional: no Global Datastore");
        });

        it(`${code}: TLS required, encrypted at rest with the region's key, IAM authentication and no static secret`, () => {
            const g = one(ev, "aws:elasticache/replicationGroup:ReplicationGroup", `${code}-data-cache-valkey`);
            assert.equal(g.inputs.transitEncryptionEnabled, true);
            assert.equal(g.inputs.transitEncryptionMode, "required");
            assert.equal(g.inputs.atRestEncryptionEnabled, true);
            assert.ok(g.dependencies.includes(one(ev, "aws:kms/key:Key", `${code}-data-db-key`).urn));
            assert.match(g.inputs.kmsKeyId as string, new RegExp(`^arn:aws:kms:${region}:123456789012:key/`));
            assert.ok(!("authToken" in g.inputs) && !("authTokenUpdateStrategy" in g.inputs), "no AUTH token");
            assert.ok(!ev.resources.some((r) => r.name.startsWith(`${code}-data-cache-auth`)), "no token, no secret");
            const group = one(ev, "aws:elasticache/userGroup:UserGroup", `${code}-data-cache-users`);
            // The group's id (the mock's: the real provider's id is the userGroupId).
            assert.match((g.inputs.userGroupIds as string[]).join(), new RegExp(`^${code}-data-cache-users-[0-9a-f]{7}$`));
            assert.deepEqual(
                [group.inputs.region, group.inputs.engine, group.inputs.userGroupId],
                [region, "valkey", "platform-test-cache"],
            );
            assert.deepEqual(group.inputs.userIds, ["platform-test-default", "platform-test-app"]);
        });

        it(`${code}: the app's user signs in with IAM (name = id), the default user is disabled`, () => {
            const app = one(ev, "aws:elasticache/user:User", `${code}-data-cache-app-user`);
            assert.deepEqual(
                [
                    app.inputs.region,
                    app.inputs.engine,
                    app.inputs.userId,
                    app.inputs.userName,
                    app.inputs.authenticationMode,
                    app.inputs.accessString,
                ],
                [region, "valkey", "platform-test-app", "platform-test-app", { type: "iam" }, "on ~* +@all"],
            );
            const def = one(ev, "aws:elasticache/user:User", `${code}-data-cache-default-user`);
            assert.deepEqual([def.inputs.userName, def.inputs.accessString], ["default", "off -@all"]);
        });

        it(`${code}: snapshots kept 7 days and a final snapshot`, () => {
            const g = one(ev, "aws:elasticache/replicationGroup:ReplicationGroup", `${code}-data-cache-valkey`);
            assert.equal(g.inputs.snapshotRetentionLimit, 7);
            assert.equal(g.inputs.snapshotWindow, "02:00-03:00");
            assert.equal(g.inputs.finalSnapshotIdentifier, `${code}-data-cache-final`);
        });

        it(`${code}: its own subnet group on the isolated subnets, and only the workload admitted`, () => {
            const subnets = one(ev, "aws:elasticache/subnetGroup:SubnetGroup", `${code}-data-cache-subnets`);
            assert.deepEqual([subnets.inputs.region, subnets.inputs.subnetIds], [region, cell.isolatedSubnetIds]);
            const g = one(ev, "aws:elasticache/replicationGroup:ReplicationGroup", `${code}-data-cache-valkey`);
            assert.match(g.inputs.subnetGroupName as string, new RegExp(`^${code}-data-cache-subnets-[0-9a-f]{7}$`));
            const sg = one(ev, "aws:ec2/securityGroup:SecurityGroup", `${code}-data-cache-sg`);
            assert.deepEqual(sg.inputs.ingress, [
                { protocol: "tcp", fromPort: 6379, toPort: 6379, securityGroups: [cell.workloadSg], description: "Cell workload" },
            ]);
            assert.deepEqual(sg.inputs.egress, []);
            assert.equal((g.inputs.securityGroupIds as string[]).length, 1);
        });

        it(`${code}: delivers the slow log to CloudWatch Logs`, () => {
            const log = one(ev, "aws:cloudwatch/logGroup:LogGroup", `${code}-data-cache-slow-log`);
            assert.deepEqual([log.inputs.region, log.inputs.retentionInDays], [region, 30]);
            const g = one(ev, "aws:elasticache/replicationGroup:ReplicationGroup", `${code}-data-cache-valkey`);
            const delivery = g.inputs.logDeliveryConfigurations as Record<string, string>[];
            assert.equal(delivery.length, 1);
            assert.deepEqual(
                { ...delivery[0], destination: undefined },
                { destinationType: "cloudwatch-logs", logFormat: "json", logType: "slow-log", destination: undefined },
            );
            assert.match(delivery[0].destination, new RegExp(`^${code}-data-cache-slow-log-[0-9a-f]{7}$`));
        });
    }

    it("exposes the configuration endpoint, port, the IAM user and what the pods may connect to", () => {
        const use1 = ev.outputs["us-east-1"] as Record<string, unknown>;
        assert.match(
            use1.cacheEndpoint as string,
            /^clustercfg\.use1-data-cache-valkey-[0-9a-f]{7}\.[0-9a-f]{6}\.use1\.cache\.amazonaws\.com$/,
        );
        assert.equal(use1.cachePort, 6379);
        assert.equal(ofType(ev, "aws:elasticache/replicationGroup:ReplicationGroup").length, 3);
    });

    it("takes shards and replicas as plain args", async () => {
        const small = await evaluateOf(Cache, "usw2-cache", {
            region: "us-west-2",
            vpcId: "vpc-1",
            subnetIds: ["subnet-1"],
            clientSecurityGroupIds: ["sg-1"],
            kmsKeyArn: "arn:aws:kms:us-west-2:123456789012:key/k",
            userIdPrefix: "platform-test-usw2",
            engineVersion: "8.1",
            nodeType: "cache.r7g.large",
            shards: 5,
            replicasPerShard: 2,
        });
        const g = one(small, "aws:elasticache/replicationGroup:ReplicationGroup", "usw2-cache-valkey");
        assert.deepEqual([g.inputs.numNodeGroups, g.inputs.replicasPerNodeGroup], [5, 2]);
    });

    it("refuses a shape without failover replicas", async () => {
        await assert.rejects(
            evaluateOf(Cache, "usw2-cache", {
                region: "us-west-2",
                vpcId: "vpc-1",
                subnetIds: ["subnet-1"],
                clientSecurityGroupIds: ["sg-1"],
                kmsKeyArn: "k",
                userIdPrefix: "platform-test-usw2",
                engineVersion: "8.1",
                nodeType: "cache.r7g.large",
                replicasPerShard: 0,
            }),
            (err: unknown) => err instanceof EvaluationError && /replicasPerShard 0 is not an integer from 1 to 5/.test(err.message),
        );
    });
});

describe("cache helpers", () => {
    it("names the default cluster-mode parameter group of a Valkey major", () => {
        assert.equal(cacheParameterGroup("8.1"), "default.valkey8.cluster.on");
        assert.equal(cacheParameterGroup("7.2"), "default.valkey7.cluster.on");
    });
    it("checks shards, replicas and node count", () => {
        assert.deepEqual(cacheProblems({ shards: 3, replicasPerShard: 1 }), []);
        assert.deepEqual(cacheProblems({ shards: 0, replicasPerShard: 1 }), ["shards 0 is not an integer from 1 to 500"]);
        assert.deepEqual(cacheProblems({ shards: 3, replicasPerShard: 6 }), [
            "replicasPerShard 6 is not an integer from 1 to 5 (multi-AZ failover needs a replica)",
        ]);
        assert.deepEqual(cacheProblems({ shards: 250, replicasPerShard: 1 }), []);
        assert.deepEqual(cacheProblems({ shards: 200, replicasPerShard: 2 }), [
            "200 cache shards × (1 + 2 replicas) = 600 nodes; a cluster-mode replication group has at most 500",
        ]);
    });
});
