import { describe, expect, it } from "vitest";
import { parseProbe } from "../../cli/flows.js";

const SERVICES = {
  postgres: [{ protocol: "tcp" as const, fromPort: 5432, toPort: 5432 }],
  web: [
    { protocol: "tcp" as const, fromPort: 80, toPort: 80 },
    { protocol: "tcp" as const, fromPort: 443, toPort: 443 },
  ],
  ping: [{ protocol: "icmp" as const }],
};

describe("explain's --port", () => {
  it.each([
    ["tcp/5432", { probe: { protocol: "tcp", port: 5432 } }],
    ["udp/53", { probe: { protocol: "udp", port: 53 } }],
    ["icmp", { probe: { protocol: "icmp" } }],
    ["postgres", { probe: { protocol: "tcp", port: 5432 } }],
    ["ping", { probe: { protocol: "icmp" } }],
  ])("takes %s", (text, expected) => {
    expect(parseProbe(text, SERVICES)).toEqual(expected);
  });

  it.each([
    ["tcp/70000", "port 70000 is out of range (1-65535)"],
    ["tcp/0", "port 0 is out of range (1-65535)"],
    ["web", "service web stands for tcp/80, tcp/443: give one port, e.g. --port tcp/80"],
    ["postgress", "expected tcp/PORT, udp/PORT, icmp or a service name (the policy's: ping, postgres, web)"],
  ])("refuses %s, saying why", (text, error) => {
    expect(parseProbe(text, SERVICES)).toEqual({ error });
  });
});
