// FSBP IAM controls on customer managed policies: IAM.1 (Allow "*" on "*") and IAM.21 (Allow
// service:*), with the document as a JSON string (how this program writes it) and as an object;
// compliant, omitted, non-compliant and unknown during preview; inline policies are out of the
// controls' scope and judged by our own rule, iam-inline-least-privilege.
import * as assert from "node:assert/strict";
import { statementsOf } from "../../../policy/aws/iam";
import { UNKNOWN, checkRule, underEngine } from "../../support/policy";

const POLICY = "aws:iam/policy:Policy";
const document = (...Statement: Record<string, unknown>[]) => ({ Version: "2012-10-17", Statement });
const json = (...statements: Record<string, unknown>[]) => ({ policy: JSON.stringify(document(...statements)) });

const READ_LOGS = { Effect: "Allow", Action: ["logs:GetLogEvents", "ec2:Describe*"], Resource: "*" };
const ADMIN = { Effect: "Allow", Action: "*", Resource: "*" };
const EC2_ALL = { Sid: "EC2-Wildcard", Effect: "Allow", Action: "ec2:*", Resource: "*" };
const DENY_ALL = { Effect: "Deny", Action: "*", Resource: "*" };

describe("policy pack: IAM", () => {
    checkRule(
        "iam-1-no-full-admin",
        POLICY,
        [
            ["scoped", json(READ_LOGS), null],
            ["omitted", {}, null],
            ["deny", json(DENY_ALL), null],
            ["one-bucket", json({ Effect: "Allow", Action: "*", Resource: "arn:aws:s3:::logs" }), null],
            [
                "admin",
                json(READ_LOGS, ADMIN),
                '1 statement(s) Allow Action "*" on Resource "*": grant only the actions and resources needed',
            ],
            [
                "admin-object",
                { policy: document({ Effect: "Allow", Action: ["*"], Resource: ["*"] }) },
                '1 statement(s) Allow Action "*" on Resource "*": grant only the actions and resources needed',
            ],
        ],
        ["policy"],
    );
    checkRule(
        "iam-21-no-service-wildcards",
        POLICY,
        [
            ["prefix", json(READ_LOGS), null],
            ["omitted", {}, null],
            ["deny", json({ Effect: "Deny", Action: "s3:*", Resource: "*" }), null],
            [
                "service",
                json(EC2_ALL),
                "Allow statements use service wildcards (Action ec2:*): list the actions needed, or a prefix such as ec2:Describe*",
            ],
            [
                "not-action",
                { policy: document({ Effect: "Allow", NotAction: ["iam:*", "s3:GetObject"], Resource: "*" }) },
                "Allow statements use service wildcards (NotAction iam:*): list the actions needed, or a prefix such as ec2:Describe*",
            ],
        ],
        ["policy"],
    );

    it("judges customer managed policies only: an inline role policy granting * is not IAM.1's (iam-controls.html#iam-1)", async () => {
        const inline = await underEngine("iam-1-no-full-admin", "aws:iam/rolePolicy:RolePolicy", "p", json(ADMIN));
        assert.deepEqual(inline, { violations: [], undecided: false });
    });

    // Our own rule: the same two judgements on inline documents, where this program grants its permissions.
    const FULL_ADMIN = '1 statement(s) Allow Action "*" on Resource "*": grant only the actions and resources needed';
    const EC2_WILDCARD =
        "Allow statements use service wildcards (Action ec2:*): list the actions needed, or a prefix such as ec2:Describe*";
    checkRule(
        "iam-inline-least-privilege",
        ["aws:iam/rolePolicy:RolePolicy", "aws:iam/userPolicy:UserPolicy", "aws:iam/groupPolicy:GroupPolicy"],
        [
            ["scoped", { role: "r", ...json(READ_LOGS) }, null],
            ["admin", { role: "r", ...json(ADMIN) }, FULL_ADMIN],
            ["service", { role: "r", ...json(READ_LOGS, EC2_ALL) }, EC2_WILDCARD],
        ],
        // A wholly unknown document is left to `pulumi up` (see the preview cases below).
        ["policy"],
    );
    checkRule("iam-inline-least-privilege", "aws:iam/role:Role", [
        ["no-inline", { assumeRolePolicy: JSON.stringify(document({ Effect: "Allow", Action: "sts:AssumeRole" })) }, null],
        ["scoped", { inlinePolicies: [{ name: "logs", ...json(READ_LOGS) }] }, null],
        [
            "both",
            {
                inlinePolicies: [
                    { name: "a", ...json(ADMIN) },
                    { name: "b", ...json(EC2_ALL) },
                ],
            },
            [FULL_ADMIN, EC2_WILDCARD],
        ],
    ]);

    it("during preview a wholly unknown document (built from ARNs) is left to `pulumi up`: no finding, not 'can't run'", async () => {
        // The program's first preview must leave no policy unable to run (test/plan/preview.test.ts);
        // during `pulumi up` the document is known when the engine analyses the resource, before it is created.
        for (const name of ["iam-1-no-full-admin", "iam-21-no-service-wildcards"])
            assert.deepEqual(await underEngine(name, POLICY, "p", { policy: UNKNOWN }), { violations: [], undecided: false }, name);
        const rolePolicy = "aws:iam/rolePolicy:RolePolicy";
        assert.deepEqual(await underEngine("iam-inline-least-privilege", rolePolicy, "p", { role: UNKNOWN, policy: UNKNOWN }), {
            violations: [],
            undecided: false,
        });
        assert.deepEqual(await underEngine("iam-inline-least-privilege", rolePolicy, "p", { role: UNKNOWN, ...json(ADMIN) }), {
            violations: [FULL_ADMIN],
            undecided: false,
        });
    });

    it("inside a known object document, a known violation beside an unknown element is reported; an unknown element alone is undecided", async () => {
        const mixed = { policy: document(ADMIN, { Effect: "Allow", Action: UNKNOWN, Resource: "*" }) };
        assert.deepEqual(await underEngine("iam-1-no-full-admin", POLICY, "p", mixed), { violations: [FULL_ADMIN], undecided: false });
        const alone = { policy: document(READ_LOGS, { Effect: "Allow", Action: "*", Resource: [UNKNOWN] }) };
        assert.deepEqual(await underEngine("iam-1-no-full-admin", POLICY, "p", alone), { violations: [], undecided: true });
        const effect = { policy: document({ Effect: UNKNOWN, Action: "ec2:*", Resource: "*" }) };
        assert.deepEqual(await underEngine("iam-21-no-service-wildcards", POLICY, "p", effect), { violations: [], undecided: true });
        const statements = { policy: { Version: "2012-10-17", Statement: UNKNOWN } };
        assert.deepEqual(await underEngine("iam-21-no-service-wildcards", POLICY, "p", statements), { violations: [], undecided: true });
    });

    it("reads a document's statements from a string or an object, one statement or a list; not JSON is nothing to judge", () => {
        assert.deepEqual(statementsOf(JSON.stringify({ Statement: EC2_ALL })), [
            { effect: "Allow", actions: ["ec2:*"], notActions: [], resources: ["*"], principal: undefined, condition: {} },
        ]);
        assert.equal(statementsOf(document(READ_LOGS, ADMIN))?.length, 2);
        assert.equal(statementsOf("{not json"), undefined);
    });
});
