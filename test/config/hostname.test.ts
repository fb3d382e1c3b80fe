import * as assert from "node:assert/strict";
import { defaultZoneName, hostnameProblem, levelsBelowZone } from "../../config/hostname";
import { exampleRaw as edit, stackProblems } from "../support/config";

describe("config hostname: the domain against the zone's Universal SSL certificate", () => {
    it("counts the levels below the zone, and none outside it", () => {
        assert.equal(levelsBelowZone("example.com", "example.com"), 0);
        assert.equal(levelsBelowZone("api-staging.example.com", "example.com"), 1);
        assert.equal(levelsBelowZone("api.staging.example.com", "example.com"), 2);
        assert.equal(levelsBelowZone("api.notexample.com", "example.com"), undefined);
        assert.equal(defaultZoneName("api.staging.example.com"), "example.com");
    });

    it("passes the apex and first-level names, refuses deeper ones with a first-level name that works", () => {
        assert.equal(hostnameProblem("api.example.com", "example.com", false), undefined);
        assert.equal(hostnameProblem("example.com", "example.com", true), undefined);
        assert.equal(
            hostnameProblem("api.staging.example.com", "example.com", true),
            "api.staging.example.com is 2 levels below the zone example.com, and the zone's Universal SSL certificate covers only the apex and first-level names (developers.cloudflare.com/ssl/edge-certificates/universal-ssl/limitations (cloudflare-docs, read 2026-12-02)): browsers would fail the TLS handshake; use a first-level name such as api-staging.example.com (an Advanced certificate from Advanced Certificate Manager would cover it, but this program declares none)",
        );
        assert.match(
            hostnameProblem("api.staging.example.com", "example.com", false)!,
            /such as api-staging\.example\.com; if staging\.example\.com or another parent is a zone of its own, set platform:cloudflare\.zoneName to it \(/,
        );
        assert.equal(hostnameProblem("api.staging.example.com", "staging.example.com", true), undefined);
    });

    it("refuses a hostname outside the zone", () => {
        assert.equal(
            hostnameProblem("api.example.org", "example.com", true),
            "api.example.org is not in the zone example.com (platform:cloudflare.zoneName); use a hostname in the zone, or name the zone the hostname is in",
        );
    });

    it("is checked with the config, at platform:domain, before any resource", () => {
        assert.deepEqual(stackProblems(edit(), "us-east-1"), []);
        const deep = stackProblems(
            edit((r) => (r.domain = "api.staging.example.com")),
            "us-east-1",
        );
        assert.equal(deep.length, 1);
        assert.match(deep[0], /^platform:domain: api\.staging\.example\.com is 2 levels below the zone example\.com, /);
        assert.deepEqual(
            stackProblems(
                edit((r) => {
                    r.domain = "api.staging.example.com";
                    r.cloudflare.zoneName = "staging.example.com";
                }),
                "us-east-1",
            ),
            [],
        );
    });
});
