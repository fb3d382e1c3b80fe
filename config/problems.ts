/**
 * Collects every problem of a config before anything is declared, so that a user sees
 * them all at once, each with its config path, the value received and what is allowed.
 */

export interface Problem {
    /** Config path, e.g. `platform:regions[2].cidr`. */
    readonly path: string;
    /**
     * What is wrong and how to fix it: the value received first (unless it is missing or a
     * secret), then what is allowed or the fix.
     */
    readonly message: string;
}

export class ConfigError extends Error {
    constructor(readonly problems: readonly Problem[]) {
        super(formatProblems(problems));
        this.name = "ConfigError";
    }
}

export function formatProblems(problems: readonly Problem[]): string {
    const count = problems.length === 1 ? "1 problem" : `${problems.length} problems`;
    return `Invalid stack config (${count}):\n${problems.map((p) => `- ${p.path}: ${p.message}`).join("\n")}`;
}

/** Shows a received value the way a user wrote it. */
export function show(value: unknown): string {
    if (value === undefined) return "(missing)";
    if (typeof value === "string") return JSON.stringify(value);
    return JSON.stringify(value) ?? String(value);
}

export type Raw = Record<string, unknown>;

export function isRecord(value: unknown): value is Raw {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}
