/**
 * The building blocks of the config schemas (zod 4). Every leaf carries, as metadata, what a
 * valid value is (`allowed`): the messages (config/issues.ts) and the docs' tables of keys
 * (config/docs.ts) both print that one text, and the defaults come from the schemas' own
 * `.default()`, so a key is described in one place.
 */
import { z } from "zod";
import { catalogRegions } from "../regions/catalog";
import { closest } from "./issues";

declare module "zod" {
    interface GlobalMeta {
        /** A valid value, as a noun phrase ("an integer from 1 to 3600"): messages and the docs' tables print it. */
        allowed?: string;
        /** A value outside a closed list, as a verb phrase ("is not accepted by Cloudflare"). */
        refused?: string;
        /** What a key of a map is, when the keys are a closed list ("a Cloudflare region code"). */
        keys?: string;
        /** The docs' default of a key the schema leaves unset, e.g. "the primary's region". */
        fallback?: string;
        /** A rule across keys (checked by a refinement), added to the docs' Allowed column. */
        rule?: string;
        /** The page whose table lists this section's keys; the README's table links to it. */
        page?: string;
        /** Messages never show the value (it may carry a token). */
        secret?: boolean;
    }
}

/** A value as deep as it goes, read-only: the parsed config is never changed after parsing. */
export type Immutable<T> = T extends (infer U)[]
    ? readonly Immutable<U>[]
    : T extends object
      ? { readonly [K in keyof T]: Immutable<T[K]> }
      : T;

/** A string matching `pattern`; `allowed` says what it is ("a lower-case DNS hostname such as api.example.com"). */
export function text(pattern: RegExp, allowed: string) {
    // No `abort`: zod would then skip every rule above this value, not only those that read it (`checked` skips those).
    return z.string().regex(pattern).meta({ allowed });
}

/** An integer from `min` to `max` (no upper bound when `max` is left out). */
export function integer(min: number, max?: number) {
    const atLeast = z.int().min(min);
    const allowed = max === undefined ? `an integer ≥ ${min}` : `an integer from ${min} to ${max}`;
    return (max === undefined ? atLeast : atLeast.max(max)).meta({ allowed });
}

export function flag() {
    return z.boolean().meta({ allowed: "true or false" });
}

/** One of `values` (strings or numbers); `refused` says what a value outside the list is. */
export function oneOf<const T extends readonly [z.core.util.Literal, ...z.core.util.Literal[]]>(
    values: T,
    options: { refused: string; allowed?: string; unit?: string },
) {
    const listed = values.map((v) => (typeof v === "string" ? JSON.stringify(v) : String(v))).join(", ");
    const allowed = options.allowed ?? `one of ${listed}${options.unit ? ` (${options.unit})` : ""}`;
    return z.literal(values).meta({ allowed, refused: options.refused });
}

/** A region of the catalog (regions/catalog.ts); `what` says which one ("the region the global database was created in"). */
export function catalogRegion(what?: string) {
    const names = catalogRegions().map((r) => r.name) as [string, ...string[]];
    return oneOf(names, { refused: "is not in the region catalog", allowed: `${what ? `${what}: ` : ""}one of ${names.join(", ")}` });
}

/** 32 lower-case hex characters (a Cloudflare id); `where` says where to find it. */
export function hex32(where: string) {
    return text(/^[0-9a-f]{32}$/, `32 lower-case hex characters (${where})`);
}

/** A list of `item`, at least `min` long; `allowed` describes the list ("at least 2 EC2 instance types, e.g. …"). */
export function list<T extends z.ZodType>(item: T, allowed: string, min = 0) {
    const array = z.array(item);
    return (min > 0 ? array.min(min) : array).meta({ allowed });
}

/**
 * A map of settings with exactly the keys of `shape` (an unknown key is reported, with a
 * "did you mean"). Messages about the map itself name its required keys.
 */
export function settings<S extends Record<string, z.ZodType>>(shape: S) {
    const required = Object.keys(shape).filter((key) => !shape[key].safeParse(undefined).success);
    const allowed = required.length > 0 ? `a map with ${required.join(", ")}` : "a map of settings, or nothing (every key has a default)";
    return z.strictObject(shape).meta({ allowed });
}

/** A section whose every key has a default: left out, it is `{}` with the defaults filled in. */
export function defaulted<T extends z.ZodType<unknown, object>>(section: T) {
    return section.prefault({} as z.input<T>);
}

export type Report = (message: string, path?: readonly PropertyKey[]) => void;
/** A path below a value; `"*"` stands for every entry of a list. */
export type Path = readonly (PropertyKey | "*")[];
/** A rule across the parts of a value. `sound(path)` tells whether the part at `path` has no problem of its own. */
export type Rule<T> = (value: T, report: Report, sound: (path: Path) => boolean) => void;

/**
 * `schema` with a rule across its parts (one primary, CIDRs that do not overlap, …). A bad
 * value is reported once, never again by a rule that reads it (no knock-on errors): the rule
 * runs only once the value has no problem, or, given `reads`, once none of the parts it reads
 * has one (nor the map or list that holds them; a rule across parts does not count). A rule
 * that reads parts of some entries only asks `sound` for each. `report` takes a path below
 * the value.
 */
export function checked<T extends z.ZodType>(schema: T, rule: Rule<z.output<T>>, reads?: readonly (string | Path)[]): T {
    const paths = reads?.map((r) => (typeof r === "string" ? [r] : r));
    return schema.superRefine(
        (value, ctx) => {
            const found = ctx.issues.flatMap((issue) => foundAt(issue, paths));
            rule(
                value,
                (message, path = []) => ctx.addIssue({ code: "custom", message, path: [...path], input: value }),
                (path) => !found.some((f) => spoils(f, path)),
            );
        },
        {
            when: (payload) => {
                const found = payload.issues.flatMap((issue) => foundAt(issue, paths));
                if (paths === undefined) return found.length === 0;
                return !found.some((f) => (f.path.length === 0 && !f.byRule) || paths.some((path) => spoils(f, path)));
            },
        },
    );
}

interface Found {
    readonly path: readonly PropertyKey[];
    /** Reported by a rule (about how parts relate), not by the type, range or format of a value. */
    readonly byRule: boolean;
}

/**
 * Where a problem is. An unknown key is a problem of that key alone, not of the map that holds
 * it, and of the key it is a misspelling of when a rule reads that one (the value meant for it
 * is missing): a typo elsewhere in a map must not silence the map's other rules.
 */
function foundAt(issue: z.core.$ZodRawIssue, reads?: readonly Path[]): Found[] {
    const path = issue.path ?? [];
    if (issue.code !== "unrecognized_keys") return [{ path, byRule: issue.code === "custom" }];
    return (issue.keys as readonly string[]).flatMap((key) => {
        const meant = (reads ?? [])
            .filter((read) => read.length > path.length && path.every((part, i) => read[i] === part || read[i] === "*"))
            .map((read) => String(read[path.length]))
            .filter((candidate) => candidate !== "*" && closest(key, [candidate]).length > 0);
        return [key, ...meant].map((part) => ({ path: [...path, part], byRule: false }));
    });
}

/** Whether a problem makes the part at `path` unusable: it is at or below it, or it is the type of a map or list that holds it. */
function spoils(found: Found, path: Path): boolean {
    const shared = Math.min(found.path.length, path.length);
    for (let i = 0; i < shared; i++) if (path[i] !== "*" && path[i] !== found.path[i]) return false;
    return found.path.length >= path.length || !found.byRule;
}
