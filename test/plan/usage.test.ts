import * as assert from "node:assert/strict";
import { type FlagTable, HELP_FLAG, flagRows, synopsis, usage } from "../../plan/usage";

const FLAGS = {
    region: { type: "string", value: "NAME", required: true, description: "the region" },
    target: { type: "string", value: "URL", or: "stack", description: "where to send it", defaultText: "the stack's domain" },
    stack: { type: "string", value: "NAME", default: "prod", description: "the stack" },
    users: { type: "string", value: "N", description: "users", number: { default: 50, min: 1, max: 100, integer: true } },
    warmup: { type: "string", value: "S", description: "warm-up", number: { min: 0, max: 60 } },
    ramp: { type: "boolean", default: false, description: "step up" },
    start: { type: "string", value: "N", onlyWith: "ramp", description: "first step", number: { default: 10, min: 1, max: 100 } },
    help: HELP_FLAG,
} as const satisfies FlagTable;

describe("usage from a flag table", () => {
    it("writes the synopsis in table order: required flags bare, choices joined, dependent flags inside their flag's brackets, no --help", () => {
        assert.equal(
            synopsis("tool", FLAGS),
            "usage: npm run tool -- --region NAME [--target URL | --stack NAME] [--users N] [--warmup S] [--ramp [--start N]]",
        );
    });

    it("describes each flag with what it needs, its default and its range", () => {
        assert.deepEqual(flagRows(FLAGS), [
            { flag: "--region NAME", effect: "the region (required)" },
            { flag: "--target URL", effect: "where to send it (default the stack's domain)" },
            { flag: "--stack NAME", effect: "the stack (default prod)" },
            { flag: "--users N", effect: "users (default 50; 1 to 100)" },
            { flag: "--warmup S", effect: "warm-up (0 to 60)" },
            { flag: "--ramp", effect: "step up" },
            { flag: "--start N", effect: "first step (with --ramp; default 10; 1 to 100)" },
            { flag: "--help", effect: "print this usage and exit 0" },
        ]);
    });

    it("prints the synopsis, then one aligned line a flag", () => {
        assert.equal(
            usage("tool", { stack: FLAGS.stack, ramp: FLAGS.ramp, help: HELP_FLAG }),
            [
                "usage: npm run tool -- [--stack NAME] [--ramp]",
                "",
                "  --stack NAME  the stack (default prod)",
                "  --ramp        step up",
                "  --help        print this usage and exit 0",
            ].join("\n"),
        );
    });
});
