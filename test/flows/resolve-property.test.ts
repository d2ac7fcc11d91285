/**
 * Resolution as a property (docs/flows.md, "Resolution"): on random inventories with unique
 * addresses, every workload's private address resolves to it, and every other address to the
 * ipList whose CIDR is the most specific holding it, or outside when none does.
 */
import fc from "fast-check";
import ipaddr from "ipaddr.js";
import { expect, it } from "vitest";
import { AddressIndex, resolveConnection } from "../../lib/flows/resolve.js";
import type { Inventory } from "../../lib/inventory/model.js";
import { connection, policyOf, VPC_A, VPC_B, VPC_C, workload } from "./resolve-support.js";

const NETWORKS = [VPC_A, VPC_B, VPC_C];
const ipv4 = fc
  .tuple(fc.constantFrom(10, 172, 192), fc.nat(3), fc.nat(7), fc.nat(255))
  .map((o) => o.join("."));
const cidr = fc
  .tuple(fc.constantFrom(10, 172, 192), fc.nat(3), fc.nat(7), fc.integer({ min: 4, max: 32 }))
  .map(
    ([a, b, c, length]) =>
      `${ipaddr.IPv4.networkAddressFromCIDR(`${a}.${b}.${c}.0/${length}`).toString()}/${length}`,
  );

const inventories = fc
  .uniqueArray(fc.tuple(ipv4, fc.constantFrom(...NETWORKS), fc.boolean()), {
    selector: ([ip]) => ip,
    maxLength: 40,
  })
  .map(
    (entries): Inventory => ({
      networks: NETWORKS.map((id) => ({ id })),
      workloads: entries.map(([privateIp, network, running], n) =>
        workload(
          `aws:111111111111:us-east-1:i-${n.toString(16).padStart(8, "0")}`,
          [{ network, privateIp }],
          running ? "running" : "stopped",
        ),
      ),
    }),
  );
const ipLists = fc.dictionary(
  fc.constantFrom("a", "b", "c", "d"),
  fc.array(cidr, { minLength: 1, maxLength: 4 }),
);

function holds(block: string, address: string): boolean {
  return ipaddr.IPv4.parse(address).match(ipaddr.IPv4.parseCIDR(block));
}

it("every workload's private address is its own; every other address the most specific ipList holding it, or outside", () => {
  fc.assert(
    fc.property(inventories, ipLists, fc.array(ipv4, { maxLength: 20 }), (inventory, lists, probes) => {
      const index = new AddressIndex(inventory, policyOf({ ipLists: lists }));
      const resolve = (address: string) =>
        resolveConnection(connection({ initiatorAddress: address }), index).initiator;
      for (const each of inventory.workloads) {
        const nic = each.nics[0];
        expect(resolve(nic?.privateIp ?? "")).toEqual({
          kind: "workload",
          address: nic?.privateIp,
          workload: each.id,
          network: nic?.network,
          by: "private",
        });
      }
      const held = new Set(inventory.workloads.map((each) => each.nics[0]?.privateIp));
      for (const address of probes.filter((probe) => !held.has(probe))) {
        const holding = Object.entries(lists).flatMap(([name, blocks]) =>
          blocks.filter((block) => holds(block, address)).map((block) => ({ name, block })),
        );
        const resolved = resolve(address);
        if (holding.length === 0) {
          expect(resolved).toEqual({ kind: "outside", address });
          continue;
        }
        const longest = Math.max(...holding.map(({ block }) => Number(block.split("/")[1])));
        const names = [
          ...new Set(
            holding.filter(({ block }) => Number(block.split("/")[1]) === longest).map(({ name }) => name),
          ),
        ].sort();
        expect(resolved).toMatchObject({ kind: "ipList", ipList: names[0], alsoIn: names.slice(1) });
        expect(resolved.kind === "ipList" && holds(resolved.cidr, address)).toBe(true);
      }
    }),
  );
});
