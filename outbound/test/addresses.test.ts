import { describe, expect, it } from "vitest";
import { classifyHost } from "../../platform/addresses";

/** The hostname as fetch() sees it: the URL parser's canonical form. */
const hostOf = (url: string) => new URL(url).hostname;

describe("classifyHost", () => {
  it.each([
    ["http://169.254.169.254/", "metadata"],
    ["http://169.254.170.2/v2/credentials", "metadata"],
    ["http://100.100.100.200/", "metadata"],
    ["http://[fd00:ec2::254]/", "metadata"],
    ["http://127.0.0.1/", "loopback"],
    ["http://127.255.0.9/", "loopback"],
    ["http://2130706433/", "loopback"],
    ["http://0x7f.1/", "loopback"],
    ["http://0177.0.0.1/", "loopback"],
    ["http://[::1]/", "loopback"],
    ["http://[::ffff:127.0.0.1]/", "loopback"],
    ["http://[0:0:0:0:0:ffff:7f00:1]/", "loopback"],
    ["http://[64:ff9b::127.0.0.1]/", "loopback"],
    ["http://[2002:7f00:1::]/", "loopback"],
    ["http://[::127.0.0.1]/", "loopback"],
    // IPv4-translated (::ffff:0:a.b.c.d), in both spellings.
    ["http://[::ffff:0:7f00:1]/", "loopback"],
    ["http://[::ffff:0:127.0.0.1]/", "loopback"],
    ["http://[::ffff:0:a9fe:a9fe]/", "metadata"],
    ["http://127.1/", "loopback"],
    ["http://0/", "reserved"],
    // A trailing dot names the same host to a resolver.
    ["http://localhost./", "loopback"],
    ["http://LOCALHOST../", "loopback"],
    ["http://app.localhost./", "loopback"],
    ["http://127.0.0.1./", "loopback"],
    ["http://metadata.google.internal./", "metadata"],
    ["http://vm/", "private"],
    ["http://printer.local./", "private"],
    ["http://10.0.0.1/", "private"],
    ["http://172.16.0.1/", "private"],
    ["http://172.31.255.255/", "private"],
    ["http://192.168.1.1/", "private"],
    ["http://100.64.0.1/", "private"],
    ["http://[fc00::1]/", "private"],
    ["http://[fd12:3456::1]/", "private"],
    ["http://[::ffff:10.0.0.1]/", "private"],
    ["http://169.254.1.1/", "link-local"],
    ["http://[fe80::1]/", "link-local"],
    ["http://0.0.0.0/", "reserved"],
    ["http://[::]/", "reserved"],
    ["http://224.0.0.1/", "reserved"],
    ["http://255.255.255.255/", "reserved"],
    ["http://192.0.2.1/", "reserved"],
    ["http://[ff02::1]/", "reserved"],
    ["http://[2001:db8::1]/", "reserved"],
    ["http://[::2]/", "reserved"],
    ["http://[64:ff9b:0:0:1::]/", "reserved"],
  ])("%s is %s", (url, kind) => {
    expect(classifyHost(hostOf(url))).toBe(kind);
  });

  it("judges the text as given, normalising it as the URL parser would", () => {
    expect(classifyHost("127.0.0.1.")).toBe("loopback");
    expect(classifyHost("0x7f.1")).toBe("loopback");
    expect(classifyHost("2130706433")).toBe("loopback");
    expect(classifyHost("[::FFFF:0:7F00:1]")).toBe("loopback");
    expect(classifyHost("localhost.")).toBe("loopback");
    expect(classifyHost("not a host")).toBe("reserved");
  });

  it.each([
    "http://1.1.1.1/",
    "http://8.8.8.8/",
    "http://172.32.0.1/",
    "http://169.255.0.1/",
    "http://100.128.0.1/",
    "http://[2606:4700::1111]/",
    "http://[::ffff:1.1.1.1]/",
    "http://[::ffff:0:101:101]/",
    "http://[64:ff9b::1.1.1.1]/",
    "http://example.com/",
    "http://example.com./",
  ])("%s is public (or a public-looking name)", (url) => {
    expect(classifyHost(hostOf(url))).toBeNull();
  });
});
