/** The AwsApi contract: customer-managed prefix lists (aws-api.contract.ts). */
import { expect } from "vitest";
import type { AwsApi } from "../../lib/clouds/aws/api.js";
import {
  AwsDependencyViolationError,
  AwsNotFoundError,
  PrefixListVersionConflictError,
} from "../../lib/clouds/aws/errors.js";
import type { PrefixListEntry } from "../../lib/clouds/aws/model.js";
import type { ContractCases } from "./aws-api.contract.js";
import { expectAwsFailure, newGroup, OWNED, tcp, uniqueName, vpcRange } from "./aws-api.contract-support.js";

/** `count` /32 entries of 10.<octet>.0.0/16. */
function entries(count: number, octet: number): PrefixListEntry[] {
  return Array.from({ length: count }, (_, index) => ({
    Cidr: `10.${octet}.${Math.floor(index / 256)}.${index % 256}/32`,
    Description: "segsync",
  }));
}

async function summaryOf(api: AwsApi, prefixListId: string) {
  const lists = await api.describeManagedPrefixLists([{ Name: "prefix-list-id", Values: [prefixListId] }]);
  return lists[0];
}

async function cidrsOf(api: AwsApi, prefixListId: string): Promise<string[]> {
  return (await api.getManagedPrefixListEntries(prefixListId)).map((entry) => entry.Cidr).sort();
}

export function describePrefixListCases({ world, account, contractCase }: ContractCases): void {
  contractCase(
    ["estate"],
    "a new list is at version 1, described without its entries, which are read apart",
    async () => {
      const { api } = world();
      const name = uniqueName("segsync-partners");
      const created = await api.createManagedPrefixList({
        name,
        addressFamily: "IPv4",
        maxEntries: 10,
        entries: [{ Cidr: "192.0.2.0/24", Description: "partner" }, { Cidr: "198.51.100.0/24" }],
        tags: [OWNED],
      });

      expect(created).toEqual({ prefixListId: expect.stringMatching(/^pl-[0-9a-f]+$/), version: 1 });
      expect(await summaryOf(api, created.prefixListId)).toEqual({
        PrefixListId: created.prefixListId,
        PrefixListName: name,
        AddressFamily: "IPv4",
        MaxEntries: 10,
        Version: 1,
        OwnerId: account,
        State: "create-complete",
        Tags: [OWNED],
      });
      const read = await api.getManagedPrefixListEntries(created.prefixListId);
      expect([...read].sort((a, b) => a.Cidr.localeCompare(b.Cidr))).toEqual([
        { Cidr: "192.0.2.0/24", Description: "partner" },
        { Cidr: "198.51.100.0/24" },
      ]);
      const byOwner = await api.describeManagedPrefixLists([{ Name: "owner-id", Values: [account] }]);
      expect(byOwner.map((list) => list.PrefixListId)).toContain(created.prefixListId);
    },
  );

  contractCase(
    ["estate"],
    "a modification returns the list's new version, which a describe then shows, with the new entries",
    async () => {
      const { api } = world();
      const name = uniqueName("segsync-modify");
      const created = await api.createManagedPrefixList({
        name,
        addressFamily: "IPv4",
        maxEntries: 5,
        entries: [{ Cidr: "10.0.0.0/24" }, { Cidr: "10.0.1.0/24" }],
        tags: [],
      });

      const modified = await api.modifyManagedPrefixList({
        prefixListId: created.prefixListId,
        currentVersion: created.version,
        addEntries: [{ Cidr: "10.0.2.0/24" }],
        removeCidrs: ["10.0.0.0/24"],
      });

      expect(modified.version).toBeGreaterThan(created.version);
      expect(await summaryOf(api, created.prefixListId)).toMatchObject({
        Version: modified.version,
        State: "modify-complete",
      });
      expect(await cidrsOf(api, created.prefixListId)).toEqual(["10.0.1.0/24", "10.0.2.0/24"]);
    },
  );

  contractCase(
    ["estate", "prefixListVersions"],
    "a modification keeps the list's name and MaxEntries",
    async () => {
      const { api } = world();
      const name = uniqueName("segsync-keep");
      const created = await api.createManagedPrefixList({
        name,
        addressFamily: "IPv4",
        maxEntries: 5,
        entries: [],
        tags: [],
      });
      await api.modifyManagedPrefixList({
        prefixListId: created.prefixListId,
        currentVersion: created.version,
        addEntries: [{ Cidr: "10.0.2.0/24" }],
        removeCidrs: [],
      });

      expect(await summaryOf(api, created.prefixListId)).toMatchObject({
        PrefixListName: name,
        MaxEntries: 5,
      });
    },
  );

  contractCase(
    ["estate", "prefixListVersions"],
    "a stale currentVersion is a version conflict, and changes nothing",
    async () => {
      const { api } = world();
      const created = await api.createManagedPrefixList({
        name: uniqueName("segsync-stale"),
        addressFamily: "IPv4",
        maxEntries: 5,
        entries: [{ Cidr: "10.0.0.0/24" }],
        tags: [],
      });
      const change = { prefixListId: created.prefixListId, removeCidrs: [] };
      const modified = await api.modifyManagedPrefixList({
        ...change,
        currentVersion: created.version,
        addEntries: [{ Cidr: "10.0.9.0/24" }],
      });

      await expectAwsFailure(
        api.modifyManagedPrefixList({
          ...change,
          currentVersion: created.version,
          addEntries: [{ Cidr: "10.0.8.0/24" }],
        }),
        PrefixListVersionConflictError,
        "PrefixListVersionMismatch",
      );
      expect(await cidrsOf(api, created.prefixListId)).toEqual(["10.0.0.0/24", "10.0.9.0/24"]);
      expect((await summaryOf(api, created.prefixListId))?.Version).toBe(modified.version);
    },
  );

  contractCase(
    ["estate"],
    "creates and modifications take any number of entries (EC2 takes 100 a call)",
    async () => {
      const { api } = world();
      const initial = entries(150, 60);
      const created = await api.createManagedPrefixList({
        name: uniqueName("segsync-big"),
        addressFamily: "IPv4",
        maxEntries: 400,
        entries: initial,
        tags: [],
      });
      expect((await summaryOf(api, created.prefixListId))?.Version).toBe(created.version);
      expect(await cidrsOf(api, created.prefixListId)).toHaveLength(150);

      const removed = initial.slice(0, 110).map((entry) => entry.Cidr);
      const modified = await api.modifyManagedPrefixList({
        prefixListId: created.prefixListId,
        currentVersion: created.version,
        addEntries: entries(220, 61),
        removeCidrs: removed,
      });

      expect((await summaryOf(api, created.prefixListId))?.Version).toBe(modified.version);
      const current = await cidrsOf(api, created.prefixListId);
      expect(current).toHaveLength(260);
      expect(current).not.toContain(removed[0]);
      expect(current).toContain("10.61.0.219/32");
    },
  );

  contractCase(["estate"], "deleting a list twice succeeds: absence is the goal", async () => {
    const { api } = world();
    const { prefixListId } = await api.createManagedPrefixList({
      name: uniqueName("segsync-gone"),
      addressFamily: "IPv4",
      maxEntries: 1,
      entries: [],
      tags: [],
    });

    await api.deleteManagedPrefixList(prefixListId);
    expect((await summaryOf(api, prefixListId))?.State ?? "delete-complete").toBe("delete-complete");
    await expect(api.deleteManagedPrefixList(prefixListId)).resolves.toBeUndefined();
  });

  contractCase(["estate", "unknownListDeletes"], "deleting a list that never was succeeds", async () => {
    await expect(world().api.deleteManagedPrefixList("pl-0000000000000dead")).resolves.toBeUndefined();
  });

  contractCase(
    ["estate", "dependencies"],
    "a list a group's rule references cannot be deleted: DependencyViolation",
    async () => {
      const { api, newVpc } = world();
      const groupId = await newGroup(api, await newVpc(vpcRange()));
      const { prefixListId } = await api.createManagedPrefixList({
        name: uniqueName("segsync-used"),
        addressFamily: "IPv4",
        maxEntries: 2,
        entries: [],
        tags: [],
      });
      const rule = tcp(443, { PrefixListIds: [{ PrefixListId: prefixListId }] });
      await api.authorizeIngress(groupId, [rule]);

      await expectAwsFailure(
        api.deleteManagedPrefixList(prefixListId),
        AwsDependencyViolationError,
        "DependencyViolation",
      );
      await api.revokeIngress(groupId, [rule]);
      await api.deleteManagedPrefixList(prefixListId);
    },
  );

  contractCase(
    ["estate", "unknownReferences"],
    "the entries of a list that does not exist are not found",
    async () => {
      const { api } = world();
      await expectAwsFailure(
        api.getManagedPrefixListEntries("pl-0000000000000dead"),
        AwsNotFoundError,
        "InvalidPrefixListID.NotFound",
      );
    },
  );
}
