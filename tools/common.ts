/**
 * What the QA commands share: exit statuses, argument errors, flag parsing from a command's
 * flag table (plan/usage.ts), the flags both commands take, and the default target (the
 * stack's public hostname).
 */
import * as path from "node:path";
import { parseArgs } from "node:util";
import { STACK_NAME, projectRoot, readStack } from "../plan/stackConfig";
import { type Flag, type FlagTable, synopsis, usage } from "../plan/usage";
import { type Scenario, ScenarioError, loadScenario } from "./scenario";

export { projectRoot };

/**
 * The QA tools' exit statuses (the plan has its own, `PLAN_EXIT` in plan/cli.ts): 0 holds; 1 the
 * objective (or the drill's expectation) fails; 2 bad input; 3 the run itself failed.
 */
export const TOOL_EXIT = { ok: 0, objective: 1, input: 2, failure: 3 } as const;

/** `--help`: the usage on stdout, exit 0. */
export class HelpRequested extends Error {}

/** Bad arguments or files: one line on stderr, exit 2. */
export class InputError extends Error {}

/** Where the commands write; tests pass their own. */
export interface Io {
    out(text: string): void;
    err(text: string): void;
    /** True when `err` is a terminal (progress then rewrites one line). */
    readonly tty?: boolean;
}

export const processIo: Io = {
    out: (text) => void process.stdout.write(text),
    err: (text) => void process.stderr.write(text),
    tty: process.stderr.isTTY === true,
};

/**
 * Strict flags (no positionals) of `npm run <script>`: `--help` is a HelpRequested carrying the
 * usage; an unknown or malformed flag, a missing required one (quoting the synopsis) or one
 * given without the flag it only applies with, an InputError.
 */
export function parseFlags<T extends FlagTable>(argv: string[], script: string, flags: T) {
    if (argv.includes("--help")) throw new HelpRequested(usage(script, flags));
    const values = strictValues(argv, script, flags);
    const given = values as Record<string, unknown>;
    for (const [name, flag] of Object.entries(flags)) {
        if (flag.required && given[name] === undefined) throw new InputError(`--${name} is required (${synopsis(script, flags)})`);
    }
    for (const parent of new Set(Object.values(flags).flatMap((flag) => (flag.onlyWith === undefined ? [] : [flag.onlyWith])))) {
        const children = Object.keys(flags).filter((name) => flags[name].onlyWith === parent);
        if (given[parent] !== true && children.some((name) => given[name] !== undefined)) {
            const listed = children.map((name) => `--${name}`);
            const subject =
                listed.length === 1 ? `${listed[0]} only applies` : `${listed.slice(0, -1).join(", ")} and ${listed.at(-1)} only apply`;
            throw new InputError(`${subject} with --${parent}`);
        }
    }
    return values;
}

function strictValues<T extends FlagTable>(argv: string[], script: string, flags: T) {
    try {
        return parseArgs({ args: argv, options: flags, strict: true, allowPositionals: false }).values;
    } catch (err) {
        throw new InputError(`${(err as Error).message} (${synopsis(script, flags)})`);
    }
}

/**
 * Reads the number flags of `flags` from parsed `values`: the text given, else `fallback`, else
 * the table's default; an InputError when it is not a number in the table's range.
 */
export function numberFlags<T extends FlagTable>(flags: T, values: { readonly [name: string]: unknown }) {
    return (name: keyof T & string, fallback?: number): number => {
        const range = (flags[name] as Flag).number;
        if (range === undefined) throw new Error(`--${name} is not a number flag`);
        const text = values[name] as string | undefined;
        const absent = fallback ?? range.default;
        if (text === undefined) {
            if (absent === undefined) throw new Error(`--${name} has no default`);
            return absent;
        }
        const value = Number(text);
        const kind = range.integer ? "a whole number" : "a number";
        if (
            text.trim() === "" ||
            !Number.isFinite(value) ||
            (range.integer && !Number.isInteger(value)) ||
            value < range.min ||
            value > range.max
        ) {
            throw new InputError(`--${name} ${JSON.stringify(text)} is not ${kind} from ${range.min} to ${range.max}`);
        }
        return value;
    };
}

/** Flags the load test and the drill both take, with the same meaning. */
export const SHARED_FLAGS = {
    scenario: {
        type: "string",
        value: "FILE",
        description: "what one user does: a YAML or JSON file as docs/qa.md describes",
        defaultText: "tools/scenarios/extension.yaml",
    },
    "max-requests": {
        type: "string",
        value: "N",
        // Bounds the run (and the drill's kept samples, about 100 bytes each); the load test keeps histograms only.
        description: "stop after this many requests in all",
        number: { default: 1_000_000, min: 1, max: 10_000_000, integer: true },
    },
} as const satisfies FlagTable;

/** `--scenario FILE`, else the shipped extension scenario; a bad file is an InputError. */
export function scenarioFlag(text: string | undefined, root: string): { readonly file: string; readonly scenario: Scenario } {
    const file = path.resolve(text ?? path.join(root, "tools", "scenarios", "extension.yaml"));
    try {
        return { file, scenario: loadScenario(file) };
    } catch (err) {
        throw err instanceof ScenarioError ? new InputError(err.message) : err;
    }
}

/** A cap below the user count would leave users that never send: each needs at least one request. */
export function checkRequestsCoverUsers(maxRequests: number, users: number, usersFlag = "users"): void {
    if (maxRequests < users)
        throw new InputError(`--max-requests ${maxRequests} is below --${usersFlag} ${users}: every user needs at least one request`);
}

export function checkStackName(stack: string): string {
    if (!STACK_NAME.test(stack)) throw new InputError(`--stack ${JSON.stringify(stack)} is not a stack name (letters, digits, - _ .)`);
    return stack;
}

/** An http(s) URL, else an InputError naming the flag. */
export function checkUrl(flag: string, text: string): string {
    let url: URL;
    try {
        url = new URL(text);
    } catch {
        throw new InputError(`--${flag} ${JSON.stringify(text)} is not a URL; expected e.g. https://api.example.com`);
    }
    if (url.protocol !== "http:" && url.protocol !== "https:")
        throw new InputError(`--${flag} ${JSON.stringify(text)} is not an http(s) URL`);
    return text;
}

/** `https://<platform:domain>` of `Pulumi.<stack>.yaml`. */
export function stackTarget(stack: string, root = projectRoot()): string {
    let config: Record<string, string>;
    try {
        config = readStack(root, stack).config;
    } catch (err) {
        throw new InputError((err as Error).message);
    }
    const domain = config["platform:domain"];
    if (!domain) throw new InputError(`Pulumi.${stack}.yaml has no platform:domain; set it or pass --target URL`);
    return `https://${domain}`;
}

export function errorLine(command: string, err: unknown): string {
    const message = err instanceof Error ? err.message : String(err);
    return `${command}: ${message.replace(/\s*\n\s*/g, " ")}\n`;
}

/** The exit status of a command that could not start: `--help` (its usage on stdout) 0, bad input 2, else 3; stderr says why. */
export function startupExit(command: string, io: Io, err: unknown): number {
    if (err instanceof HelpRequested) {
        io.out(`${err.message}\n`);
        return TOOL_EXIT.ok;
    }
    io.err(errorLine(command, err));
    return err instanceof InputError ? TOOL_EXIT.input : TOOL_EXIT.failure;
}
