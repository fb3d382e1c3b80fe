import * as assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { projectRoot } from "../../plan/stackConfig";
import { CROSS_STACK_RULES } from "../../plan/stacks";
import { CLOUD_RULES, NAME_RULES, PHYSICAL_NAMES } from "../../regions/cloudRules";

describe("cloud rules table", () => {
    it("gives every rule a unique id, a fix, a source with its address and the month it was read", () => {
        assert.equal(new Set(CLOUD_RULES.map((r) => r.id)).size, CLOUD_RULES.length);
        for (const rule of CLOUD_RULES) {
            assert.match(rule.source, /https:\/\/\S+/, `${rule.id}: a source with its address`);
            assert.match(rule.checked, /^20\d\d-(0[1-9]|1[0-2])$/, `${rule.id}: when it was read`);
            assert.ok(rule.fix.length > 20 && rule.rule.length > 20, rule.id);
        }
    });

    it("covers the issue's classes (transitions, limits, names) and the placements, maintenance and forms the reviews found", () => {
        assert.deepEqual([...new Set(CLOUD_RULES.map((r) => `${r.class}:${r.on}`))].sort(), [
            "format:plan",
            "limit:plan",
            "maintenance:plan",
            "name:plan",
            "placement:plan",
            "transition:transition",
        ]);
        assert.deepEqual(
            CLOUD_RULES.filter((r) => r.class !== "name").map((r) => r.id),
            [
                "eks-nodegroup-scaling-bounds",
                "k8s-immutable-target-group-arn",
                "eks-version-one-minor",
                "aurora-global-member-upgraded-alone",
                "aurora-cluster-global-membership-in-place",
                "aurora-scale-in-moves-writer",
                "subnet-zone-by-id",
                "aurora-instance-windows-staggered",
                "cloudflare-webhook-id-form",
                "aurora-instances-per-cluster",
                "aurora-secondaries-per-global",
                "security-group-rules",
                "alb-rules",
            ],
        );
    });

    it("name patterns accept the API's own examples and refuse what it refuses", () => {
        const rule = (id: string) => NAME_RULES.find((n) => n.id === id)!;
        const ok = (id: string, name: string) => name.length <= rule(id).maxLength && rule(id).pattern.test(name);
        assert.deepEqual(
            [
                ok("opensearch-domain-name", "prod-use1-logs"),
                ok("opensearch-domain-name", "Use1-logs"),
                ok("opensearch-domain-name", "platform-staging-apse1-logs-x"),
                ok("replication-group-id", "use1-data-cache"),
                ok("replication-group-id", "use1--cache"),
                ok("replication-group-id", "use1-cache-"),
                ok("alb-name", "internal-api"),
                ok("target-group-name", "-tg"),
                ok("iam-role-name", "use1-nodes-role"),
                ok("iam-role-name", "use1 nodes"),
                ok("s3-bucket-name", "use1-alb-logs"),
                ok("s3-bucket-name", "Use1_logs"),
                ok("s3-bucket-name", "ab"),
                ok("s3-bucket-name", "abc"),
            ],
            [true, false, false, true, false, false, false, false, true, false, true, false, false, true],
        );
    });

    it("scopes every physical name per region, account or globally", () => {
        assert.deepEqual(
            Object.values(PHYSICAL_NAMES).filter((n) => !["region", "account", "global"].includes(n.scope)),
            [],
        );
        assert.equal(PHYSICAL_NAMES["aws:iam/role:Role"].scope, "account");
        assert.equal(PHYSICAL_NAMES["aws:s3/bucket:Bucket"].scope, "global");
    });

    it("is the table docs/rules.md prints: every rule once, with its class, where it is checked and the month its source was read", () => {
        const lines = readFileSync(path.join(projectRoot(), "docs", "rules.md"), "utf8").split("\n");
        const first = lines.indexOf("| rule | class | checked on | source (read) |");
        assert.ok(first >= 0, "docs/rules.md has the rule table");
        const rows = lines.slice(
            first + 2,
            lines.findIndex((l, i) => i > first && !l.startsWith("|")),
        );
        const documented = new Map<string, { class: string; on: string; read: string }>();
        for (const row of rows) {
            const [ids, klass, on, source] = row
                .slice(1, -1)
                .split(" | ")
                .map((c) => c.trim());
            const read = /\((20\d\d-\d\d)\)$/.exec(source!)?.[1] ?? "";
            for (const id of ids!.match(/`([a-z0-9-]+)`/g) ?? []) documented.set(id.slice(1, -1), { class: klass!, on: on!, read });
        }
        const crossStack = new Set(CROSS_STACK_RULES.map((r) => r.name));
        for (const id of documented.keys())
            assert.ok(CLOUD_RULES.some((r) => r.id === id) || crossStack.has(id), `docs/rules.md lists ${id}, which no rule is`);
        for (const rule of CLOUD_RULES) {
            const row = documented.get(rule.id);
            assert.ok(row, `docs/rules.md lists ${rule.id}`);
            assert.deepEqual(
                [row.class, row.on, row.read],
                [rule.class, rule.on === "transition" ? "`--compare`" : "every plan", rule.checked],
                rule.id,
            );
        }
    });
});
