import * as assert from "node:assert/strict";
import { z } from "zod";
import { closest, editDistance, pathOf, validate } from "../../config/issues";
import { integer, settings, text } from "../../config/schema";

describe("config issues: zod's issues as the config's problems", () => {
    describe("closest (did you mean)", () => {
        it("counts a swap of neighbours as one edit, and ignores case", () => {
            assert.equal(editDistance("domian", "domain"), 1);
            assert.equal(editDistance("capcity", "capacity"), 1);
            assert.equal(editDistance("kitten", "sitting"), 3);
            assert.equal(editDistance("", "abc"), 3);
            assert.deepEqual(closest("Domain", ["domain", "regions"]), ["domain"]);
        });

        it("suggests the nearest key within a third of the word's length (at least one edit)", () => {
            assert.deepEqual(closest("domian", ["domain", "cloudflare", "regions"]), ["domain"]);
            assert.deepEqual(closest("primry", ["name", "primary", "cidr", "decommission"]), ["primary"]);
            assert.deepEqual(closest("k8sVersion", ["kubernetesVersion", "adminRoleArn"]), []);
            assert.deepEqual(closest("EU", ["WNAM", "ENAM", "WEU", "EEU", "OC"]), ["WEU", "EEU"]);
        });

        it("suggests nothing when the nearest do not stand out: more than two, or every candidate", () => {
            assert.deepEqual(closest("m5zn.xlarge", ["m7i.xlarge", "m6i.xlarge", "m7g.xlarge", "m6g.xlarge", "c7i.xlarge"]), []);
            assert.deepEqual(closest("1.34", ["1.36", "1.35"]), []);
            assert.deepEqual(closest("secur", ["secure"]), ["secure"]);
        });
    });

    it("writes paths as the user writes them", () => {
        assert.equal(pathOf("platform:", ["regions", 2, "cidr"]), "platform:regions[2].cidr");
        assert.equal(pathOf("platform:", []), "platform:");
        assert.equal(pathOf("aws:region", []), "aws:region");
    });

    describe("validate", () => {
        const schema = settings({ name: text(/^[a-z]+$/, "a lower-case word such as api"), size: integer(1, 9).default(3) });

        it("gives the parsed value, defaults filled in", () => {
            assert.deepEqual(validate(schema, { name: "api" }, "x:"), { ok: true, value: { name: "api", size: 3 } });
        });

        it("gives one problem per issue: path, value received, what is allowed", () => {
            assert.deepEqual(validate(schema, { size: 12, label: "api" }, "x:"), {
                ok: false,
                problems: [
                    { path: "x:name", message: "is missing; expected a lower-case word such as api" },
                    { path: "x:size", message: "12 is out of range; expected an integer from 1 to 9" },
                    { path: "x:label", message: 'is not a known setting (given "api"); known settings here: name, size' },
                ],
            });
        });

        it("reports a misspelt required key once: as the key meant, not also as missing", () => {
            assert.deepEqual(validate(schema, { nmae: "api" }, "x:"), {
                ok: false,
                problems: [
                    {
                        path: "x:nmae",
                        message: 'is not a known setting (given "api"); did you mean `name`? known settings here: name, size',
                    },
                ],
            });
        });

        it("reports a value of the wrong type once, not also its length", () => {
            const listed = z.strictObject({ items: z.array(z.string()).min(2).meta({ allowed: "at least 2 words" }) });
            assert.deepEqual(validate(listed, { items: "ab" }, "x:"), {
                ok: false,
                problems: [{ path: "x:items", message: '"ab" is not a list; expected at least 2 words' }],
            });
        });
    });
});
