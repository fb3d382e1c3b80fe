/**
 * A command's usage, generated from its flag table: the table `node:util` parseArgs gets,
 * with a description per flag. `--help` prints `usage()`, argument errors quote `synopsis()`,
 * and the README's and docs/qa.md's flag tables are checked against `flagRows()` in tests,
 * so the text cannot drift from the flags a command accepts.
 */

/** A number flag's range, and its value when the flag is absent. */
export interface NumberRange {
    /** @default none: the command computes it (then `Flag.defaultText` says how) */
    readonly default?: number;
    readonly min: number;
    readonly max: number;
    /** Whole numbers only. @default false */
    readonly integer?: boolean;
}

/** One flag: what parseArgs reads (`type`, `default`), plus what the usage shows. */
export interface Flag {
    readonly type: "string" | "boolean";
    /** parseArgs' value when the flag is absent; a string default is shown as the default. */
    readonly default?: string | boolean;
    /** What the value stands for in the usage (`FILE`, `N`, `S`); string flags only. */
    readonly value?: string;
    /** What the flag does, lower case, no final stop; the default and range are appended. */
    readonly description: string;
    /** Parsed with this range and default by the command (tools/common.ts `numberFlags`). */
    readonly number?: NumberRange;
    /** The default in words, where the command computes it. */
    readonly defaultText?: string;
    /** The command refuses to run without it. @default false */
    readonly required?: boolean;
    /** Shown as a choice with this flag: `[--target URL | --stack NAME]`. */
    readonly or?: string;
    /** Applies only with this boolean flag; shown inside its brackets: `[--ramp [--start N]]`. */
    readonly onlyWith?: string;
}

export type FlagTable = Readonly<Record<string, Flag>>;

/** `--help`, in every table; the synopsis leaves it out. */
export const HELP_FLAG = { type: "boolean", description: "print this usage and exit 0" } as const satisfies Flag;

function item(name: string, flag: Flag): string {
    return flag.value === undefined ? `--${name}` : `--${name} ${flag.value}`;
}

/** `usage: npm run <script> -- …`, on one line: what argument errors quote. */
export function synopsis(script: string, flags: FlagTable): string {
    const nested = (parent: string) =>
        Object.entries(flags)
            .filter(([, flag]) => flag.onlyWith === parent)
            .map(([name, flag]) => ` [${item(name, flag)}]`)
            .join("");
    const alternatives = new Set(Object.values(flags).flatMap((flag) => (flag.or === undefined ? [] : [flag.or])));
    const parts = Object.entries(flags)
        .filter(([name, flag]) => name !== "help" && flag.onlyWith === undefined && !alternatives.has(name))
        .map(([name, flag]) => {
            const text = flag.or === undefined ? item(name, flag) : `${item(name, flag)} | ${item(flag.or, flags[flag.or])}`;
            return flag.required ? text : `[${text}${nested(name)}]`;
        });
    return `usage: npm run ${script} -- ${parts.join(" ")}`;
}

/** One row a flag, in table order: the flag with its value, and its effect with default and range. */
export function flagRows(flags: FlagTable): { readonly flag: string; readonly effect: string }[] {
    return Object.entries(flags).map(([name, flag]) => {
        const shownDefault = flag.defaultText ?? flag.number?.default ?? (typeof flag.default === "string" ? flag.default : undefined);
        const notes = [
            flag.required ? "required" : undefined,
            flag.onlyWith === undefined ? undefined : `with --${flag.onlyWith}`,
            shownDefault === undefined ? undefined : `default ${shownDefault}`,
            flag.number === undefined ? undefined : `${flag.number.min} to ${flag.number.max}`,
        ].filter((note) => note !== undefined);
        return { flag: item(name, flag), effect: notes.length === 0 ? flag.description : `${flag.description} (${notes.join("; ")})` };
    });
}

/** What `--help` prints: the synopsis, then a line a flag. */
export function usage(script: string, flags: FlagTable): string {
    const rows = flagRows(flags);
    const width = Math.max(...rows.map((row) => row.flag.length)) + 2;
    return [synopsis(script, flags), "", ...rows.map((row) => `  ${row.flag.padEnd(width)}${row.effect}`)].join("\n");
}
