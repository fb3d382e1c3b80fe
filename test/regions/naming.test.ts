import * as assert from "node:assert/strict";
import { cellPhysicalPrefix, logDomainName, stackNameProblems } from "../../regions/naming";

describe("physical names", () => {
    it("carry the stack: two stacks of one account and region never share one", () => {
        assert.equal(cellPhysicalPrefix("platform", "prod", "use1"), "platform-prod-use1");
        assert.equal(logDomainName("staging", "apse1"), "staging-apse1-logs");
        assert.notEqual(logDomainName("prod", "use1"), logDomainName("staging", "use1"));
    });

    it("accept the repository's stacks in every catalog code of theirs", () => {
        assert.deepEqual(stackNameProblems("prod", ["use1", "euc1", "apse1"]), []);
        assert.deepEqual(stackNameProblems("staging", ["use1", "euc1"]), []);
        assert.deepEqual(stackNameProblems("a".repeat(17), ["apse1"]), []);
    });

    it("refuse a stack name the OpenSearch domain cannot carry (too long, upper case, a dot), naming the domain and the limit", () => {
        assert.deepEqual(stackNameProblems("a".repeat(18), ["use1", "apse1"]), [
            `stack name "${"a".repeat(18)}" cannot name the OpenSearch domains "${"a".repeat(18)}-apse1-logs": a domain name is 3-28 characters, a lower-case letter then lower-case letters, digits and hyphens; use a stack name of lower-case letters, digits and hyphens, at most 17 characters`,
        ]);
        assert.match(stackNameProblems("Prod", ["use1"])[0], /"Prod-use1-logs"/);
        assert.match(stackNameProblems("prod.eu", ["use1"])[0], /"prod\.eu-use1-logs"/);
        assert.match(stackNameProblems("1prod", ["use1"])[0], /a lower-case letter then/);
    });
});
