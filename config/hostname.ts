/**
 * The public hostname against its Cloudflare zone: which zone it is in, how many levels below
 * the zone's apex it sits, and whether the zone's Universal SSL certificate covers it. Pure.
 */
import { UNIVERSAL_SSL_MAX_LEVELS, UNIVERSAL_SSL_SOURCE } from "../regions/cloudflarePlans";

/**
 * The zone's name when the config does not give one: the hostname's last two labels
 * (`api.example.com` → `example.com`). Under a two-label public suffix (`example.co.uk`) that
 * guess is the suffix itself, so the hostname counts one level deeper than it is and is refused
 * with the fix (set `platform:cloudflare.zoneName`), never passed by mistake.
 */
export function defaultZoneName(domain: string): string {
    return domain.split(".").slice(-2).join(".");
}

/** Levels of `domain` below `zone`: 0 for the apex, 1 for `api.example.com` in `example.com`; undefined when outside it. */
export function levelsBelowZone(domain: string, zone: string): number | undefined {
    if (domain === zone) return 0;
    if (!domain.endsWith(`.${zone}`)) return undefined;
    return domain.split(".").length - zone.split(".").length;
}

/**
 * Why `domain` cannot be served with the zone's Universal SSL certificate, or undefined when it
 * can. `zoneGiven`: the zone's name came from `platform:cloudflare.zoneName`, not the guess.
 */
export function hostnameProblem(domain: string, zone: string, zoneGiven: boolean): string | undefined {
    const levels = levelsBelowZone(domain, zone);
    if (levels === undefined)
        return `${domain} is not in the zone ${zone} (platform:cloudflare.zoneName); use a hostname in the zone, or name the zone the hostname is in`;
    if (levels <= UNIVERSAL_SSL_MAX_LEVELS) return undefined;
    const first = domain.split(".");
    const flat = `${first.slice(0, levels).join("-")}.${zone}`;
    const zoneHint = zoneGiven
        ? ""
        : `; if ${first.slice(1).join(".")} or another parent is a zone of its own, set platform:cloudflare.zoneName to it`;
    return (
        `${domain} is ${levels} levels below the zone ${zone}, and the zone's Universal SSL certificate covers only the apex and ` +
        `first-level names (${UNIVERSAL_SSL_SOURCE}): browsers would fail the TLS handshake; use a first-level name such as ${flat}` +
        `${zoneHint} (an Advanced certificate from Advanced Certificate Manager would cover it, but this program declares none)`
    );
}
