/**
 * The adapter from zod's issues to the config's `Problem`s: the path as the user writes it
 * (`platform:regions[2].cidr`), the value received (`show()`), what is allowed (the schema's
 * `allowed` text) and the fix. An unknown key also gets a "did you mean".
 */
import { z } from "zod";
import { type Problem, isRecord, show } from "./problems";

/** The result of validating one value: its parsed output, or the problems found. */
export type Checked<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly problems: Problem[] };

/**
 * Validates `value` against `schema`; `root` is the path of the value itself: `platform:` for
 * the namespace (its keys follow directly), `aws:region` for a single key.
 */
export function validate<T extends z.ZodType>(schema: T, value: unknown, root: string): Checked<z.output<T>> {
    const result = schema.safeParse(value, { error: messageOf, reportInput: true });
    if (result.success) return { ok: true, value: result.data };
    return { ok: false, problems: problemsOf(result.error.issues, root, schema) };
}

/** zod's error map for the config: one message per issue, from the schema's metadata. */
export function messageOf(issue: z.core.$ZodRawIssue): string | undefined {
    const meta = issue.schema ? z.globalRegistry.get(issue.schema) : undefined;
    const allowed = meta?.allowed ?? "a valid value";
    const value = meta?.secret ? "" : `${show(issue.input)} `;
    switch (issue.code) {
        case "invalid_type":
            if (issue.input === undefined) return `is missing; expected ${allowed}`;
            if (
                (issue.expected === "number" || issue.expected === "int") &&
                typeof issue.input === "string" &&
                Number.isFinite(Number(issue.input))
            )
                return `${value}is text, not a number; write it without quotes; expected ${allowed}`;
            return `${value}is not ${TYPE_NOUNS[issue.expected] ?? `a ${issue.expected}`}; expected ${allowed}`;
        case "too_small":
        case "too_big":
            if (issue.origin === "array") {
                const n = Array.isArray(issue.input) ? issue.input.length : 0;
                return `${value}has ${n === 0 ? "no entries" : n === 1 ? "1 entry" : `${n} entries`}; expected ${allowed}`;
            }
            return `${value}is out of range; expected ${allowed}`;
        case "invalid_value": {
            // YAML reads 1.30 as the number 1.3: a value from a list of strings must be quoted.
            const strings = issue.values.every((v) => typeof v === "string");
            if (typeof issue.input === "number" && strings) return `${value}is a number; quote it in YAML: use ${allowed}`;
            if (typeof issue.input === "string" && issue.values.every((v) => typeof v === "number")) {
                return `${value}is not a number; expected ${allowed}`;
            }
            const hint = typeof issue.input === "string" && strings ? didYouMean(issue.input, issue.values as string[]) : "";
            return `${value}${meta?.refused ?? "is not allowed"}; ${hint}use ${allowed}`;
        }
        case "invalid_format":
            return `${value}is not ${allowed}`;
        default:
            return undefined;
    }
}

const TYPE_NOUNS: Readonly<Record<string, string>> = {
    string: "a string",
    number: "a number",
    int: "an integer",
    boolean: "a boolean",
    array: "a list",
    object: "a map",
    record: "a map",
};

/**
 * The problems of `issues`, in zod's order (keys in schema order, then a map's unknown keys,
 * then the rules across keys), one per unknown key.
 */
export function problemsOf(issues: readonly z.core.$ZodIssue[], root: string, schema: z.ZodType): Problem[] {
    // A value of the wrong type has no length, range or format to speak of: its type is the one problem.
    const mistyped = new Set(issues.filter((i) => i.code === "invalid_type").map((i) => pathOf(root, i.path)));
    const unknown = issues.flatMap((issue) => (issue.code === "unrecognized_keys" ? unknownKeys(issue, root, schema) : []));
    // A required key misspelt is missing: the unknown key's "did you mean" says so, once.
    const misspelt = new Set(unknown.flatMap((u) => (u.suggested.length === 1 ? [pathOf(root, [...u.at, u.suggested[0]])] : [])));
    const problems: Problem[] = [];
    for (const issue of issues) {
        const path = pathOf(root, issue.path);
        if (issue.code === "unrecognized_keys") {
            problems.push(...unknown.filter((u) => u.issue === issue).map((u) => u.problem));
        } else if (issue.code === "invalid_type") {
            if (!(issue.input === undefined && misspelt.has(path))) problems.push({ path, message: issue.message });
        } else if (!mistyped.has(path)) {
            problems.push({ path, message: issue.message });
        }
    }
    return problems;
}

interface UnknownKey {
    readonly issue: z.core.$ZodIssue;
    /** The path of the map that has the key. */
    readonly at: readonly PropertyKey[];
    readonly suggested: readonly string[];
    readonly problem: Problem;
}

function unknownKeys(issue: z.core.$ZodIssueUnrecognizedKeys, root: string, schema: z.ZodType): UnknownKey[] {
    const known = knownKeys(schema, issue.path);
    return issue.keys.map((key) => {
        const suggested = closest(key, known.keys);
        const given = isRecord(issue.input) ? issue.input[key] : undefined;
        return {
            issue,
            at: issue.path,
            suggested,
            problem: { path: pathOf(root, [...issue.path, key]), message: unknownKey(given, suggested, known) },
        };
    });
}

/** `platform:` + `regions`, 2, `cidr` → `platform:regions[2].cidr`; a root such as `aws:region` takes no key. */
export function pathOf(root: string, path: readonly PropertyKey[]): string {
    return path.reduce<string>((at, key) => {
        if (typeof key === "number") return `${at}[${key}]`;
        return at.endsWith(":") ? `${at}${String(key)}` : `${at}.${String(key)}`;
    }, root);
}

interface KnownKeys {
    readonly keys: readonly string[];
    /** What a key is, for a map whose keys are a closed list (traffic: "a Cloudflare region code"). */
    readonly noun?: string;
    readonly secret: ReadonlySet<string>;
}

function unknownKey(given: unknown, suggested: readonly string[], known: KnownKeys): string {
    // The value of a misspelt secret is the secret: never show it.
    const hidden = suggested.some((k) => known.secret.has(k));
    const received = hidden ? "its value not shown: it may be a secret" : `given ${preview(given)}`;
    const hint = suggested.length > 0 ? `did you mean ${suggested.map((k) => `\`${k}\``).join(" or ")}? ` : "";
    if (known.noun !== undefined) return `is not ${known.noun} (${received}); ${hint}use one of ${known.keys.join(", ")}`;
    return `is not a known setting (${received}); ${hint}known settings here: ${known.keys.join(", ")}`;
}

/** A received value for an unknown key: a scalar as written; of a map or list, only its shape (it may hold a secret). */
function preview(value: unknown): string {
    if (isRecord(value)) {
        const keys = Object.keys(value);
        return keys.length === 0 ? "{}" : `a map of ${keys.join(", ")}`;
    }
    if (Array.isArray(value)) return value.length === 0 ? "[]" : `a list of ${value.length}`;
    return show(value);
}

/** "did you mean \"x\"? " for the candidates nearest to `word`; "" when none is near. */
export function didYouMean(word: string, candidates: readonly string[]): string {
    const suggested = closest(word, candidates);
    return suggested.length > 0 ? `did you mean ${suggested.map((c) => JSON.stringify(c)).join(" or ")}? ` : "";
}

/**
 * The candidates nearest to `word` (case ignored, a swap of two neighbours counting as one
 * edit) when they stand out: at most a third of its length away (at least 1 edit), and at
 * most two of them at that distance, not every candidate. In the candidates' order; [] when
 * none stands out.
 */
export function closest(word: string, candidates: readonly string[]): string[] {
    const limit = Math.max(1, Math.floor(word.length / 3));
    const distances = candidates.map((c) => editDistance(word.toLowerCase(), c.toLowerCase()));
    const best = Math.min(...distances);
    const nearest = candidates.filter((_, i) => distances[i] === best);
    return best > limit || nearest.length > 2 || (candidates.length > 1 && nearest.length === candidates.length) ? [] : nearest;
}

/** Optimal string alignment distance: insertions, deletions, substitutions and adjacent swaps. */
export function editDistance(a: string, b: string): number {
    const d = Array.from({ length: a.length + 1 }, (_, i) =>
        Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
    );
    for (let i = 1; i <= a.length; i++) {
        for (let j = 1; j <= b.length; j++) {
            const cost = a[i - 1] === b[j - 1] ? 0 : 1;
            d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
            if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
        }
    }
    return d[a.length][b.length];
}

/** The keys of the map at `path` in `schema`, read from its JSON Schema (the same one the docs are made from). */
function knownKeys(schema: z.ZodType, path: readonly PropertyKey[]): KnownKeys {
    let node: JsonNode | undefined = jsonSchemaOf(schema);
    for (const key of path) node = typeof key === "number" ? node?.items : (node?.properties?.[String(key)] ?? node?.additionalProperties);
    const properties = node?.properties ?? {};
    return {
        keys: node?.propertyNames?.enum ?? Object.keys(properties),
        noun: node?.keys,
        secret: new Set(Object.keys(properties).filter((k) => isSecret(properties[k]))),
    };
}

/** The part of a JSON Schema the config reads: nested maps and lists, closed key lists and the config's own metadata. */
export interface JsonNode {
    readonly type?: string;
    readonly description?: string;
    readonly default?: unknown;
    readonly properties?: Readonly<Record<string, JsonNode>>;
    readonly required?: readonly string[];
    readonly items?: JsonNode;
    readonly additionalProperties?: JsonNode;
    readonly propertyNames?: { readonly enum?: readonly string[] };
    readonly anyOf?: readonly JsonNode[];
    readonly allowed?: string;
    readonly keys?: string;
    readonly fallback?: string;
    readonly rule?: string;
    readonly page?: string;
    readonly secret?: boolean;
}

function isSecret(node: JsonNode): boolean {
    return node.secret === true || (node.anyOf ?? []).some(isSecret);
}

const jsonSchemas = new WeakMap<z.ZodType, JsonNode>();

/** The JSON Schema of what a user writes (zod's `io: "input"`), computed once per schema. */
export function jsonSchemaOf(schema: z.ZodType): JsonNode {
    let node = jsonSchemas.get(schema);
    if (node === undefined) {
        node = z.toJSONSchema(schema, { io: "input" }) as JsonNode;
        jsonSchemas.set(schema, node);
    }
    return node;
}
