/** IPv4 CIDR arithmetic for the address plan. Pure; no dependencies. */

export interface Cidr {
    /** Network address as an unsigned 32-bit integer. */
    readonly base: number;
    readonly prefix: number;
}

const OCTET = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

/** Parses `a.b.c.d/n`; returns a reason string when it is not a well-formed network address. */
export function parseCidr(text: string): Cidr | string {
    const match = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\/(\d+)$/.exec(text);
    if (!match) return "is not an IPv4 CIDR like 10.10.0.0/16";
    const octets = match.slice(1, 5);
    if (!octets.every((o) => OCTET.test(o))) return "has an octet outside 0-255";
    const prefix = Number(match[5]);
    if (prefix > 32) return "has a prefix length above 32";
    const base = octets.reduce((acc, o) => acc * 256 + Number(o), 0);
    const size = 2 ** (32 - prefix);
    if (base % size !== 0) return `has host bits set (the network address is ${formatAddress(base - (base % size))}/${prefix})`;
    return { base, prefix };
}

export function formatAddress(value: number): string {
    return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join(".");
}

export function formatCidr(cidr: Cidr): string {
    return `${formatAddress(cidr.base)}/${cidr.prefix}`;
}

export function cidrSize(cidr: Cidr): number {
    return 2 ** (32 - cidr.prefix);
}

export function overlaps(a: Cidr, b: Cidr): boolean {
    return a.base < b.base + cidrSize(b) && b.base < a.base + cidrSize(a);
}

const PRIVATE_RANGES: readonly Cidr[] = [
    { base: 10 * 2 ** 24, prefix: 8 },
    { base: (172 * 256 + 16) * 2 ** 16, prefix: 12 },
    { base: (192 * 256 + 168) * 2 ** 16, prefix: 16 },
];

/** True when the whole block lies inside one RFC 1918 range. */
export function isPrivate(cidr: Cidr): boolean {
    return PRIVATE_RANGES.some((range) => range.prefix <= cidr.prefix && overlaps(range, cidr));
}

/**
 * The `index`-th block of prefix `prefix` inside `parent`, e.g. subnet(10.10.0.0/16, 20, 1)
 * is 10.10.16.0/20. Throws when it does not fit: callers size their plan from the prefix.
 */
export function subnet(parent: Cidr, prefix: number, index: number): Cidr {
    if (prefix < parent.prefix) throw new Error(`a /${prefix} does not fit in ${formatCidr(parent)}`);
    const size = 2 ** (32 - prefix);
    if ((index + 1) * size > cidrSize(parent)) {
        throw new Error(`block ${index} of /${prefix} is outside ${formatCidr(parent)}`);
    }
    return { base: parent.base + index * size, prefix };
}
