/**
 * A load-test scenario: what one browser-extension user does, as data. Each user picks a
 * request by weight, waits its think time, sends it, waits for the answer, and repeats.
 * Parsed with `Reader` (tools/reader.ts), so a bad file lists every problem with its path.
 */
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { type Problem, type Raw, isRecord, show } from "../config/problems";
import { Reader } from "./reader";
import { ROUTE_CLASSES, type RouteClass } from "./stats";

export const METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] as const;
export type Method = (typeof METHODS)[number];
/** The safe methods (RFC 9110 §9.2.1): a request with one of these is a read unless its step says `class: write`. */
const READ_METHODS: readonly string[] = ["GET", "HEAD", "OPTIONS"];

/** Think time in milliseconds, drawn uniformly from [min, max] before each request. */
export interface ThinkTime {
    readonly min: number;
    readonly max: number;
}

export interface ScenarioStep {
    readonly name: string;
    /** Relative frequency among the scenario's requests (need not sum to anything). */
    readonly weight: number;
    readonly method: Method;
    /** Path and query, appended to the target URL's path. */
    readonly path: string;
    readonly headers: Readonly<Record<string, string>>;
    readonly body?: string;
    /** Overrides the scenario's think time for this request. */
    readonly thinkMs: ThinkTime;
    /** Reported apart: reads and writes. @default by method: GET, HEAD and OPTIONS read, the others write */
    readonly routeClass: RouteClass;
}

export interface Scenario {
    readonly name: string;
    readonly steps: readonly ScenarioStep[];
}

/** A bad scenario file; the message is one line. */
export class ScenarioError extends Error {}

const PATH = /^\/[^\s#]*$/;
const ROUTE_CLASS = new RegExp(`^(${ROUTE_CLASSES.join("|")})$`);
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** Ten minutes: longer than any request timeout; a longer pause is a different user. */
const MAX_THINK_MS = 600_000;
const STEP_KEYS = ["name", "weight", "method", "path", "headers", "body", "thinkMs", "class"] as const;

export function loadScenario(file: string): Scenario {
    let text: string;
    try {
        text = readFileSync(file, "utf8");
    } catch (err) {
        throw new ScenarioError(
            `scenario ${file}: ${(err as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (err as Error).message}`,
        );
    }
    let raw: unknown;
    try {
        // YAML is a superset of JSON: one parser reads both kinds of file.
        raw = parse(text);
    } catch (err) {
        throw new ScenarioError(`scenario ${file} is not valid YAML or JSON: ${(err as Error).message.split("\n")[0]}`);
    }
    return parseScenario(raw, path.basename(file));
}

/** Validates a parsed scenario document; `label` prefixes every problem's path. */
export function parseScenario(raw: unknown, label: string): Scenario {
    const problems: Problem[] = [];
    if (!isRecord(raw))
        throw new ScenarioError(`scenario ${label}: ${show(raw)} is not a map; expected "requests:" (see tools/scenarios/extension.yaml)`);
    const root = new Reader(problems, `${label}:`, raw);
    root.noUnknownKeys(["name", "thinkMs", "requests"]);
    const name = root.string("name", { default: path.parse(label).name });
    const defaultThink = thinkTime(root, "thinkMs", { min: 0, max: 0 });
    const list = raw.requests;
    const steps: ScenarioStep[] = [];
    if (!Array.isArray(list) || list.length === 0) {
        root.report(
            root.at("requests"),
            `${show(list)} ${list === undefined ? "is missing" : "is not a non-empty list"}; list at least one request, e.g. [{ method: GET, path: /healthz }]`,
        );
    } else {
        list.forEach((entry: unknown, index) => {
            const at = `${root.at("requests")}[${index}]`;
            if (!isRecord(entry)) {
                root.report(at, `${show(entry)} is not a request; write { method: GET, path: /v1/... }`);
                return;
            }
            const r = new Reader(problems, at, entry);
            r.noUnknownKeys(STEP_KEYS);
            const method = r.string("method", { default: "GET", allowed: METHODS.join(", ") }).toUpperCase();
            if (!(METHODS as readonly string[]).includes(method))
                r.report(r.at("method"), `${show(entry.method)} is not one of ${METHODS.join(", ")}`);
            const stepPath = r.string("path", { pattern: PATH, allowed: "an absolute path such as /v1/sync?since=0 (no spaces)" });
            steps.push({
                name: r.string("name", { default: `${method} ${stepPath}` }),
                weight: positive(r, "weight"),
                method: method as Method,
                path: stepPath,
                headers: headers(r),
                body: body(r),
                thinkMs: thinkTime(r, "thinkMs", defaultThink),
                routeClass: r.string("class", {
                    default: READ_METHODS.includes(method) ? "read" : "write",
                    pattern: ROUTE_CLASS,
                    allowed: ROUTE_CLASSES.join(" or "),
                }) as RouteClass,
            });
        });
    }
    if (problems.length > 0) {
        throw new ScenarioError(`scenario ${label} is invalid: ${problems.map((p) => `${p.path}: ${p.message}`).join("; ")}`);
    }
    return { name, steps };
}

function positive(r: Reader, key: string): number {
    const value = r.value[key];
    if (value === undefined) return 1;
    if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) {
        r.report(r.at(key), `${show(value)} is not a positive number; a weight is a relative frequency such as 60`);
        return 1;
    }
    return value;
}

function thinkTime(r: Reader, key: string, fallback: ThinkTime): ThinkTime {
    if (r.value[key] === undefined) return fallback;
    const t = r.object(key);
    t.noUnknownKeys(["min", "max"]);
    const min = t.integer("min", { min: 0, max: MAX_THINK_MS });
    const max = t.integer("max", { min: 0, max: MAX_THINK_MS, default: min });
    if (max < min) t.report(t.path, `min ${min} is above max ${max}; write { min: <ms>, max: <ms> } with min ≤ max`);
    return { min, max };
}

function headers(r: Reader): Record<string, string> {
    const value = r.value.headers;
    if (value === undefined) return {};
    if (!isRecord(value)) {
        r.report(r.at("headers"), `${show(value)} is not a map of header names to values`);
        return {};
    }
    const out: Record<string, string> = {};
    for (const [name, v] of Object.entries(value as Raw)) {
        if (!HEADER_NAME.test(name)) r.report(`${r.at("headers")}.${name}`, "is not a valid header name");
        if (typeof v !== "string" && typeof v !== "number") {
            r.report(`${r.at("headers")}.${name}`, `${show(v)} is not a string`);
            continue;
        }
        if (/[\r\n]/.test(String(v))) r.report(`${r.at("headers")}.${name}`, "contains a line break");
        out[name] = String(v);
    }
    return out;
}

function body(r: Reader): string | undefined {
    const value = r.value.body;
    if (value === undefined) return undefined;
    if (typeof value === "string") return value;
    // A map or list is sent as JSON: the extension's API speaks JSON.
    if (isRecord(value) || Array.isArray(value)) return JSON.stringify(value);
    r.report(r.at("body"), `${show(value)} is not a string or a JSON object`);
    return undefined;
}

/**
 * Picks a step by weight. `random` returns a number in [0, 1) (Math.random by default; a
 * seeded one in tests).
 */
export function pickStep(scenario: Scenario, random: () => number = Math.random): ScenarioStep {
    const total = scenario.steps.reduce((sum, s) => sum + s.weight, 0);
    let x = random() * total;
    for (const step of scenario.steps) {
        x -= step.weight;
        if (x < 0) return step;
    }
    return scenario.steps[scenario.steps.length - 1];
}

/** Mean think time in ms of a request drawn by weight: with the users, it sets the open model's arrival rate (Little's law). */
export function meanThinkMs(scenario: Scenario): number {
    const total = scenario.steps.reduce((sum, s) => sum + s.weight, 0);
    return scenario.steps.reduce((sum, s) => sum + (s.weight / total) * ((s.thinkMs.min + s.thinkMs.max) / 2), 0);
}

/** Uniform think time in whole milliseconds. */
export function drawThink(think: ThinkTime, random: () => number = Math.random): number {
    return Math.round(think.min + (think.max - think.min) * random());
}
