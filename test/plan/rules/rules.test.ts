import * as assert from "node:assert/strict";
import { classify } from "../../../plan/rules";
import { planRuleViolations } from "../../../plan/rules/limits";
import { transitionViolations } from "../../../plan/rules/transitions";
import { type RuleResource, inputAt, splitPath, withIgnoredKept } from "../../../plan/rules/violation";
import { UNKNOWN } from "../../../plan/runtime";

const r = (type: string, name: string, inputs: Record<string, unknown>, more: Partial<RuleResource> = {}): RuleResource => ({
    urn: `urn:pulumi:prod::platform::${type}::${name}`,
    type,
    inputs,
    ignoreChanges: [],
    dependencies: [],
    ...more,
});
const found = (vs: { rule: string; urn: string }[]) => vs.map((v) => `${v.rule} ${v.urn.split("::").pop()}`);
const NG = "aws:eks/nodeGroup:NodeGroup";
const group = (min: number, desired: number, max: number, more: Partial<RuleResource> = {}) =>
    r(NG, "use1-nodes-a", { scalingConfig: { minSize: min, desiredSize: desired, maxSize: max } }, more);

describe("cloud rules: paths and ignoreChanges", () => {
    it("reads and keeps nested paths as the engine applies ignoreChanges", () => {
        assert.deepEqual(splitPath('a.b[0]["c.d"]'), ["a", "b", "0", "c.d"]);
        assert.equal(inputAt({ a: { b: [{ c: 3 }] } }, "a.b[0].c"), 3);
        assert.deepEqual(withIgnoredKept({ s: { d: 2, m: 1 } }, { s: { d: 5, m: 3 }, x: 1 }, ["s.d"]), { s: { d: 2, m: 3 }, x: 1 });
        assert.deepEqual(withIgnoredKept({}, { s: { d: 5 } }, ["s.d"]), { s: {} }, "an ignored path the stack never had stays unset");
    });
});

describe("cloud rules: transitions", () => {
    it("eks-nodegroup-scaling-bounds: a new minimum above the ignored desired size is refused, a declared desired size is not", () => {
        const ignored = { ignoreChanges: ["scalingConfig.desiredSize"] };
        assert.deepEqual(found(transitionViolations({ resources: [group(2, 2, 4, ignored)] }, { resources: [group(3, 3, 4, ignored)] })), [
            "eks-nodegroup-scaling-bounds use1-nodes-a",
        ]);
        assert.deepEqual(transitionViolations({ resources: [group(2, 2, 4)] }, { resources: [group(3, 3, 4)] }), []);
        assert.deepEqual(
            found(transitionViolations({ resources: [group(2, 4, 4, ignored)] }, { resources: [group(1, 1, 3, ignored)] })),
            ["eks-nodegroup-scaling-bounds use1-nodes-a"],
            "a new maximum below the kept desired size too",
        );
    });

    it("eks-version-one-minor: one minor passes; two, or a downgrade, are refused", () => {
        const eks = (v: string) => r("aws:eks/cluster:Cluster", "use1-eks-cluster", { version: v });
        const check = (a: string, b: string) => found(transitionViolations({ resources: [eks(a)] }, { resources: [eks(b)] }));
        assert.deepEqual(
            [check("1.35", "1.36"), check("1.35", "1.35"), check("1.34", "1.36"), check("1.36", "1.35")],
            [[], [], ["eks-version-one-minor use1-eks-cluster"], ["eks-version-one-minor use1-eks-cluster"]],
        );
    });

    it("aurora-global-member-upgraded-alone: a secondary's minor alone passes; a major, a downgrade, an instance or the primary ahead is refused", () => {
        const C = "aws:rds/cluster:Cluster";
        const member = (name: string, v: string, ignoreChanges: string[] = [], primary = false) =>
            r(
                C,
                name,
                { globalClusterIdentifier: "platform-prod", engineVersion: v, ...(primary ? { masterUsername: "platform_admin" } : {}) },
                { ignoreChanges },
            );
        const secondary = (v: string, ignore: string[] = []) => member("euc1-data-db-cluster", v, ignore);
        const primary = (v: string, ignore: string[] = []) => member("use1-data-db-cluster", v, ignore, true);
        const check = (before: RuleResource[], after: RuleResource[]) => transitionViolations({ resources: before }, { resources: after });
        // A secondary's minor, sent alone: AWS upgrades a global database's minor member by member.
        assert.deepEqual(check([secondary("16.9", ["engineVersion"])], [secondary("16.10")]), []);
        // The primary after every secondary runs the new minor: passes.
        assert.deepEqual(check([primary("16.9", ["engineVersion"]), secondary("16.10")], [primary("16.10"), secondary("16.10")]), []);
        // Ignored, it follows the global cluster.
        assert.deepEqual(check([secondary("16.9", ["engineVersion"])], [secondary("17.5", ["engineVersion"])]), []);
        const refused = (before: RuleResource[], after: RuleResource[]) =>
            check(before, after).map(
                (v) => `${v.rule} ${v.urn.split("::").pop()}: ${v.message.split(". Fix: ")[0].split(": ").slice(1).join(": ")}`,
            );
        assert.deepEqual(refused([secondary("16.9")], [secondary("17.5")]), [
            "aurora-global-member-upgraded-alone euc1-data-db-cluster: a major upgrade is done on the global cluster, never on a member alone",
        ]);
        assert.deepEqual(refused([secondary("16.10")], [secondary("16.9")]), [
            "aurora-global-member-upgraded-alone euc1-data-db-cluster: Aurora cannot downgrade an engine",
        ]);
        assert.deepEqual(
            refused([primary("16.9"), secondary("16.9", ["engineVersion"])], [primary("16.10"), secondary("16.9", ["engineVersion"])]),
            [
                'aurora-global-member-upgraded-alone use1-data-db-cluster: the primary would run it before the secondary euc1-data-db-cluster (running 16.9), which this update sends after the primary if at all; AWS refuses it ("upgrade global replicas first"): upgrade the secondaries in an update before',
            ],
        );
        // Both in one update: the secondary depends on the primary, so the primary would go first.
        assert.deepEqual(
            check([primary("16.9", ["engineVersion"]), secondary("16.9", ["engineVersion"])], [primary("16.10"), secondary("16.10")]).map(
                (v) => v.urn.split("::").pop(),
            ),
            ["use1-data-db-cluster"],
        );
        // A secondary sent an ignored new version stays at the old one: the primary is still ahead.
        assert.deepEqual(
            refused([primary("16.9"), secondary("16.9", ["engineVersion"])], [primary("16.10"), secondary("16.10", ["engineVersion"])])
                .length,
            1,
        );
        const instance = (v: string) =>
            r("aws:rds/clusterInstance:ClusterInstance", "euc1-data-db-1", { engineVersion: v }, { dependencies: [secondary("16.9").urn] });
        assert.deepEqual(refused([secondary("16.9"), instance("16.9")], [secondary("16.10"), instance("16.10")]), [
            "aurora-global-member-upgraded-alone euc1-data-db-1: an instance's version follows its cluster's (engineVersion is not in its ignoreChanges)",
        ]);
        const standalone = (v: string) => r(C, "solo", { engineVersion: v });
        assert.deepEqual(transitionViolations({ resources: [standalone("16.9")] }, { resources: [standalone("16.10")] }), []);
    });

    it("k8s-immutable-target-group-arn: a replaced target group under a binding without replaceOnChanges is refused", () => {
        const tg = (port: number) => r("aws:lb/targetGroup:TargetGroup", "use1-ingress-tg", { port, protocol: "HTTP" });
        const binding = (more: Partial<RuleResource> = {}) =>
            r(
                "kubernetes:elbv2.k8s.aws/v1beta1:TargetGroupBinding",
                "use1-api-tgb",
                { spec: { targetGroupARN: "arn:tg" } },
                { dependencies: [tg(8080).urn], ...more },
            );
        assert.deepEqual(found(transitionViolations({ resources: [tg(8080), binding()] }, { resources: [tg(8081), binding()] })), [
            "k8s-immutable-target-group-arn use1-api-tgb",
        ]);
        const replaced = binding({ replaceOnChanges: ["spec.targetGroupARN"] });
        assert.deepEqual(transitionViolations({ resources: [tg(8080), replaced] }, { resources: [tg(8081), replaced] }), []);
        assert.deepEqual(transitionViolations({ resources: [tg(8080), binding()] }, { resources: [tg(8080), binding()] }), [], "unchanged");
        // ipAddressType forces a new target group too (terraform-provider-aws target_group.go, ForceNew).
        const dual = r("aws:lb/targetGroup:TargetGroup", "use1-ingress-tg", { port: 8080, protocol: "HTTP", ipAddressType: "ipv6" });
        assert.deepEqual(found(transitionViolations({ resources: [tg(8080), binding()] }, { resources: [dual, binding()] })), [
            "k8s-immutable-target-group-arn use1-api-tgb",
        ]);
    });
});

describe("cloud rules: limits and names", () => {
    const global = r("aws:rds/globalCluster:GlobalCluster", "global-db", { globalClusterIdentifier: "platform-prod" });
    const cluster = (code: string, primary: boolean) =>
        r(
            "aws:rds/cluster:Cluster",
            `${code}-db`,
            { globalClusterIdentifier: "platform-prod", ...(primary ? { databaseName: "app" } : {}) },
            { id: `${code}-db-id` },
        );
    const instances = (code: string, n: number) =>
        Array.from({ length: n }, (_, i) =>
            r("aws:rds/clusterInstance:ClusterInstance", `${code}-db-${i + 1}`, { clusterIdentifier: `${code}-db-id` }),
        );

    // These fixtures' instances set no maintenance window (aurora-instance-windows-staggered, tested below).
    const sizeRules = (rs: RuleResource[]) => planRuleViolations(rs).filter((v) => v.rule !== "aurora-instance-windows-staggered");
    it("aurora-instances-per-cluster: a secondary of 17 instances (data review F10) and a primary over 15 − s readers are refused", () => {
        const over = [global, cluster("use1", true), ...instances("use1", 16), cluster("euc1", false), ...instances("euc1", 16)];
        assert.deepEqual(found(sizeRules(over)), ["aurora-instances-per-cluster use1-db"], "15 readers with one secondary: at most 14");
        const fits = over.filter((x) => !x.urn.endsWith("use1-db-16"));
        assert.deepEqual(sizeRules(fits), []);
        assert.deepEqual(found(sizeRules([...fits, ...instances("euc1", 17).slice(16)])), ["aurora-instances-per-cluster euc1-db"]);
    });

    it("aurora-secondaries-per-global: an eleventh secondary is refused", () => {
        const members = Array.from({ length: 11 }, (_, i) => cluster(`r${i}`, false));
        assert.deepEqual(found(sizeRules([global, cluster("use1", true), ...members])), ["aurora-secondaries-per-global global-db"]);
        assert.deepEqual(sizeRules([global, cluster("use1", true), ...members.slice(1)]), []);
    });

    it("security-group-rules: a prefix-list rule counts as the list's maxEntries", () => {
        const sg = r("aws:ec2/securityGroup:SecurityGroup", "alb-sg", {}, { id: "sg-1" });
        const pl = (max: number) =>
            r("aws:ec2/managedPrefixList:ManagedPrefixList", "cf-v4", { addressFamily: "IPv4", maxEntries: max }, { id: "pl-1" });
        const rule = (name: string, inputs: Record<string, unknown>) =>
            r("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", name, { securityGroupId: "sg-1", ...inputs });
        const cidrs = Array.from({ length: 30 }, (_, i) => rule(`cidr-${i}`, { cidrIpv4: `10.0.${i}.0/24` }));
        assert.deepEqual(planRuleViolations([sg, pl(30), rule("cf", { prefixListId: "pl-1" }), ...cidrs]), []);
        assert.deepEqual(found(planRuleViolations([sg, pl(31), rule("cf", { prefixListId: "pl-1" }), ...cidrs])), [
            "security-group-rules alb-sg",
        ]);
    });

    it("alb-rules: a 101st listener rule on one load balancer is refused", () => {
        const lb = r("aws:lb/loadBalancer:LoadBalancer", "use1-alb", { loadBalancerType: "application" });
        const listener = r("aws:lb/listener:Listener", "https", {}, { dependencies: [lb.urn] });
        const rules = (n: number) =>
            Array.from({ length: n }, (_, i) => r("aws:lb/listenerRule:ListenerRule", `rule-${i}`, {}, { dependencies: [listener.urn] }));
        assert.deepEqual(planRuleViolations([lb, listener, ...rules(100)]), []);
        assert.deepEqual(found(planRuleViolations([lb, listener, ...rules(101)])), ["alb-rules use1-alb"]);
    });

    it("names: an explicit name the API refuses is reported with its length; an autonamed resource (no name) is not judged", () => {
        const domain = (domainName?: string) => r("aws:opensearch/domain:Domain", "logs", domainName === undefined ? {} : { domainName });
        const v = planRuleViolations([domain("platform-staging-apse1-obs-logs")]);
        assert.deepEqual(found(v), ["opensearch-domain-name logs"]);
        assert.match(v[0].message, /domainName "platform-staging-apse1-obs-logs" \(31 characters\) is not 3 to 28 characters/);
        assert.deepEqual(planRuleViolations([domain("prod-use1-logs"), domain(), domain("[unknown]")]), []);
    });

    it("classify: a finding matching a known violation is reported apart; with no known list, it blocks", () => {
        const finding = { rule: "eks-nodegroup-scaling-bounds", urn: "urn:x$aws:eks/nodeGroup:NodeGroup::use1-nodes-a", message: "m" };
        const known = [{ name: "a-known-one", rule: "eks-nodegroup-scaling-bounds", matches: /-nodes-a$/, owner: "a tier" }];
        assert.deepEqual(classify([finding], known), { violations: [], known: [{ ...finding, known: "a-known-one" }] });
        assert.deepEqual(classify([finding], []), { violations: [finding], known: [] });
    });
});

describe("cloud rules: global membership, scale-in, windows, zones and webhook ids", () => {
    const CL = "aws:rds/cluster:Cluster";
    const INST = "aws:rds/clusterInstance:ClusterInstance";
    const INV = "aws:lambda/invocation:Invocation";
    const cluster = (gc: unknown, more: Partial<RuleResource> = {}) =>
        r(CL, "use1-data-db-cluster", { globalClusterIdentifier: gc }, { id: "c-1", ...more });
    const instance = (n: number, more: Record<string, unknown> = {}) =>
        r(
            INST,
            `use1-data-db-${n}`,
            { clusterIdentifier: "c-1", preferredMaintenanceWindow: `sun:0${5 + n}:00-sun:0${5 + n}:30`, ...more },
            { id: `i-${n}` },
        );
    const guard = (keep: string[] | typeof UNKNOWN, deps: string[] = []) =>
        r(
            INV,
            "use1-data-db-writer-guard-run",
            { input: keep === UNKNOWN ? UNKNOWN : JSON.stringify({ clusterIdentifier: "c-1", keep }) },
            { dependencies: deps },
        );
    const rules = (vs: { rule: string; urn: string }[]) => found(vs);

    it("aurora-cluster-global-membership-in-place: joining or moving in place is refused; leaving, a replace, or no change is not", () => {
        assert.deepEqual(rules(transitionViolations({ resources: [cluster("")] }, { resources: [cluster("gc")] })), [
            "aurora-cluster-global-membership-in-place use1-data-db-cluster",
        ]);
        assert.match(
            transitionViolations({ resources: [cluster("a")] }, { resources: [cluster("b")] })[0].message,
            /cannot be migrated between/,
        );
        assert.deepEqual(transitionViolations({ resources: [cluster("gc")] }, { resources: [cluster("")] }), []);
        assert.deepEqual(transitionViolations({ resources: [cluster("gc")] }, { resources: [cluster("gc")] }), []);
        assert.deepEqual(
            transitionViolations(
                { resources: [cluster("")] },
                { resources: [cluster("gc", { replaceOnChanges: ["globalClusterIdentifier"] })] },
            ),
            [],
        );
        assert.deepEqual(transitionViolations({ resources: [cluster("")] }, { resources: [cluster(UNKNOWN)] }), [], "unknown: undecided");
        assert.deepEqual(
            transitionViolations({ resources: [cluster(UNKNOWN)] }, { resources: [cluster("gc")] }),
            [],
            "unknown before: undecided",
        );
    });

    it("aurora-scale-in-moves-writer: a deleted instance needs this update's guard run leaving it out of keep", () => {
        const before = [cluster("gc"), instance(1), instance(2), guard(["i-1", "i-2"])];
        const after = (g?: RuleResource) => ({ resources: [cluster("gc"), instance(1), ...(g ? [g] : [])] });
        assert.deepEqual(transitionViolations({ resources: before }, after(guard(["i-1"]))), []);
        assert.deepEqual(rules(transitionViolations({ resources: before }, after())), ["aurora-scale-in-moves-writer use1-data-db-2"]);
        assert.deepEqual(
            rules(transitionViolations({ resources: before }, after(guard(["i-1", "i-2"])))),
            ["aurora-scale-in-moves-writer use1-data-db-2"],
            "an unchanged guard does not run",
        );
        assert.deepEqual(
            rules(transitionViolations({ resources: [cluster("gc"), instance(1), instance(2)] }, after(guard(["i-1", "i-2"])))),
            ["aurora-scale-in-moves-writer use1-data-db-2"],
            "a guard that keeps the deleted instance moves nothing off it",
        );
        const urn = cluster("gc").urn;
        assert.deepEqual(
            transitionViolations({ resources: before }, after(guard(UNKNOWN, [urn]))),
            [],
            "preview: unknown input, on the cluster",
        );
        const previewBefore = [cluster("gc"), instance(1), instance(2), guard(UNKNOWN, [urn])];
        assert.deepEqual(transitionViolations({ resources: previewBefore }, after(guard(UNKNOWN, [urn]))), [], "preview on both sides");
        assert.deepEqual(
            rules(transitionViolations({ resources: previewBefore }, after(guard(UNKNOWN, [])))),
            ["aurora-scale-in-moves-writer use1-data-db-2"],
            "an unknown guard of another cluster",
        );
        assert.deepEqual(transitionViolations({ resources: before }, { resources: [] }), [], "the whole member goes: no writer to move");
    });

    it("aurora-instance-windows-staggered: own windows, apart (across Saturday midnight too), outside the backup window, not applyImmediately", () => {
        const c = r(CL, "use1-data-db-cluster", { preferredBackupWindow: "03:00-04:00" }, { id: "c-1" });
        const w = (n: number, window: unknown, more: Record<string, unknown> = {}) =>
            instance(n, { preferredMaintenanceWindow: window, ...more });
        const check = (...instances: RuleResource[]) =>
            planRuleViolations([c, ...instances]).map((v) => `${v.urn.split("::").pop()}: ${v.message.split(". Fix")[0]}`);
        assert.deepEqual(check(w(1, "sun:06:00-sun:06:30"), w(2, "sun:07:00-sun:07:30")), []);
        assert.deepEqual(check(w(1, "sat:23:45-sun:00:15"), w(2, "sun:00:00-sun:00:30")), [
            "use1-data-db-2: preferredMaintenanceWindow sun:00:00-sun:00:30 overlaps use1-data-db-1's sat:23:45-sun:00:15",
        ]);
        assert.deepEqual(
            check(w(1, "sun:06:00-sun:06:30"), w(2, "tue:03:30-tue:04:00")),
            [],
            "an instance's window beside the cluster's backups",
        );
        const clusterWith = (maintenance: string) =>
            r(CL, "use1-data-db-cluster", { preferredBackupWindow: "03:00-04:00", preferredMaintenanceWindow: maintenance }, { id: "c-1" });
        assert.deepEqual(found(planRuleViolations([clusterWith("wed:03:30-wed:04:30")])), [
            "aurora-instance-windows-staggered use1-data-db-cluster",
        ]);
        assert.deepEqual(planRuleViolations([clusterWith("sun:04:30-sun:05:30")]), []);
        for (const bad of [
            "sun:24:00-sun:24:30",
            "sun:06:00-sun:06:15",
            "sun:06:00-sun:06:00",
            "sun:06:61-sun:07:30",
            "sunday:06:00-sunday:07:00",
        ])
            assert.match(
                check(w(1, "sun:06:00-sun:06:30"), w(2, bad))[0],
                /is not ddd:hh24:mi-ddd:hh24:mi \(UTC\) of at least 30 minutes/,
                bad,
            );
        assert.match(check(w(1, "sun:06:00-sun:06:30"), w(2, undefined))[0], /no preferredMaintenanceWindow/);
        assert.match(
            check(w(1, "sun:06:00-sun:06:30"), w(2, "sun:07:00-sun:07:30", { applyImmediately: true }))[0],
            /applyImmediately is true/,
        );
        assert.deepEqual(check(w(1, "sun:06:00-sun:06:30"), w(2, UNKNOWN)), [], "unknown: undecided");
        assert.deepEqual(check(w(1, undefined)), [], "one instance reboots alone anyway");
    });

    it("subnet-zone-by-id and cloudflare-webhook-id-form: by zone ID in a supported zone; the webhook id in the API's form", () => {
        const S = "aws:ec2/subnet:Subnet";
        const N = "cloudflare:index/notificationPolicy:NotificationPolicy";
        const ids = (...rs: RuleResource[]) => found(planRuleViolations(rs));
        assert.deepEqual(ids(r(S, "a", { availabilityZoneId: "use1-az1" }), r(S, "b", { availabilityZoneId: UNKNOWN })), []);
        assert.deepEqual(ids(r(S, "a", { availabilityZone: "us-east-1a" }), r(S, "b", { availabilityZoneId: "usw1-az2" })), [
            "subnet-zone-by-id a",
            "subnet-zone-by-id b",
        ]);
        const policy = (id: unknown) => r(N, "alert", { mechanisms: { webhooks: [{ id }] } });
        assert.deepEqual(ids(policy("b115d5ec-15c6-41ee-8b76-92c449b5227b"), policy(UNKNOWN), r(N, "none", {})), []);
        assert.deepEqual(ids(policy("b115d5ec15c641ee8b7692c449b5227b")), ["cloudflare-webhook-id-form alert"]);
    });
});
