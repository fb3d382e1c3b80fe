import * as assert from "node:assert/strict";
import { z } from "zod";
import { validate } from "../../config/issues";
import { checked, integer, settings } from "../../config/schema";

/** The messages `schema` reports for `value`; [] when it is valid. */
const messages = (schema: z.ZodType, value: unknown) => {
    const result = validate(schema, value, "x:");
    return result.ok ? [] : result.problems.map((p) => `${p.path}: ${p.message}`);
};

describe("config schema: rules across keys", () => {
    const range = settings({ min: integer(0), max: integer(0), note: integer(0).optional() });

    it("runs a rule once the value is valid, reporting below it", () => {
        const ordered = checked(range, (r, report) => r.min > r.max && report(`${r.min} is above max ${r.max}`, ["min"]));
        assert.deepEqual(messages(ordered, { min: 5, max: 2 }), ["x:min: 5 is above max 2"]);
        assert.deepEqual(messages(ordered, { min: 1, max: 2 }), []);
    });

    it("skips a rule while the value has a problem (no knock-on errors)", () => {
        const ordered = checked(range, (r, report) => r.min > r.max && report("above max", ["min"]));
        assert.deepEqual(messages(ordered, { min: 5, max: -1 }), ["x:max: -1 is out of range; expected an integer ≥ 0"]);
    });

    it("with `reads`, skips it only for a problem in what it reads, or in the map itself", () => {
        const ordered = checked(range, (r, report) => r.min > r.max && report("above max", ["min"]), ["min", "max"]);
        assert.deepEqual(messages(ordered, { min: 5, max: 2, note: -1 }), [
            "x:note: -1 is out of range; expected an integer ≥ 0",
            "x:min: above max",
        ]);
        assert.deepEqual(messages(ordered, { min: 5, max: 2, mx: 1 }), [
            "x:mx: is not a known setting (given 1); did you mean `max`? known settings here: min, max, note",
        ]);
    });

    it("with `reads`, still runs it beside an unknown key that misspells nothing it reads", () => {
        const ordered = checked(range, (r, report) => r.min > r.max && report("above max", ["min"]), ["min", "max"]);
        assert.deepEqual(messages(ordered, { min: 5, max: 2, nte: 1 }), [
            "x:nte: is not a known setting (given 1); did you mean `note`? known settings here: min, max, note",
            "x:min: above max",
        ]);
    });

    it("tells a rule which entries of a list are sound", () => {
        const entries = checked(
            z.array(settings({ n: integer(0) })),
            (list, report, sound) => {
                const sum = list.filter((_, i) => sound([i, "n"])).reduce((a, e) => a + e.n, 0);
                report(`sound entries sum to ${sum}`);
            },
            [],
        );
        assert.deepEqual(messages(entries, [{ n: 1 }, { n: -5 }, { n: 2 }]), [
            "x:[1].n: -5 is out of range; expected an integer ≥ 0",
            "x:: sound entries sum to 3",
        ]);
    });
});
