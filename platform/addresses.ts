import { normalizeHostname } from "./hostnames.ts";

/**
 * Whether a destination is outside the public Internet, judged on the address
 * a hostname is rather than on how it is spelled. Shared by the outbound
 * Worker (its policy) and the emulator (the egress of tenant Workers when no
 * outbound Worker is configured), so both refuse the same things.
 */

/** Why an address is not the public Internet. */
export type AddressClass = "loopback" | "private" | "link-local" | "metadata" | "reserved";

type V4Range = { base: number; bits: number; kind: AddressClass };

const v4 = (dotted: string): number | null => {
  const parts = dotted.split(".");
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255)) return null;
  return parts.reduce((n, p) => n * 256 + Number(p), 0);
};

const range = (cidr: string, kind: AddressClass): V4Range => {
  const [base = "", bits = ""] = cidr.split("/");
  return { base: v4(base) as number, bits: Number(bits), kind };
};

/** Cloud metadata services: AWS, GCP, Azure, OpenStack and DigitalOcean (169.254.169.254), ECS task metadata, Alibaba. */
const METADATA_V4 = new Set(["169.254.169.254", "169.254.170.2", "100.100.100.200"].map((a) => v4(a) as number));

/** IANA's special-purpose IPv4 ranges that are not globally reachable. */
const V4_RANGES: V4Range[] = [
  range("0.0.0.0/8", "reserved"),
  range("10.0.0.0/8", "private"),
  range("100.64.0.0/10", "private"),
  range("127.0.0.0/8", "loopback"),
  range("169.254.0.0/16", "link-local"),
  range("172.16.0.0/12", "private"),
  range("192.0.0.0/24", "reserved"),
  range("192.0.2.0/24", "reserved"),
  range("192.88.99.0/24", "reserved"),
  range("192.168.0.0/16", "private"),
  range("198.18.0.0/15", "reserved"),
  range("198.51.100.0/24", "reserved"),
  range("203.0.113.0/24", "reserved"),
  range("224.0.0.0/4", "reserved"),
  range("240.0.0.0/4", "reserved"),
];

function classifyV4(address: number): AddressClass | null {
  if (METADATA_V4.has(address)) return "metadata";
  for (const { base, bits, kind } of V4_RANGES) {
    // Compare the top `bits` bits; numbers rather than 32-bit ints, so no sign trouble.
    const size = 2 ** (32 - bits);
    if (Math.floor(address / size) === Math.floor(base / size)) return kind;
  }
  return null;
}

/** The eight 16-bit groups of an IPv6 address (a trailing dotted IPv4 included), or null. */
function parseV6(text: string): number[] | null {
  let head = text;
  const tail: number[] = [];
  const dotted = /(?:^|:)(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted !== null) {
    const embedded = v4(dotted[1] as string);
    if (embedded === null) return null;
    tail.push(Math.floor(embedded / 65536), embedded % 65536);
    head = text.slice(0, text.length - (dotted[1] as string).length);
    if (head.endsWith(":") && !head.endsWith("::")) head = head.slice(0, -1);
  }
  const halves = head.split("::");
  if (halves.length > 2) return null;
  const groups = (s: string) => (s === "" ? [] : s.split(":"));
  const left = groups(halves[0] as string);
  const right = halves.length === 2 ? groups(halves[1] as string) : [];
  const explicit = left.length + right.length + tail.length;
  if (halves.length === 1 ? explicit !== 8 : explicit > 7) return null;
  const hex = [...left, ...Array<string>(8 - explicit).fill("0"), ...right];
  if (!hex.every((g) => /^[0-9a-f]{1,4}$/i.test(g))) return null;
  return [...hex.map((g) => Number.parseInt(g, 16)), ...tail];
}

const embeddedV4 = (hi: number, lo: number) => hi * 65536 + lo;

function classifyV6(g: number[]): AddressClass | null {
  const [a = 0, b = 0, c = 0, , , , h7 = 0, h8 = 0] = g;
  /** Whether the address starts with these groups. */
  const starts = (...groups: number[]) => groups.every((x, i) => g[i] === x);
  if (starts(0, 0, 0, 0, 0, 0, 0, 1)) return "loopback";
  if (starts(0, 0, 0, 0, 0, 0, 0, 0)) return "reserved";
  if (starts(0xfd00, 0x0ec2, 0, 0, 0, 0, 0, 0x254)) return "metadata";
  // IPv4-mapped (::ffff:a.b.c.d), NAT64 (64:ff9b::a.b.c.d) and 6to4 (2002:AABB:CCDD::) carry an IPv4 address.
  if (starts(0, 0, 0, 0, 0, 0xffff)) return classifyV4(embeddedV4(h7, h8));
  // IPv4-translated (::ffff:0:a.b.c.d, RFC 2765's SIIT form) carries one too.
  if (starts(0, 0, 0, 0, 0xffff, 0)) return classifyV4(embeddedV4(h7, h8));
  if (starts(0x64, 0xff9b, 0, 0, 0, 0)) return classifyV4(embeddedV4(h7, h8));
  if (a === 0x2002) return classifyV4(embeddedV4(b, c));
  // IPv4-compatible (::a.b.c.d): deprecated, never routed.
  if (starts(0, 0, 0, 0, 0, 0)) return classifyV4(embeddedV4(h7, h8)) ?? "reserved";
  if (starts(0x64, 0xff9b, 1)) return "private";
  // The rest of 0000::/8 (the IETF's reserve, which NAT64's 64:ff9b::/96 sits in) holds no public address.
  if (a < 0x0100) return "reserved";
  if ((a & 0xfe00) === 0xfc00) return "private";
  if ((a & 0xffc0) === 0xfe80) return "link-local";
  if ((a & 0xffc0) === 0xfec0) return "private";
  if ((a & 0xff00) === 0xff00) return "reserved";
  if (starts(0x2001, 0x0db8) || starts(0x2001, 0) || starts(0x0100, 0, 0, 0)) return "reserved";
  return null;
}

/** An IP literal as `normalizeHost` gives it (IPv4 dotted decimal, IPv6 in brackets): its class, or null if public. */
function classifyLiteral(hostname: string): AddressClass | null {
  if (hostname.startsWith("[") && hostname.endsWith("]")) {
    const groups = parseV6(hostname.slice(1, -1));
    return groups === null ? "reserved" : classifyV6(groups);
  }
  const address = v4(hostname);
  return address === null ? null : classifyV4(address);
}

export const isIpLiteral = (hostname: string) => hostname.startsWith("[") || v4(hostname) !== null;

/**
 * A hostname in the one form it can be judged in: what the WHATWG URL parser
 * makes of it (lowercase; every IPv4 spelling, `2130706433`, `0x7f.1`,
 * `0177.0.0.1`, `127.1`, as dotted decimal; IPv6 compressed), without the
 * trailing dots a resolver ignores (`localhost.` is `localhost`). Null for
 * what is not a hostname, which nothing can fetch.
 */
export function normalizeHost(hostname: string): string | null {
  return normalizeHostname(hostname.replace(/\.+$/, ""));
}

/** Cloud metadata services by name (GCP's, AWS's). */
const METADATA_NAMES = new Set(["metadata.google.internal", "metadata.goog", "metadata", "instance-data"]);
/** Names that only resolve inside a network, never on the public Internet. */
const LOCAL_SUFFIXES = [".internal", ".local", ".localdomain", ".home.arpa"];

/**
 * Why a hostname (an address or a name, spelled in any way the URL parser
 * accepts) is outside the public Internet, or null when nothing in it says
 * so: a name is judged as written, so one that resolves to a private address
 * through DNS or /etc/hosts is not caught here.
 */
export function classifyHost(hostname: string): AddressClass | null {
  const host = normalizeHost(hostname);
  if (host === null) return "reserved";
  if (isIpLiteral(host)) return classifyLiteral(host);
  if (METADATA_NAMES.has(host)) return "metadata";
  if (host === "localhost" || host.endsWith(".localhost")) return "loopback";
  // A single label resolves only through a local search domain or /etc/hosts (http://metadata/, the machine's own name).
  if (!host.includes(".") || LOCAL_SUFFIXES.some((suffix) => host.endsWith(suffix))) return "private";
  return null;
}
