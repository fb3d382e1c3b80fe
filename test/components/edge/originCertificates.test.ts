import * as assert from "node:assert/strict";
import { OriginCertificates } from "../../../components/edge/originCertificates";
import { type Evaluation } from "../../../plan/runtime";
import { evaluateComponent, ofType, one, promiseOf } from "../../support/harness";

const CELLS = [
    { region: "us-east-1", code: "use1" },
    { region: "eu-central-1", code: "euc1" },
    { region: "ap-southeast-1", code: "apse1" },
];

describe("OriginCertificates", () => {
    let ev: Evaluation;
    let arns: Record<string, string>;
    before(async () => {
        let certs: OriginCertificates | undefined;
        ev = await evaluateComponent(
            (opts) =>
                (certs = new OriginCertificates(
                    "origin-certs",
                    { domain: "api.example.com", zoneId: "fedcba9876543210fedcba9876543210", cells: CELLS, primaryRegion: "us-east-1" },
                    opts,
                )),
        );
        arns = Object.fromEntries(await Promise.all(Object.entries(certs!.arns).map(async ([r, o]) => [r, await promiseOf(o)] as const)));
    });

    it("requests the domain's certificate in every cell's region, validated by DNS", () => {
        for (const { region, code } of CELLS) {
            const cert = one(ev, "aws:acm/certificate:Certificate", `${code}-origin-certs`);
            assert.deepEqual(
                [cert.inputs.region, cert.inputs.domainName, cert.inputs.validationMethod],
                [region, "api.example.com", "DNS"],
            );
        }
        assert.equal(ofType(ev, "aws:acm/certificate:Certificate").length, 3);
    });

    it("writes ONE unproxied validation CNAME in the zone, from the primary region's certificate", () => {
        const records = ofType(ev, "cloudflare:index/dnsRecord:DnsRecord");
        assert.equal(records.length, 1);
        const record = records[0];
        assert.equal(record.inputs.zoneId, "fedcba9876543210fedcba9876543210");
        assert.equal(record.inputs.type, "CNAME");
        assert.equal(record.inputs.proxied, false);
        assert.equal(record.inputs.ttl, 60);
        assert.match(record.inputs.name as string, /^_[0-9a-f]{32}\.api\.example\.com$/, "no trailing dot");
        assert.match(record.inputs.content as string, /^_[0-9a-f]{32}\.xlfgrmvvlj\.acm-validations\.aws$/);
        assert.ok(record.dependencies.includes(one(ev, "aws:acm/certificate:Certificate", "use1-origin-certs").urn));
    });

    it("waits for validation in every region on that one record, and hands out the validated ARNs", () => {
        const record = ofType(ev, "cloudflare:index/dnsRecord:DnsRecord")[0];
        for (const { region, code } of CELLS) {
            const validation = one(ev, "aws:acm/certificateValidation:CertificateValidation", `${code}-origin-certs-validation`);
            assert.equal(validation.inputs.region, region);
            assert.deepEqual(validation.inputs.validationRecordFqdns, [record.inputs.name]);
            assert.ok(validation.dependencies.includes(record.urn));
            assert.match(arns[region], new RegExp(`^arn:aws:acm:${region}:123456789012:certificate/`));
        }
    });
});
