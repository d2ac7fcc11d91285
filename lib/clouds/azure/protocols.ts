import type { Service } from "../../policy/model.js";
import type { AzureProtocol } from "./model.js";

/**
 * A canonical service set as Azure rules: one rule per protocol, ports as augmented ranges
 * (`80`, `8000-8100`), `*` for ICMP and for every protocol.
 */
export function ruleProtocols(services: readonly Service[]): { protocol: AzureProtocol; ports: string[] }[] {
  if (services.some((s) => s.protocol === "all")) return [{ protocol: "*", ports: ["*"] }];
  const result: { protocol: AzureProtocol; ports: string[] }[] = [];
  for (const [protocol, azure] of [
    ["tcp", "Tcp"],
    ["udp", "Udp"],
  ] as const) {
    const ports = services.flatMap((s) =>
      s.protocol === protocol
        ? [s.fromPort === s.toPort ? `${s.fromPort}` : `${s.fromPort}-${s.toPort}`]
        : [],
    );
    if (ports.length > 0) result.push({ protocol: azure, ports });
  }
  if (services.some((s) => s.protocol === "icmp")) result.push({ protocol: "Icmp", ports: ["*"] });
  return result;
}

const CANONICAL_PROTOCOLS: readonly AzureProtocol[] = ["Tcp", "Udp", "Icmp", "Esp", "Ah", "*"];

/**
 * A rule's protocol in the model's one casing, or undefined when it is none of Azure's. ARM
 * accepts any case on a PUT and returns the casing the rule was written with (`TCP`, `tcp`), so
 * what is read is normalized here, at the edge, and compared in this casing everywhere else.
 */
export function canonicalProtocol(protocol: string): AzureProtocol | undefined {
  const wanted = protocol.toLowerCase();
  return CANONICAL_PROTOCOLS.find((candidate) => candidate.toLowerCase() === wanted);
}
