import { describe, expect, it } from "vitest";
import { classifyAddress } from "../src/addresses";

/** The hostname as fetch() sees it: the URL parser's canonical form. */
const hostOf = (url: string) => new URL(url).hostname;

describe("classifyAddress", () => {
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
  ])("%s is %s", (url, kind) => {
    expect(classifyAddress(hostOf(url))).toBe(kind);
  });

  it.each([
    "http://1.1.1.1/",
    "http://8.8.8.8/",
    "http://172.32.0.1/",
    "http://169.255.0.1/",
    "http://100.128.0.1/",
    "http://[2606:4700::1111]/",
    "http://[::ffff:1.1.1.1]/",
    "http://example.com/",
  ])("%s is public (or a name)", (url) => {
    expect(classifyAddress(hostOf(url))).toBeNull();
  });
});
