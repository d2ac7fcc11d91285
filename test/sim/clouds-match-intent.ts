/**
 * "The clouds equal the intent", as test/sim/simulation.test.ts checks it after every example scenario:
 * every enforced destination member, from every address the intent knows and two outside ones,
 * on every probe port, is reachable in its cloud's evaluator exactly when intentAllows says so.
 * The probes that disagree are collected and compared once, rather than one expect per probe:
 * a burst has hundreds of thousands.
 */
import type { Intent } from "../../lib/compile/model.js";
import type { Policy } from "../../lib/policy/model.js";
import type { Simulation } from "../../sim/simulation.js";
import { intentAllows, intentSends, probes } from "../clouds/intent-probes.js";

export interface IntentCheck {
  readonly checked: number;
  /** `workload ← address protocol/port: expected allowed|denied`, for each probe that disagrees. */
  readonly mismatches: readonly string[];
}

export async function checkCloudsAgainstIntent(
  simulation: Simulation,
  intent: Intent,
  policy: Policy,
): Promise<IntentCheck> {
  const reach = await simulation.reachability();
  const addresses = new Set(["203.0.113.250", "198.51.100.250"]);
  for (const peerSet of intent.peerSets)
    for (const member of [...peerSet.local, ...peerSet.remote])
      for (const a of member.addresses) if (!a.includes("/")) addresses.add(a);
  const ports = probes(policy);
  const mismatches: string[] = [];
  let checked = 0;
  for (const destination of intent.destinations) {
    if (destination.enforcement !== "enforced") continue;
    // What the intent allows depends on the destination, not on which of its members is probed.
    const expectations = [...addresses].flatMap((sourceAddress) =>
      ports.map(([protocol, port]) => ({
        sourceAddress,
        protocol,
        port,
        expected: intentAllows(intent, destination, sourceAddress, protocol, port),
      })),
    );
    for (const member of destination.members) {
      for (const { sourceAddress, protocol, port, expected } of expectations) {
        const verdict = reach[destination.cloud].explain({
          workload: member.workload,
          network: destination.network,
          sourceAddress,
          protocol,
          port,
        });
        if ((verdict !== undefined) !== expected)
          mismatches.push(
            `${member.workload} ← ${sourceAddress} ${protocol}/${port}: expected ${expected ? "allowed" : "denied"}`,
          );
        checked++;
      }
    }
  }
  // Egress (v2): every egress-enforced member sends exactly what its entry opens, to the same addresses and one outside the estate.
  for (const entry of intent.egress ?? []) {
    for (const member of entry.members) {
      for (const destinationAddress of [...addresses, "198.51.100.250"]) {
        for (const [protocol, port] of ports) {
          const expected = intentSends(entry, destinationAddress, protocol, port);
          const probe = {
            workload: member.workload,
            network: entry.network,
            destinationAddress,
            protocol,
            port,
          };
          if ((reach[entry.cloud].explainEgress(probe) !== undefined) !== expected)
            mismatches.push(
              `${member.workload} → ${destinationAddress} ${protocol}/${port}: expected ${expected ? "allowed" : "denied"}`,
            );
          checked++;
        }
      }
    }
  }
  return { checked, mismatches };
}
