import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Service } from "../../lib/policy/model.js";
import {
  compareServices,
  formatService,
  isInlineServiceSyntax,
  normalizeServices,
  parseInlineService,
  servicesAdmit,
} from "../../lib/policy/services.js";

const tcp = (fromPort: number, toPort = fromPort): Service => ({ protocol: "tcp", fromPort, toPort });
const udp = (fromPort: number, toPort = fromPort): Service => ({ protocol: "udp", fromPort, toPort });

describe("parseInlineService", () => {
  it("parses single ports, ranges, icmp and all", () => {
    expect(parseInlineService("tcp/80")).toEqual({ ok: true, service: tcp(80) });
    expect(parseInlineService("udp/1000-2000")).toEqual({ ok: true, service: udp(1000, 2000) });
    expect(parseInlineService("tcp/1-65535")).toEqual({ ok: true, service: tcp(1, 65535) });
    expect(parseInlineService("tcp/443-443")).toEqual({ ok: true, service: tcp(443) });
    expect(parseInlineService("icmp")).toEqual({ ok: true, service: { protocol: "icmp" } });
    expect(parseInlineService("all")).toEqual({ ok: true, service: { protocol: "all" } });
  });

  it("rejects ports outside 1-65535 and naming which", () => {
    const zero = parseInlineService("tcp/0");
    expect(zero).toEqual({ ok: false, message: expect.stringContaining("port 0") });
    expect(parseInlineService("udp/65536")).toEqual({ ok: false, message: expect.stringContaining("65536") });
    expect(parseInlineService("tcp/1-65536").ok).toBe(false);
  });

  it("rejects a range that ends before it starts", () => {
    expect(parseInlineService("tcp/2000-1000")).toEqual({
      ok: false,
      message: expect.stringContaining("ends before it starts"),
    });
  });

  it("rejects other spellings with a message listing the accepted forms", () => {
    for (const text of [
      "TCP/80",
      "tcp/ 80",
      "tcp 80",
      "tcp/80,443",
      "sctp/80",
      "icmp/8",
      "tcp/",
      "tcp/-1",
      "tcp/123456",
    ]) {
      const parsed = parseInlineService(text);
      expect(parsed.ok, text).toBe(false);
      if (!parsed.ok) expect(parsed.message, text).toContain("tcp/<port>");
    }
  });

  it("tells inline syntax from service names", () => {
    expect(isInlineServiceSyntax("tcp/80")).toBe(true);
    expect(isInlineServiceSyntax("tcp/bad")).toBe(true);
    expect(isInlineServiceSyntax("icmp")).toBe(true);
    expect(isInlineServiceSyntax("postgres")).toBe(false);
    expect(isInlineServiceSyntax("tcp")).toBe(false);
  });
});

describe("formatService", () => {
  it("writes what parseInlineService reads", () => {
    expect(formatService(tcp(80))).toBe("tcp/80");
    expect(formatService(udp(1000, 2000))).toBe("udp/1000-2000");
    expect(formatService({ protocol: "icmp" })).toBe("icmp");
    expect(formatService({ protocol: "all" })).toBe("all");
  });
});

describe("normalizeServices", () => {
  it("merges overlapping and adjacent ranges per protocol and orders tcp, udp, icmp", () => {
    expect(
      normalizeServices([
        { protocol: "icmp" },
        tcp(443),
        udp(53),
        tcp(80, 100),
        tcp(101, 200),
        tcp(150, 160),
        { protocol: "icmp" },
      ]),
    ).toEqual([tcp(80, 200), tcp(443), udp(53), { protocol: "icmp" }]);
  });

  it("keeps ranges with a gap apart", () => {
    expect(normalizeServices([tcp(82), tcp(80)])).toEqual([tcp(80), tcp(82)]);
  });

  it("lets all absorb everything", () => {
    expect(normalizeServices([tcp(80), { protocol: "all" }, { protocol: "icmp" }])).toEqual([
      { protocol: "all" },
    ]);
  });

  it("does not change its input", () => {
    const input = [tcp(90), tcp(80, 95)];
    normalizeServices(input);
    expect(input).toEqual([tcp(90), tcp(80, 95)]);
  });
});

// Small port domain (plus the top edge) so that random ranges overlap and touch often.
const portArb = fc.oneof(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 65530, max: 65535 }));
const rangeServiceArb: fc.Arbitrary<Service> = fc
  .tuple(fc.constantFrom("tcp" as const, "udp" as const), portArb, portArb)
  .map(([protocol, a, b]) => ({ protocol, fromPort: Math.min(a, b), toPort: Math.max(a, b) }));
const serviceArb: fc.Arbitrary<Service> = fc.oneof(
  { weight: 12, arbitrary: rangeServiceArb },
  { weight: 2, arbitrary: fc.constant<Service>({ protocol: "icmp" }) },
  { weight: 1, arbitrary: fc.constant<Service>({ protocol: "all" }) },
);
const servicesArb = fc.array(serviceArb, { maxLength: 10 });

/** Every port of the small domain and its edges, plus a random sample of the rest. */
function sampledPorts(extra: readonly number[]): number[] {
  const ports = [0, 65536, ...extra];
  for (let port = 1; port <= 42; port++) ports.push(port);
  for (let port = 65528; port <= 65535; port++) ports.push(port);
  return ports;
}

describe("normalizeServices (properties)", () => {
  it("admits exactly the (protocol, port) pairs that its input admits", () => {
    fc.assert(
      fc.property(
        servicesArb,
        fc.array(fc.integer({ min: 1, max: 65535 }), { maxLength: 20 }),
        (input, extra) => {
          const normalized = normalizeServices(input);
          for (const protocol of ["tcp", "udp"] as const) {
            for (const port of sampledPorts(extra)) {
              expect(servicesAdmit(normalized, protocol, port), `${protocol}/${port}`).toBe(
                servicesAdmit(input, protocol, port),
              );
            }
          }
          expect(servicesAdmit(normalized, "icmp")).toBe(servicesAdmit(input, "icmp"));
        },
      ),
      { numRuns: 1000 },
    );
  });

  it("is idempotent, independent of input order, sorted, and leaves no mergeable ranges", () => {
    fc.assert(
      fc.property(
        servicesArb.chain((input) =>
          fc.tuple(fc.constant(input), fc.shuffledSubarray(input, { minLength: input.length })),
        ),
        ([input, shuffled]) => {
          const normalized = normalizeServices(input);
          expect(normalizeServices(normalized)).toEqual(normalized);
          expect(normalizeServices(shuffled)).toEqual(normalized);
          for (let i = 1; i < normalized.length; i++) {
            const [previous, current] = [normalized[i - 1] as Service, normalized[i] as Service];
            expect(compareServices(previous, current)).toBeLessThan(0);
            if ("toPort" in previous && "fromPort" in current && previous.protocol === current.protocol) {
              expect(current.fromPort).toBeGreaterThan(previous.toPort + 1);
            }
          }
          if (normalized.some((service) => service.protocol === "all")) expect(normalized).toHaveLength(1);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it("round-trips every range service through formatService and parseInlineService", () => {
    fc.assert(
      fc.property(rangeServiceArb, (service) => {
        expect(parseInlineService(formatService(service))).toEqual({ ok: true, service });
      }),
      { numRuns: 1000 },
    );
  });
});
