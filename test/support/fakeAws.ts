/**
 * A fake `aws` executable for the drill's Region switch tests, written into a temporary folder
 * that the test puts first on PATH. It records every argv, checks each `arc-region-switch` call
 * against the parameters the service model gives the operation (botocore/data/arc-region-switch/
 * 2022-07-26/service-2.json as the AWS CLI 2.28.1 bundles it, aws/aws-cli tag 2.28.1: required
 * members, enum values, nothing unknown; exit 252 otherwise, the CLI's code for a bad parameter),
 * and answers each operation with the next of its scripted answers (the last one repeats).
 */
import { chmodSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";

export interface FakeAnswer {
    /** Printed as JSON on stdout. */
    readonly json?: unknown;
    readonly stdout?: string;
    readonly stderr?: string;
    /** @default 0 */
    readonly code?: number;
    /** Answer after this long. @default 0 */
    readonly delayMs?: number;
}

/** Operation (or `--version`) → its answers in order; `<operation>@after:<other>` → its answers once `<other>` was called. */
export type FakeScript = Readonly<Record<string, readonly FakeAnswer[]>>;

/** The model's members of each operation the drill calls, as CLI parameters (AWS CLI 2.28.1). */
const OPERATIONS = {
    "get-plan-in-region": { required: ["--arn"], optional: [] },
    "start-plan-execution": {
        required: ["--plan-arn", "--target-region", "--action"],
        optional: ["--mode", "--comment", "--latest-version"],
        enums: { "--action": ["activate", "deactivate"], "--mode": ["graceful", "ungraceful"] },
    },
    "get-plan-execution": { required: ["--plan-arn", "--execution-id"], optional: ["--max-results", "--next-token"] },
    "cancel-plan-execution": { required: ["--plan-arn", "--execution-id"], optional: ["--comment"] },
    "list-plan-executions": { required: ["--plan-arn"], optional: ["--state", "--max-results", "--next-token"] },
};

const SOURCE = `#!${process.execPath}
const fs = require("fs");
const path = require("path");
const dir = __dirname;
const argv = process.argv.slice(2);
fs.appendFileSync(path.join(dir, "calls.jsonl"), JSON.stringify(argv) + "\\n");
const operations = ${JSON.stringify(OPERATIONS)};
function fail(message) { process.stderr.write(message + "\\n"); process.exit(252); }
let key = argv[0];
if (argv[0] !== "--version") {
    if (argv[0] !== "arc-region-switch") fail("aws: [ERROR]: argument command: Invalid choice: " + argv[0]);
    key = argv[1];
    const op = operations[key];
    if (!op) fail("aws: [ERROR]: argument operation: Invalid choice: " + key);
    const given = {};
    for (let i = 2; i < argv.length; i++) {
        const name = argv[i];
        if (name === "--no-cli-pager") continue;
        if (!name.startsWith("--") || i + 1 >= argv.length) fail("aws: [ERROR]: bad argument " + name);
        given[name] = argv[++i];
    }
    for (const name of Object.keys(given))
        if (![...op.required, ...op.optional, "--region", "--output"].includes(name)) fail("aws: [ERROR]: Unknown options: " + name);
    for (const name of op.required) if (given[name] === undefined) fail("aws: [ERROR]: the following arguments are required: " + name);
    for (const [name, allowed] of Object.entries(op.enums || {}))
        if (given[name] !== undefined && !allowed.includes(given[name])) fail("aws: [ERROR]: argument " + name + ": Invalid choice: " + given[name]);
    if (given["--output"] !== "json") fail("aws: [ERROR]: the drill must ask for --output json");
}
const script = JSON.parse(fs.readFileSync(path.join(dir, "script.json"), "utf8"));
const calledBefore = (op) => fs.existsSync(path.join(dir, "count-" + op)) && Number(fs.readFileSync(path.join(dir, "count-" + op), "utf8")) > 0;
// "<operation>@after:<other>" answers the operation once <other> has been called.
const later = Object.keys(script).find((k) => k.startsWith(key + "@after:") && calledBefore(k.slice(key.length + 7)));
if (later !== undefined) key = later;
const answers = script[key];
if (!answers || answers.length === 0) { process.stderr.write("fake aws: no answer scripted for " + key + "\\n"); process.exit(255); }
const countFile = path.join(dir, "count-" + key);
const n = fs.existsSync(countFile) ? Number(fs.readFileSync(countFile, "utf8")) : 0;
fs.writeFileSync(countFile, String(n + 1));
const answer = answers[Math.min(n, answers.length - 1)];
setTimeout(() => {
    if (answer.json !== undefined) process.stdout.write(JSON.stringify(answer.json) + "\\n");
    if (answer.stdout !== undefined) process.stdout.write(answer.stdout);
    if (answer.stderr !== undefined) process.stderr.write(answer.stderr);
    process.exit(answer.code === undefined ? 0 : answer.code);
}, answer.delayMs || 0);
`;

export interface FakeAws {
    /** `env` with the fake first on PATH. */
    env(base?: NodeJS.ProcessEnv): NodeJS.ProcessEnv;
    /** Replaces the script and forgets earlier calls. */
    script(script: FakeScript): void;
    /** Every argv so far, in order. */
    calls(): string[][];
}

/** Writes the fake into `dir` (an empty scratch folder). */
export function writeFakeAws(dir: string): FakeAws {
    const bin = path.join(dir, "aws");
    writeFileSync(bin, SOURCE);
    chmodSync(bin, 0o755);
    const log = path.join(dir, "calls.jsonl");
    return {
        env: (base = process.env) => ({ ...base, PATH: `${dir}${path.delimiter}${base.PATH ?? ""}` }),
        script: (script) => {
            writeFileSync(path.join(dir, "script.json"), JSON.stringify(script));
            writeFileSync(log, "");
            for (const key of ["--version", ...Object.keys(OPERATIONS), ...Object.keys(script)]) {
                const count = path.join(dir, `count-${key}`);
                if (existsSync(count)) writeFileSync(count, "0");
            }
        },
        calls: () =>
            existsSync(log)
                ? readFileSync(log, "utf8")
                      .split("\n")
                      .filter((line) => line !== "")
                      .map((line) => JSON.parse(line) as string[])
                : [],
    };
}
