/**
 * The log domain setup in the prod plan: one function per cell, in that cell's private subnets, out
 * only to its own domain and STS endpoint, allowed only to assume its own domain's master role,
 * invoked with an event that carries Fluent Bit's role and the retention; Fluent Bit's release waits
 * for it.
 */
import * as assert from "node:assert/strict";
import { sourceHash } from "../../../components/functions/invokedFunction";
import { ismPolicy } from "../../../components/observability/ism";
import {
    AUDIT_CONFIG,
    LOG_DOMAIN_SETUP_TIMEOUT_SECONDS,
    logDomainSetupEvent,
    logsWriterRole,
} from "../../../components/observability/logDomainSetup";
import { LOG_DOMAIN_SETUP_HANDLER_SOURCE } from "../../../components/observability/logDomainSetupHandler";
import { type Evaluation, type RecordedResource } from "../../../plan/runtime";
import { RELEASE, one, planOf, policyOf, prodStack, withConfig } from "../../support/harness";

const INVOCATION = "aws:lambda/invocation:Invocation";
const FUNCTION = "aws:lambda/function:Function";
const SG = "aws:ec2/securityGroup:SecurityGroup";
const SUBNET = "aws:ec2/subnet:Subnet";
const CELLS = { use1: "us-east-1", euc1: "eu-central-1", apse1: "ap-southeast-1" } as const;

const byId = (ev: Evaluation, type: string, id: unknown): RecordedResource => {
    const found = ev.resources.find((r) => r.type === type && r.id === id);
    assert.ok(found, `${type} ${String(id)}`);
    return found;
};
const eventOf = (ev: Evaluation, code: string) =>
    JSON.parse(one(ev, INVOCATION, `${code}-obs-logs-setup-run`).inputs.input as string) as ReturnType<typeof logDomainSetupEvent>;

describe("log domain setup (prod plan)", () => {
    let ev: Evaluation;
    before(async () => {
        ev = (await planOf(prodStack())).evaluation;
    });

    it("runs once per cell, with the handler's digest as trigger, for the retention of the config", () => {
        assert.deepEqual(
            ev.resources
                .filter((r) => r.type === INVOCATION && r.name.endsWith("-obs-logs-setup-run"))
                .map((r) => r.name)
                .sort(),
            ["apse1-obs-logs-setup-run", "euc1-obs-logs-setup-run", "use1-obs-logs-setup-run"],
        );
        for (const code of Object.keys(CELLS)) {
            const run = one(ev, INVOCATION, `${code}-obs-logs-setup-run`);
            assert.deepEqual(run.inputs.triggers, { source: sourceHash(LOG_DOMAIN_SETUP_HANDLER_SOURCE) });
            assert.equal(one(ev, FUNCTION, `${code}-obs-logs-setup-function`).inputs.timeout, LOG_DOMAIN_SETUP_TIMEOUT_SECONDS);
        }
    });

    for (const [code, region] of Object.entries(CELLS))
        it(`${code}: the event names its own domain, master role and Fluent Bit role, in ${region} only`, () => {
            const event = eventOf(ev, code);
            const domain = one(ev, "aws:opensearch/domain:Domain", `${code}-obs-logs-domain`);
            const master = one(ev, "aws:iam/role:Role", `${code}-obs-logs-admin`);
            const writer = one(ev, "aws:iam/role:Role", `${code}-obs-fluent-bit-role`);
            assert.equal(event.region, region);
            assert.match(event.endpoint as string, new RegExp(`^vpc-prod-${code}-logs-[0-9a-f]{26}\\.${region}\\.es\\.amazonaws\\.com$`));
            // The whole event as the program builds it: the writer mapped to Fluent Bit's role, the
            // ISM policy for the configured retention (prod keeps the default 14 days), the audit settings.
            assert.deepEqual(
                event,
                logDomainSetupEvent({
                    region,
                    endpoint: event.endpoint as string,
                    masterRoleArn: `arn:aws:iam::123456789012:role/${master.id}`,
                    writerRoleArn: `arn:aws:iam::123456789012:role/${writer.id}`,
                    indexRetentionDays: 14,
                }),
            );
            assert.equal(domain.inputs.domainName, `prod-${code}-logs`);
            assert.deepEqual((event.writer as { definition: unknown }).definition, logsWriterRole());
            assert.deepEqual((event.ism as { policy: unknown }).policy, ismPolicy(14));
            assert.deepEqual(event.audit, AUDIT_CONFIG);
            const others = Object.values(CELLS).filter((r) => r !== region);
            assert.deepEqual(
                others.filter((r) => JSON.stringify(event).includes(r)),
                [],
                "no other region in the event",
            );
        });

    for (const code of Object.keys(CELLS))
        it(`${code}: the function runs in the cell's private subnets, out to its domain's and its STS endpoint's security groups only`, () => {
            const fn = one(ev, FUNCTION, `${code}-obs-logs-setup-function`);
            const vpc = fn.inputs.vpcConfig as { subnetIds: string[]; securityGroupIds: string[] };
            assert.deepEqual(
                vpc.subnetIds.map((id) => byId(ev, SUBNET, id).name).sort(),
                ["a", "b", "c"].map((z) => `${code}-net-private-${z}`),
            );
            const sg = one(ev, SG, `${code}-obs-logs-setup-sg`);
            assert.deepEqual(vpc.securityGroupIds, [sg.id]);
            assert.equal(byId(ev, "aws:ec2/vpc:Vpc", sg.inputs.vpcId).name, `${code}-net-vpc`);
            assert.equal(sg.inputs.ingress, undefined);
            const egress = sg.inputs.egress as { fromPort: number; toPort: number; protocol: string; securityGroups: string[] }[];
            assert.deepEqual(
                egress.map((e) => [e.protocol, e.fromPort, e.toPort, e.securityGroups.map((id) => byId(ev, SG, id).name)]),
                [
                    ["tcp", 443, 443, [`${code}-obs-logs-sg`]],
                    ["tcp", 443, 443, [`${code}-net-endpoints-sg`]],
                ],
            );
            // The domain's group admits the VPC's CIDR on 443, the function's subnets among it.
            const domainSg = one(ev, SG, `${code}-obs-logs-sg`);
            const vpcCidr = byId(ev, "aws:ec2/vpc:Vpc", sg.inputs.vpcId).inputs.cidrBlock as string;
            assert.deepEqual(domainSg.inputs.ingress, [
                { protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: [vpcCidr], description: "HTTPS from the cell's VPC" },
            ]);
            // STS is reachable in the VPC: its interface endpoint, with private DNS, behind that group.
            const sts = one(ev, "aws:ec2/vpcEndpoint:VpcEndpoint", `${code}-net-sts-endpoint`);
            assert.equal(sts.inputs.privateDnsEnabled, true);
            assert.deepEqual(sts.inputs.securityGroupIds, [egress[1].securityGroups[0]]);
        });

    for (const code of Object.keys(CELLS))
        it(`${code}: the function may only assume its domain's master role, which may send HTTP requests to that domain`, () => {
            const master = one(ev, "aws:iam/role:Role", `${code}-obs-logs-admin`);
            assert.deepEqual(policyOf(one(ev, "aws:iam/rolePolicy:RolePolicy", `${code}-obs-logs-setup-policy`)).Statement, [
                {
                    Sid: "AssumeDomainMaster",
                    Effect: "Allow",
                    Action: "sts:AssumeRole",
                    Resource: `arn:aws:iam::123456789012:role/${master.id}`,
                },
            ]);
            const domain = one(ev, "aws:opensearch/domain:Domain", `${code}-obs-logs-domain`);
            assert.equal(
                (domain.inputs.advancedSecurityOptions as { masterUserOptions: { masterUserArn: string } }).masterUserOptions.masterUserArn,
                `arn:aws:iam::123456789012:role/${master.id}`,
            );
            const region = CELLS[code as keyof typeof CELLS];
            assert.deepEqual(policyOf(one(ev, "aws:iam/rolePolicy:RolePolicy", `${code}-obs-logs-admin-policy`)).Statement, [
                { Effect: "Allow", Action: "es:ESHttp*", Resource: `arn:aws:es:${region}:123456789012:domain/prod-${code}-logs/*` },
            ]);
            // The domain's access policy admits principals of the account; IAM then needs the role's own policy.
            assert.deepEqual(policyOf(domain, "accessPolicies").Statement[0].Principal, { AWS: "arn:aws:iam::123456789012:root" });
        });

    for (const code of Object.keys(CELLS))
        it(`${code}: runs after the whole log domain and the VPC's STS endpoint, and Fluent Bit's release waits for the run`, () => {
            const run = one(ev, INVOCATION, `${code}-obs-logs-setup-run`);
            // A component in dependsOn stands for its resources: the domain and its master role's policy among them.
            for (const name of [
                `${code}-obs-logs-domain`,
                `${code}-obs-logs-admin-policy`,
                `${code}-obs-fluent-bit-role`,
                `${code}-net-sts-endpoint`,
            ])
                assert.ok(
                    run.dependencies.some((d) => d.endsWith(`::${name}`)),
                    name,
                );
            const release = one(ev, RELEASE, `${code}-obs-fluent-bit-release`);
            for (const name of [`${code}-obs-logs-setup-run`, `${code}-obs-fluent-bit-pod-identity`])
                assert.ok(
                    release.dependencies.some((d) => d.endsWith(`::${name}`)),
                    `Fluent Bit waits for ${name}`,
                );
        });

    it("a retention change reaches the invocation's input, which runs the function again", async () => {
        const stack = prodStack();
        const observability = JSON.parse(stack.config["platform:observability"] ?? "{}") as Record<string, unknown>;
        const changed = (
            await planOf(withConfig(stack, { "platform:observability": { ...observability, opensearch: { indexRetentionDays: 30 } } }))
        ).evaluation;
        for (const code of Object.keys(CELLS)) {
            const ism = (
                JSON.parse(one(changed, INVOCATION, `${code}-obs-logs-setup-run`).inputs.input as string) as { ism: { policy: unknown } }
            ).ism;
            assert.deepEqual(ism.policy, ismPolicy(30));
        }
    });
});
