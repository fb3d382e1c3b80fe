/**
 * Stack configs for tests, as raw `platform:` values: the design's example, the prod stack,
 * edits of either, and the problems the stack loader reports for them (the one helper every
 * config test uses).
 */
import * as assert from "node:assert/strict";
import { type Raw, namespaceValues } from "../../config/platform";
import { ConfigError } from "../../config/problems";
import { type Stack, parseStack } from "../../stack/parse";
import { prodStack } from "./harness";

/** Raw values a test may edit freely (they are plain JSON). */
export type EditableRaw = Raw & Record<string, any>;

export const TEST_IMAGE =
    "123456789012.dkr.ecr.us-east-1.amazonaws.com/api@sha256:4f1c8e0b7a9d2c3e5f6a7b8c9d0e1f2a3b4c5d6e7f8091a2b3c4d5e6f7a8b9c0";
export const TEST_ACCOUNT_ID = "0123456789abcdef0123456789abcdef";
export const TEST_ZONE_ID = "fedcba9876543210fedcba9876543210";

/** The design's example stack (DESIGN.md, "Stack config"), with `change` applied. */
export function exampleRaw(change: (raw: EditableRaw) => void = () => undefined): EditableRaw {
    const raw: EditableRaw = {
        domain: "api.example.com",
        cloudflare: { accountId: TEST_ACCOUNT_ID, zoneId: TEST_ZONE_ID },
        regions: [{ name: "us-east-1", primary: true, cidr: "10.10.0.0/16" }, { name: "eu-central-1" }, { name: "ap-southeast-1" }],
        capacity: { targetConcurrentUsers: 25000, usersPerPod: 800, regionFailuresTolerated: 1 },
        traffic: { ENAM: 0.3, WNAM: 0.15, WEU: 0.2, EEU: 0.1, SEAS: 0.1, NEAS: 0.1, OC: 0.05 },
        app: { image: TEST_IMAGE },
    };
    change(raw);
    return raw;
}

/** The prod stack's `platform:` values (Pulumi.prod.yaml), with `change` applied. */
export function prodRaw(change: (raw: EditableRaw) => void = () => undefined): EditableRaw {
    const raw = namespaceValues(prodStack().config) as EditableRaw;
    change(raw);
    return raw;
}

/** The prod stack's `platform:capacity` (25,000 users, 800 per pod, one region down) with `over` applied. */
export const prodCapacity = (over: Record<string, unknown>) => ({
    targetConcurrentUsers: 25000,
    usersPerPod: 800,
    regionFailuresTolerated: 1,
    ...over,
});

/** `base` with whole sections replaced; `undefined` removes a section. */
export function withSections(base: Raw, sections: Readonly<Record<string, unknown>>): EditableRaw {
    const raw: EditableRaw = { ...base };
    for (const [key, value] of Object.entries(sections)) {
        if (value === undefined) delete raw[key];
        else raw[key] = value;
    }
    return raw;
}

/** The stack of `raw` (config parsed, fleet derived); throws ConfigError as the program does. */
export function parseRaw(raw: Raw, awsRegion = "us-east-1"): Stack {
    return parseStack(raw, awsRegion);
}

/** Every problem the stack loader reports for `raw`, as "path: message" lines; [] when it is valid. `null`: no `aws:region`. */
export function stackProblems(raw: Raw, awsRegion: string | null = "us-east-1"): string[] {
    try {
        parseStack(raw, awsRegion ?? undefined);
        return [];
    } catch (err) {
        if (!(err instanceof ConfigError)) throw err;
        return err.problems.map((p) => `${p.path}: ${p.message}`);
    }
}

/** One case of a config rule: the input given, and exactly the problems it gets ("path: message" lines, in order). */
export type ProblemCase = readonly [input: any, problems: readonly string[]];

/** One test per entry of `cases`, by its name: each of its inputs gets exactly its problems from `problemsOf`. */
export function checkProblems(problemsOf: (input: any) => string[], cases: Readonly<Record<string, readonly ProblemCase[]>>): void {
    for (const [name, inputs] of Object.entries(cases)) {
        it(name, () => {
            for (const [input, problems] of inputs) assert.deepEqual(problemsOf(input), problems, `given ${JSON.stringify(input)}`);
        });
    }
}
