import * as assert from "node:assert/strict";
import { formatCidr, isPrivate, overlaps, parseCidr, subnet } from "../../regions/cidr";

const cidr = (text: string) => {
    const parsed = parseCidr(text);
    if (typeof parsed === "string") throw new Error(parsed);
    return parsed;
};

describe("cidr", () => {
    it("parses and formats network addresses", () => {
        assert.equal(formatCidr(cidr("10.10.0.0/16")), "10.10.0.0/16");
        assert.equal(formatCidr(cidr("192.168.16.0/20")), "192.168.16.0/20");
    });

    it("explains what is wrong with a malformed CIDR", () => {
        assert.equal(parseCidr("10.10.0.0"), "is not an IPv4 CIDR like 10.10.0.0/16");
        assert.equal(parseCidr("10.300.0.0/16"), "has an octet outside 0-255");
        assert.equal(parseCidr("10.10.0.0/33"), "has a prefix length above 32");
        assert.equal(parseCidr("10.10.1.0/16"), "has host bits set (the network address is 10.10.0.0/16)");
    });

    it("detects overlaps, including containment", () => {
        assert.equal(overlaps(cidr("10.10.0.0/16"), cidr("10.10.128.0/20")), true);
        assert.equal(overlaps(cidr("10.10.0.0/16"), cidr("10.11.0.0/16")), false);
        assert.equal(overlaps(cidr("10.0.0.0/8"), cidr("10.200.0.0/16")), true);
    });

    it("knows the RFC 1918 ranges", () => {
        assert.equal(isPrivate(cidr("10.10.0.0/16")), true);
        assert.equal(isPrivate(cidr("172.20.0.0/16")), true);
        assert.equal(isPrivate(cidr("172.32.0.0/16")), false);
        assert.equal(isPrivate(cidr("8.8.0.0/16")), false);
    });

    it("cuts blocks and refuses blocks that do not fit", () => {
        assert.equal(formatCidr(subnet(cidr("10.10.0.0/16"), 20, 1)), "10.10.16.0/20");
        assert.throws(() => subnet(cidr("10.10.0.0/16"), 18, 4), /block 4 of \/18 is outside 10.10.0.0\/16/);
        assert.throws(() => subnet(cidr("10.10.0.0/16"), 8, 0), /a \/8 does not fit/);
    });
});
