/**
 * What the QA commands share: exit statuses, argument errors, numeric flags, and the
 * default target (the stack's public hostname).
 */
import { type ParseArgsOptionsConfig, parseArgs } from "node:util";
import { STACK_NAME, projectRoot, readStack } from "../plan/stackConfig";

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
 * Strict flags (no positionals): `--help` is a HelpRequested, an unknown or malformed flag an
 * InputError carrying the usage.
 */
export function parseFlags<O extends ParseArgsOptionsConfig>(argv: string[], options: O, usage: string) {
    if (argv.includes("--help")) throw new HelpRequested(usage);
    try {
        return parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values;
    } catch (err) {
        throw new InputError(`${(err as Error).message} (${usage})`);
    }
}

export function numberFlag(
    flag: string,
    text: string | undefined,
    options: { default: number; min: number; max: number; integer?: boolean },
): number {
    if (text === undefined) return options.default;
    const value = Number(text);
    const kind = options.integer ? "a whole number" : "a number";
    if (
        text.trim() === "" ||
        !Number.isFinite(value) ||
        (options.integer && !Number.isInteger(value)) ||
        value < options.min ||
        value > options.max
    ) {
        throw new InputError(`--${flag} ${JSON.stringify(text)} is not ${kind} from ${options.min} to ${options.max}`);
    }
    return value;
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
