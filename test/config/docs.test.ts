import * as assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { configTables, withTables } from "../../config/docs";
import { projectRoot } from "../../plan/stackConfig";

const table = (name: string) => configTables().find((t) => t.name === name)!;
const rowOf = (name: string, key: string) =>
    table(name)
        .markdown.split("\n")
        .find((line) => line.startsWith(`| \`${key}\` |`));

describe("config docs: the tables of keys made from the schemas", () => {
    it("writes the README's table and one per section with a docs page", () => {
        assert.deepEqual(
            configTables().map((t) => [t.name, t.file]),
            [
                ["platform", "README.md"],
                ["compute", "docs/compute.md"],
                ["data", "docs/database.md"],
                ["edge", "docs/edge.md"],
                ["observability", "docs/observability.md"],
                ["release", "docs/releases.md"],
            ],
        );
    });

    for (const { name, file, markdown } of configTables()) {
        it(`${file} carries the ${name} table the schemas make (npm run docs:config writes it)`, () => {
            const text = readFileSync(path.join(projectRoot(), file), "utf8");
            assert.equal(text, withTables(text, [{ name, file, markdown }]), `${file} differs from the schemas: run npm run docs:config`);
        });
    }

    it("lists each key with its meaning, its default (or what stands for one) and what is allowed", () => {
        for (const [name, key, row] of [
            [
                "compute",
                "rootVolumeGiB",
                "| `rootVolumeGiB` | Root volume of each node, GiB (gp3, encrypted) | `50` | an integer from 20 to 1000 |",
            ],
            [
                "data",
                "cache.replicasPerShard",
                "| `cache.replicasPerShard` | Replicas per shard; at least 1 for multi-AZ automatic failover | `1` | an integer from 1 to 5 |",
            ],
            [
                "data",
                "port",
                "| `port` | Port the clusters listen on (not the well-known 5432) | `5433` | an integer from 1150 to 65535; not 5432 |",
            ],
            [
                "platform",
                "platform:regions[].cidr",
                "| `platform:regions[].cidr` | The cell's VPC CIDR | the catalog's | a private IPv4 CIDR from /16 to /20, e.g. 10.10.0.0/16; no overlap with another region's |",
            ],
            [
                "platform",
                "platform:capacity.usersPerPod",
                "| `platform:capacity.usersPerPod` | Users one pod carries at the HPA CPU target, as measured by the load test | required | an integer ≥ 1 |",
            ],
            [
                "platform",
                "platform:edge",
                "| `platform:edge` | API path, cacheable and primary-only API routes, credentials, TTLs, affinity TTL, health-check interval, rate limit, origin-secret rotation, alert targets | see [docs/edge.md](docs/edge.md) | a map of settings, or nothing (every key has a default) |",
            ],
        ])
            assert.equal(rowOf(name, key), row);
        assert.match(
            rowOf("edge", "credentials.cookies")!,
            /\(letters, digits and !#\$%&'\*\+-\.\^_`\\\|~\), e\.g\. \["session"\]; not __cflb \|$/,
            "a | in a cell is escaped",
        );
    });

    it("replaces only what stands between a table's markers, and refuses a page without them", () => {
        const tables = [{ name: "x", file: "x.md", markdown: "| new |" }];
        assert.equal(
            withTables("a\n<!-- config:x -->\n| old |\n<!-- /config:x -->\nb\n", tables),
            "a\n<!-- config:x -->\n| new |\n<!-- /config:x -->\nb\n",
        );
        assert.throws(
            () => withTables("no markers", tables),
            /^Error: no <!-- config:x --> … <!-- \/config:x --> markers to write the table between$/,
        );
    });
});
