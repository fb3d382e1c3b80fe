/**
 * A hand-written reader for the QA tools' own files (tools/scenario.ts): it records a problem
 * instead of throwing, so that one run lists them all. The stack config has its schemas
 * (config/*.ts, zod) instead.
 */
import { type Problem, type Raw, isRecord, show } from "../config/problems";

interface NumberOptions {
    readonly min: number;
    readonly max?: number;
    readonly default?: number;
}

/**
 * A reader over one object of the config that records a problem instead of throwing,
 * and returns a usable fallback so that validation can go on and find the rest.
 */
export class Reader {
    constructor(
        private readonly problems: Problem[],
        readonly path: string,
        readonly value: Raw,
    ) {}

    /** The path of `key` below this object; the root reader's path is the namespace, `platform:`. */
    at(key: string): string {
        return this.path.endsWith(":") ? `${this.path}${key}` : `${this.path}.${key}`;
    }

    report(path: string, message: string): void {
        this.problems.push({ path, message });
    }

    /** A nested object; missing gives an empty one (its own keys then report or default). */
    object(key: string, required = false): Reader {
        const value = this.value[key];
        if (value === undefined && !required) return new Reader(this.problems, this.at(key), {});
        if (!isRecord(value)) {
            this.report(
                this.at(key),
                `${show(value)} is not an object; ${required ? "it is required" : "give a map of settings or leave it out"}`,
            );
            return new Reader(this.problems, this.at(key), {});
        }
        return new Reader(this.problems, this.at(key), value);
    }

    string(key: string, options: { default?: string; pattern?: RegExp; allowed?: string } = {}): string {
        const value = this.value[key];
        if (value === undefined && options.default !== undefined) return options.default;
        if (typeof value !== "string" || value.length === 0) {
            this.report(
                this.at(key),
                `${show(value)} ${value === undefined ? "is required" : "is not a non-empty string"}${options.allowed ? `; expected ${options.allowed}` : ""}`,
            );
            return options.default ?? "";
        }
        if (options.pattern && !options.pattern.test(value)) {
            this.report(this.at(key), `${show(value)} is not ${options.allowed ?? `of the form ${options.pattern}`}`);
        }
        return value;
    }

    optionalString(key: string, options: { pattern?: RegExp; allowed?: string } = {}): string | undefined {
        if (this.value[key] === undefined) return undefined;
        return this.string(key, options);
    }

    /** An integer within [min, max]; `default` applies only when the key is absent. Out of range, the bound is used. */
    integer(key: string, options: NumberOptions): number {
        return this.numeric(key, options, "an integer", Number.isInteger);
    }

    /** A finite number within [min, max]; `default` applies only when the key is absent. */
    number(key: string, options: NumberOptions): number {
        return this.numeric(key, options, "a number", Number.isFinite);
    }

    private numeric(key: string, options: NumberOptions, kind: "an integer" | "a number", valid: (value: number) => boolean): number {
        const value = this.value[key];
        if (value === undefined && options.default !== undefined) return options.default;
        const range = options.max === undefined ? `${kind} ≥ ${options.min}` : `${kind} from ${options.min} to ${options.max}`;
        if (typeof value !== "number" || !valid(value)) {
            this.report(this.at(key), `${show(value)} ${value === undefined ? "is required" : `is not ${kind}`}; expected ${range}`);
            return options.default ?? options.min;
        }
        if (value < options.min || (options.max !== undefined && value > options.max)) {
            this.report(this.at(key), `${value} is out of range; expected ${range}`);
            if (kind === "an integer") return Math.min(Math.max(value, options.min), options.max ?? value);
        }
        return value;
    }

    boolean(key: string, fallback: boolean): boolean {
        const value = this.value[key];
        if (value === undefined) return fallback;
        if (typeof value !== "boolean") {
            this.report(this.at(key), `${show(value)} is not a boolean; write true or false`);
            return fallback;
        }
        return value;
    }

    /** A list of strings; each element checked against `pattern`. */
    strings(key: string, options: { default: readonly string[]; pattern?: RegExp; allowed?: string; minItems?: number }): string[] {
        const value = this.value[key];
        if (value === undefined) return [...options.default];
        if (!Array.isArray(value) || value.some((v) => typeof v !== "string")) {
            this.report(this.at(key), `${show(value)} is not a list of strings`);
            return [...options.default];
        }
        if (options.minItems !== undefined && value.length < options.minItems) {
            this.report(this.at(key), `${show(value)} has ${value.length} entries; at least ${options.minItems} are required`);
        }
        value.forEach((v: string, i) => {
            if (options.pattern && !options.pattern.test(v)) {
                this.report(`${this.at(key)}[${i}]`, `${show(v)} is not ${options.allowed ?? `of the form ${options.pattern}`}`);
            }
        });
        return value as string[];
    }

    /** Reports keys this section does not know, naming the known ones (catches typos). */
    noUnknownKeys(known: readonly string[]): void {
        for (const key of Object.keys(this.value)) {
            if (!known.includes(key)) this.report(this.at(key), `is not a known setting; known settings here: ${known.join(", ")}`);
        }
    }
}
