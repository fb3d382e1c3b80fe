import * as assert from "node:assert/strict";
import { POOL_DEFAULTS, PROXY_PORT, connectArnOf, poolProblems } from "../../../components/data/databaseProxy";
import { type Evaluation } from "../../../plan/runtime";
import { DATA_REGIONS, dataPlan, PRIMARY_AND_SECONDARY } from "../../support/data";
import { ofType, one } from "../../support/harness";

describe("DatabaseProxy", () => {
    let ev: Evaluation;
    before(async () => {
        ev = await dataPlan(DATA_REGIONS);
    });

    for (const cell of PRIMARY_AND_SECONDARY) {
        const { code, region } = cell;

        it(`${code}: a TLS-only PostgreSQL proxy with IAM authentication end to end, in the isolated subnets`, () => {
            const proxy = one(ev, "aws:rds/proxy:Proxy", `${code}-data-proxy-proxy`);
            assert.equal(proxy.inputs.region, region);
            assert.equal(proxy.inputs.engineFamily, "POSTGRESQL");
            assert.equal(proxy.inputs.requireTls, true);
            assert.equal(proxy.inputs.defaultAuthScheme, "IAM_AUTH");
            assert.ok(!("auths" in proxy.inputs), "no Secrets Manager credentials: IAM to the database too");
            assert.deepEqual(proxy.inputs.vpcSubnetIds, cell.isolatedSubnetIds);
            assert.equal(proxy.inputs.idleClientTimeout, 1800);
            assert.equal(proxy.inputs.debugLogging, false);
            assert.ok(proxy.dependencies.includes(one(ev, "aws:iam/role:Role", `${code}-data-proxy-role`).urn));
        });

        it(`${code}: the proxy's role may connect as the app user to this region's cluster only`, () => {
            const role = one(ev, "aws:iam/role:Role", `${code}-data-proxy-role`);
            assert.equal(JSON.parse(role.inputs.assumeRolePolicy as string).Statement[0].Principal.Service, "rds.amazonaws.com");
            const policy = JSON.parse(one(ev, "aws:iam/rolePolicy:RolePolicy", `${code}-data-proxy-connect`).inputs.policy as string);
            assert.equal(policy.Statement.length, 1);
            assert.equal(policy.Statement[0].Action, "rds-db:connect");
            assert.match(
                policy.Statement[0].Resource,
                new RegExp(`^arn:aws:rds-db:${region}:123456789012:dbuser:cluster-[0-9A-F]{26}/app$`),
            );
        });

        it(`${code}: pool limits as documented`, () => {
            const group = one(ev, "aws:rds/proxyDefaultTargetGroup:ProxyDefaultTargetGroup", `${code}-data-proxy-targets`);
            assert.equal(group.inputs.region, region);
            assert.deepEqual(group.inputs.connectionPoolConfig, {
                maxConnectionsPercent: 65,
                maxIdleConnectionsPercent: 30,
                connectionBorrowTimeout: 1,
            });
        });

        it(`${code}: targets the region's cluster once its instances exist`, () => {
            const target = one(ev, "aws:rds/proxyTarget:ProxyTarget", `${code}-data-proxy-target`);
            assert.equal(target.inputs.targetGroupName, "default");
            assert.match(target.inputs.dbClusterIdentifier as string, new RegExp(`^${code}-data-db-cluster-[0-9a-f]{7}$`));
            for (const n of [1, 2, 3])
                assert.ok(target.dependencies.includes(one(ev, "aws:rds/clusterInstance:ClusterInstance", `${code}-data-db-${n}`).urn));
        });

        it(`${code}: a read-only endpoint`, () => {
            const ro = one(ev, "aws:rds/proxyEndpoint:ProxyEndpoint", `${code}-data-proxy-ro`);
            assert.equal(ro.inputs.region, region);
            assert.equal(ro.inputs.targetRole, "READ_ONLY");
            assert.match(ro.inputs.dbProxyEndpointName as string, new RegExp(`^${code}-data-proxy-proxy-[0-9a-f]{7}-ro$`));
            assert.deepEqual(ro.inputs.vpcSubnetIds, cell.isolatedSubnetIds);
        });

        it(`${code}: admits only the cell's workload, and reaches only the cluster`, () => {
            const sg = one(ev, "aws:ec2/securityGroup:SecurityGroup", `${code}-data-proxy-sg`);
            assert.equal(sg.inputs.vpcId, cell.vpcId);
            assert.deepEqual(sg.inputs.ingress, [
                {
                    protocol: "tcp",
                    fromPort: PROXY_PORT,
                    toPort: PROXY_PORT,
                    securityGroups: [cell.workloadSg],
                    description: "Cell workload",
                },
            ]);
            const egress = sg.inputs.egress as { fromPort: number; toPort: number; securityGroups: string[]; cidrBlocks?: string[] }[];
            assert.equal(egress.length, 1);
            assert.deepEqual([egress[0].fromPort, egress[0].toPort, egress[0].cidrBlocks], [5433, 5433, undefined]);
            assert.match(egress[0].securityGroups[0], /^sg-0[0-9a-f]{16}$/);
            const rule = one(ev, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", `${code}-data-proxy-to-db`);
            assert.equal(rule.inputs.securityGroupId, egress[0].securityGroups[0], "the rule opens the cluster's group");
            assert.deepEqual([rule.inputs.ipProtocol, rule.inputs.fromPort, rule.inputs.toPort], ["tcp", 5433, 5433]);
            assert.ok(rule.dependencies.includes(sg.urn));
        });
    }

    it("exposes writer and reader endpoints, the proxy port and the connect grant; only the primary is writable", async () => {
        const use1 = ev.outputs["us-east-1"] as Record<string, unknown>;
        const euc1 = ev.outputs["eu-central-1"] as Record<string, unknown>;
        assert.match(
            use1.databaseWriterEndpoint as string,
            /^use1-data-proxy-proxy-[0-9a-f]{7}\.proxy-[0-9a-f]{12}\.us-east-1\.rds\.amazonaws\.com$/,
        );
        assert.match(
            use1.databaseReaderEndpoint as string,
            /^use1-data-proxy-proxy-[0-9a-f]{7}-ro\.endpoint\.proxy-[0-9a-f]{12}\.us-east-1\.rds\.amazonaws\.com$/,
        );
        assert.match(euc1.databaseReaderEndpoint as string, /\.eu-central-1\.rds\.amazonaws\.com$/);
        assert.equal(use1.databasePort, 5432);
        assert.ok(!("databaseWritable" in use1) && !("databaseWritable" in euc1), "no deploy-time write role");
        assert.match(use1.databaseConnectArn as string, /^arn:aws:rds-db:us-east-1:123456789012:dbuser:prx-[0-9a-f]{17}\/app$/);
        assert.equal(ofType(ev, "aws:rds/proxy:Proxy").length, 3);
        assert.equal(ofType(ev, "aws:rds/proxyEndpoint:ProxyEndpoint").length, 3);
    });
});

describe("proxy helpers", () => {
    it("builds the rds-db:connect ARN of a proxy", () => {
        assert.equal(
            connectArnOf("arn:aws:rds:eu-central-1:123456789012:db-proxy:prx-0123456789abcdef0", "app"),
            "arn:aws:rds-db:eu-central-1:123456789012:dbuser:prx-0123456789abcdef0/app",
        );
    });
    it("accepts the default pool and refuses limits outside RDS's ranges", () => {
        assert.deepEqual(poolProblems(POOL_DEFAULTS), []);
        assert.deepEqual(poolProblems({ maxConnectionsPercent: 0, maxIdleConnectionsPercent: 0, connectionBorrowTimeout: 10 }), [
            "maxConnectionsPercent 0 is not from 1 to 100",
        ]);
        assert.deepEqual(poolProblems({ maxConnectionsPercent: 50, maxIdleConnectionsPercent: 60, connectionBorrowTimeout: 10 }), [
            "maxIdleConnectionsPercent 60 is not from 0 to maxConnectionsPercent (50)",
        ]);
        assert.deepEqual(poolProblems({ maxConnectionsPercent: 50, maxIdleConnectionsPercent: 10, connectionBorrowTimeout: 3601 }), [
            "connectionBorrowTimeout 3601 is not from 0 to 3600 seconds",
        ]);
        // Beside the forwarding quota (25 %) and the reserve (10 %), the proxy may take 65 % at most.
        assert.deepEqual(poolProblems({ maxConnectionsPercent: 80, maxIdleConnectionsPercent: 40, connectionBorrowTimeout: 1 }), [
            "the writer's connections are oversubscribed: proxy 80 % + write forwarding 25 % + reserved 10 % = 115 % > 100 %",
        ]);
    });
});
