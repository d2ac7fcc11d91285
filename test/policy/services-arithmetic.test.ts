import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Service } from "../../lib/policy/model.js";
import {
  intersectServices,
  normalizeServices,
  servicesAdmit,
  subtractServices,
} from "../../lib/policy/services.js";

const tcp = (fromPort: number, toPort = fromPort): Service => ({ protocol: "tcp", fromPort, toPort });
const udp = (fromPort: number, toPort = fromPort): Service => ({ protocol: "udp", fromPort, toPort });
const icmp: Service = { protocol: "icmp" };
const all: Service = { protocol: "all" };

/** Ports near the edges of the domain and in a small window, so random ranges touch often. */
const portArb = fc.oneof(fc.integer({ min: 1, max: 30 }), fc.integer({ min: 65530, max: 65535 }));
const serviceArb: fc.Arbitrary<Service> = fc.oneof(
  fc
    .record({ protocol: fc.constantFrom("tcp" as const, "udp" as const), a: portArb, b: portArb })
    .map(({ protocol, a, b }) => ({ protocol, fromPort: Math.min(a, b), toPort: Math.max(a, b) })),
  fc.constant(icmp),
  fc.constant(all),
);
const setArb = fc.array(serviceArb, { maxLength: 4 }).map(normalizeServices);

/** Every probe whose answer can differ between the sets: each port 1-31, 65529-65535, icmp. */
const PROBES: (readonly ["tcp" | "udp" | "icmp", number])[] = [
  ["icmp", 0],
  ...[
    ...Array.from({ length: 31 }, (_, i) => i + 1),
    ...Array.from({ length: 7 }, (_, i) => 65529 + i),
  ].flatMap((port) => [["tcp", port] as const, ["udp", port] as const]),
];

describe("subtractServices", () => {
  it("cuts a port out of a range and out of all", () => {
    expect(subtractServices([tcp(1, 65535)], [tcp(22)])).toEqual([tcp(1, 21), tcp(23, 65535)]);
    expect(subtractServices([all], [tcp(22)])).toEqual([tcp(1, 21), tcp(23, 65535), udp(1, 65535), icmp]);
    expect(subtractServices([all], [icmp])).toEqual([tcp(1, 65535), udp(1, 65535)]);
  });

  it("keeps all whole when nothing is taken out, and takes everything when all is", () => {
    expect(subtractServices([all], [])).toEqual([all]);
    expect(subtractServices([tcp(80), icmp], [all])).toEqual([]);
    expect(subtractServices([all], [all])).toEqual([]);
  });

  it("admits a port exactly when the first set does and the second does not", () => {
    fc.assert(
      fc.property(setArb, setArb, (a, b) => {
        const difference = subtractServices(a, b);
        expect(normalizeServices(difference)).toEqual(difference);
        for (const [protocol, port] of PROBES)
          expect(servicesAdmit(difference, protocol, port), `${protocol}/${port}`).toBe(
            servicesAdmit(a, protocol, port) && !servicesAdmit(b, protocol, port),
          );
      }),
      { numRuns: 1000 },
    );
  });
});

describe("intersectServices", () => {
  it("keeps what both admit", () => {
    expect(intersectServices([tcp(1, 100)], [tcp(50, 200), udp(53)])).toEqual([tcp(50, 100)]);
    expect(intersectServices([all], [udp(53), icmp])).toEqual([udp(53), icmp]);
    expect(intersectServices([tcp(80)], [tcp(81)])).toEqual([]);
  });

  it("admits a port exactly when both sets do", () => {
    fc.assert(
      fc.property(setArb, setArb, (a, b) => {
        const both = intersectServices(a, b);
        expect(normalizeServices(both)).toEqual(both);
        for (const [protocol, port] of PROBES)
          expect(servicesAdmit(both, protocol, port), `${protocol}/${port}`).toBe(
            servicesAdmit(a, protocol, port) && servicesAdmit(b, protocol, port),
          );
      }),
      { numRuns: 1000 },
    );
  });
});
