import * as assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { EDGE_DEFAULTS } from "../../../config/edge";
import { projectRoot } from "../../../plan/stackConfig";
import { flagRows, synopsis, usage } from "../../../plan/usage";
import { HelpRequested, InputError } from "../../../tools/common";
import { DRILL_FLAGS, parseOptions } from "../../../tools/drill/options";
import { apiRequestRate, rateLimitProblem } from "../../../tools/rateLimit";
import { loadScenario } from "../../../tools/scenario";
import { tableAfter } from "../../support/markdown";
import { scratchFolder } from "../../support/scenarios";

const ROOT = projectRoot();
const scratch = scratchFolder("drill-options-");

describe("drill options", () => {
    it("refuses bad input with one InputError naming the flag and what is allowed", () => {
        const malformed = scratch.file("malformed.yaml", "requests:\n  - { method: GET, path: /a\n");
        const missing = path.join(scratch.path(), "missing.yaml");
        const token = { CLOUDFLARE_API_TOKEN: "t" };
        for (const [argv, env, message] of [
            [[], {}, `--region is required (${synopsis("drill", DRILL_FLAGS)})`],
            [["--region", "use1", "--bogus"], {}, `Unknown option '--bogus' (${synopsis("drill", DRILL_FLAGS)})`],
            [
                ["--region", "us-west-2"],
                {},
                '--region "us-west-2" is not a cell of stack prod; its cells: us-east-1 (use1), eu-central-1 (euc1), ap-southeast-1 (apse1)',
            ],
            [
                ["--region", "use1", "--stack", "nosuch"],
                {},
                `${path.join(ROOT, "Pulumi.nosuch.yaml")} does not exist; create it or pass --stack with an existing stack (or --config FILE)`,
            ],
            [["--region", "use1", "--stack", "no/such"], {}, '--stack "no/such" is not a stack name (letters, digits, - _ .)'],
            [
                ["--region", "use1", "--execute"],
                {},
                "--execute needs a Cloudflare API token in CLOUDFLARE_API_TOKEN: an account token with only Load Balancing: Monitors and Pools Write, short-lived (docs/qa.md)",
            ],
            [["--region", "use1", "--region-header", "x served"], {}, '--region-header "x served" is not a header name'],
            [["--region", "use1", "--users", "0"], {}, '--users "0" is not a whole number from 1 to 100000'],
            [["--region", "use1", "--scenario", missing], {}, `scenario ${missing}: no such file`],
            [["--region", "use1", "--scenario", malformed], {}, /^scenario .*malformed\.yaml is not valid YAML or JSON: .+$/],
            [
                ["--region", "use1", "--users", "10", "--max-requests", "5"],
                {},
                "--max-requests 5 is below --users 10: every user needs at least one request",
            ],
            [
                ["--region", "use1", "--api-base", "not a url"],
                {},
                '--api-base "not a url" is not a URL; expected e.g. https://api.example.com',
            ],
            [["--region", "use1", "--target", "ftp://x"], token, '--target "ftp://x" is not an http(s) URL'],
            [["--region", "use1", "--during", "0"], {}, '--during "0" is not a number from 0.1 to 900'],
            [["--region", "use1", "--restore-wait", "601"], {}, '--restore-wait "601" is not a number from 0 to 600'],
        ] as const) {
            assert.throws(
                () => parseOptions([...argv], env, ROOT),
                (err: Error) => {
                    assert.ok(err instanceof InputError, `${argv.join(" ")}: ${err.stack}`);
                    if (typeof message === "string") assert.equal(err.message, message);
                    else assert.match(err.message, message);
                    return true;
                },
                argv.join(" "),
            );
        }
    });

    it("refuses a cell that is being decommissioned: it has no pool to take out", () => {
        // A project folder whose stack "drained" is test/fixtures/decommission-apse1.yaml.
        scratch.file("Pulumi.yaml", "name: platform\nruntime: nodejs\n");
        scratch.file("Pulumi.drained.yaml", readFileSync(path.join(ROOT, "test", "fixtures", "decommission-apse1.yaml"), "utf8"));
        assert.throws(
            () => parseOptions(["--region", "apse1", "--stack", "drained"], {}, scratch.path()),
            /^Error: --region "apse1" is being decommissioned in stack drained: it is drained and has no pool to take out$/,
        );
    });

    it("defaults the pool prefix to the Edge's pool name and the target to the stack's hostname", () => {
        const options = parseOptions(["--region", "eu-central-1", "--stack", "staging"], {}, ROOT);
        assert.deepEqual(
            [options.poolPrefix, options.target, options.regionHeader, options.apiBase],
            ["api-staging-example-com-euc1", "https://api-staging.example.com", "x-served-region", undefined],
        );
        assert.equal(
            parseOptions(["--region", "use1"], { CLOUDFLARE_BASE_URL: "http://127.0.0.1:9/client/v4" }, ROOT).apiBase,
            "http://127.0.0.1:9/client/v4",
        );
    });

    it("takes the figures from the flags, else the table's defaults", () => {
        const figures = (argv: string[]) => {
            const options = parseOptions(["--region", "use1", ...argv], {}, ROOT);
            return [
                options.users,
                options.maxRequests,
                options.beforeS,
                options.duringS,
                options.settleS,
                options.afterS,
                options.restoreWaitS,
            ];
        };
        assert.deepEqual(figures([]), [30, 1_000_000, 30, 360, 30, 30, 60]);
        assert.deepEqual(
            figures([
                "--users",
                "7",
                "--max-requests",
                "70",
                "--before",
                "0.5",
                "--during",
                "9",
                "--settle",
                "0",
                "--after",
                "0",
                "--restore-wait",
                "0",
            ]),
            [7, 70, 0.5, 9, 0, 0, 0],
        );
    });

    it("takes each cell's maximum from the capacity model: maxReplicas × usersPerPod", () => {
        // prod: us-east-1 and eu-central-1 scale to 24 pods, ap-southeast-1 to 8; 800 users each.
        assert.deepEqual(parseOptions(["--region", "us-east-1"], {}, ROOT).maxUsers, {
            "us-east-1": 19200,
            "eu-central-1": 19200,
            "ap-southeast-1": 6400,
        });
    });

    it("answers --help with the usage generated from its flag table, before any other check", () => {
        assert.throws(
            () => parseOptions(["--region", "nowhere", "--help"], {}, ROOT),
            (err: Error) => err instanceof HelpRequested && err.message === usage("drill", DRILL_FLAGS),
        );
        assert.match(
            usage("drill", DRILL_FLAGS),
            /^usage: npm run drill -- --region NAME \[--stack NAME\] \[--execute\] .* \[--report FILE\]\n\n {2}--region NAME {9}the cell to drill: .* \(required\)\n/,
        );
    });

    it("is documented in docs/qa.md with the flags --help prints", () => {
        const synopsisLine = synopsis("drill", DRILL_FLAGS).replace(/^usage: /, "");
        assert.deepEqual(tableAfter("docs/qa.md", synopsisLine), flagRows(DRILL_FLAGS));
    });
});

describe("drill options: the zone's own rate limit", () => {
    const scenario = loadScenario(path.join(projectRoot(), "tools", "scenarios", "extension.yaml"));
    const edge = (exemptSources: string[] = []) => ({ ...EDGE_DEFAULTS, rateLimit: { ...EDGE_DEFAULTS.rateLimit, exemptSources } });

    it("counts the scenario's API requests from one machine: 50 users ≈ 775 per minute (3.675 s mean think, 95 % under /v1/)", () => {
        assert.equal(Math.round(apiRequestRate(scenario, 50, "/v1/") * 60), 776);
    });

    it("refuses a load above the limit with the user count that fits, and lets an exempt machine run", () => {
        assert.equal(rateLimitProblem(scenario, 30, edge(), false), undefined);
        assert.equal(
            rateLimitProblem(scenario, 50, edge(), false),
            "50 users send about 776 API requests per 60 s from this machine, above the zone's limit of 600 per client address: the edge would answer 429 and spoil the drill; use --users 38 or fewer, or list this machine's egress in platform:edge.rateLimit.exemptSources (Business plan) and pass --rate-limit-exempt",
        );
        assert.match(
            rateLimitProblem(scenario, 50, edge(), true)!,
            /--rate-limit-exempt needs this machine's egress in platform:edge\.rateLimit\.exemptSources, which is empty$/,
        );
        assert.equal(rateLimitProblem(scenario, 50, edge(["203.0.113.7/32"]), true), undefined);
    });
});
