import * as assert from "node:assert/strict";
import { BOOTSTRAP_HANDLER_SOURCE } from "../../../components/data/bootstrapHandler";
import { LAMBDA_CA_BUNDLE, bootstrapProblems, bootstrapStatements } from "../../../components/data/databaseBootstrap";
import { sourceHash } from "../../../components/functions/invokedFunction";
import { type Evaluation } from "../../../plan/runtime";
import { DATA_REGIONS, dataPlan } from "../../support/data";
import { ofType, one } from "../../support/harness";

const INVOCATION = "aws:lambda/invocation:Invocation";

describe("database bootstrap (plan)", () => {
    let ev: Evaluation;
    before(async () => {
        ev = await dataPlan(DATA_REGIONS);
    });

    it("runs once, in the primary cell only, on the primary cluster's writer, with the statements and no secret", () => {
        assert.deepEqual(
            ofType(ev, INVOCATION)
                .map((r) => r.name)
                .filter((n) => !n.endsWith("-db-writer-guard-run")),
            ["use1-data-bootstrap-run"],
        );
        const run = one(ev, INVOCATION, "use1-data-bootstrap-run");
        const event = JSON.parse(run.inputs.input as string) as Record<string, unknown>;
        // The cluster's own writer endpoint (the mock's form), in the function's region.
        assert.match(event.host as string, /^use1-data-db-cluster-[0-9a-f]{7}\.cluster-[0-9a-f]{12}\.us-east-1\.rds\.amazonaws\.com$/);
        assert.deepEqual([event.port, event.database, event.caFile, event.secretRegion], [5433, "api", LAMBDA_CA_BUNDLE, "us-east-1"]);
        assert.deepEqual(
            event.statements,
            bootstrapStatements({ appUser: "app", owner: "platform_admin", database: "api", schema: "app" }),
        );
        assert.match(event.secretArn as string, /^arn:aws:secretsmanager:us-east-1:123456789012:secret:use1-global-db-master-secret-/);
        assert.ok(!("password" in event) && !JSON.stringify(event).includes("[secret]"), "the event carries no credential");
        assert.deepEqual(run.inputs.triggers, { source: sourceHash(BOOTSTRAP_HANDLER_SOURCE) });
        // It waits for the writer and the master secret's value, and for its way in.
        for (const dep of ["use1-data-db-1", "use1-global-db-master-secret-value", "use1-data-bootstrap-to-db"])
            assert.ok(
                run.dependencies.some((d) => d.endsWith(`::${dep}`)),
                dep,
            );
    });

    it("reaches the database through a rule of its own and Secrets Manager over 443, and may read only the master secret", () => {
        const rule = one(ev, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "use1-data-bootstrap-to-db");
        // The same database security group the proxy's rule opens; from the function's own group.
        const proxyRule = one(ev, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "use1-data-proxy-to-db");
        assert.deepEqual(
            [rule.inputs.securityGroupId, rule.inputs.fromPort, rule.inputs.toPort],
            [proxyRule.inputs.securityGroupId, 5433, 5433],
        );
        assert.notEqual(rule.inputs.referencedSecurityGroupId, proxyRule.inputs.referencedSecurityGroupId);
        const fnSg = one(ev, "aws:ec2/securityGroup:SecurityGroup", "use1-data-bootstrap-sg");
        assert.deepEqual(
            (fnSg.inputs.egress as { fromPort: number }[]).map((e) => e.fromPort),
            [5433, 443],
        );
        const fn = one(ev, "aws:lambda/function:Function", "use1-data-bootstrap-function");
        assert.deepEqual((fn.inputs.vpcConfig as { subnetIds: string[] }).subnetIds, [
            "subnet-0use1privatea",
            "subnet-0use1privateb",
            "subnet-0use1privatec",
        ]);
        const policy = JSON.parse(one(ev, "aws:iam/rolePolicy:RolePolicy", "use1-data-bootstrap-policy").inputs.policy as string);
        assert.deepEqual(
            policy.Statement.map((s: { Action: string }) => s.Action),
            ["secretsmanager:GetSecretValue", "kms:Decrypt"],
        );
        assert.match(policy.Statement[0].Resource, /:secret:use1-global-db-master-secret-/);
    });

    it("refuses names it would write unquoted, the master as the app's role, and a migration id twice", () => {
        assert.deepEqual(bootstrapProblems({ appUser: "app", owner: "platform_admin", database: "api", schema: "app" }), []);
        assert.deepEqual(
            bootstrapProblems({ appUser: "App", owner: "platform_admin", database: "api; drop", schema: "app" }, [
                { id: "1", sql: "" },
                { id: "1", sql: "" },
            ]),
            [
                'appUser "App" is not a lower-case PostgreSQL identifier (a-z, 0-9, _; at most 63)',
                'database "api; drop" is not a lower-case PostgreSQL identifier (a-z, 0-9, _; at most 63)',
                'migration id "1" appears twice',
            ],
        );
        assert.deepEqual(bootstrapProblems({ appUser: "platform_admin", owner: "platform_admin", database: "api", schema: "app" }), [
            'appUser "platform_admin" must not be the master user',
        ]);
    });
});
