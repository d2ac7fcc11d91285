import { describe, expect, it } from "vitest";
import { coveringIpv4Cidr } from "../../lib/net/cidr.js";

describe("coveringIpv4Cidr: the smallest CIDR holding all (a GCP network's subnets as one estate range)", () => {
  it("joins neighbours and keeps one range as it is", () => {
    expect(coveringIpv4Cidr(["10.0.1.0/24", "10.0.2.0/24"])).toBe("10.0.0.0/22");
    expect(coveringIpv4Cidr(["10.0.2.0/24", "10.0.3.0/24"])).toBe("10.0.2.0/23");
    expect(coveringIpv4Cidr(["10.128.0.0/20"])).toBe("10.128.0.0/20");
    expect(coveringIpv4Cidr(["10.128.0.0/20", "10.132.0.0/20", "10.142.0.0/20"])).toBe("10.128.0.0/12");
  });

  it("widens to everything when nothing smaller holds them", () => {
    expect(coveringIpv4Cidr(["10.0.0.0/8", "192.168.0.0/16"])).toBe("0.0.0.0/0");
  });

  it("has no answer for nothing, an IPv6 range or a malformed one", () => {
    expect(coveringIpv4Cidr([])).toBeUndefined();
    expect(coveringIpv4Cidr(["10.0.0.0/24", "2001:db8::/64"])).toBeUndefined();
    expect(coveringIpv4Cidr(["10.0.0.1/24"])).toBeUndefined();
  });
});
