import "aws-sdk-client-mock-vitest/extend";
import {
  CreateManagedPrefixListCommand,
  type CreateManagedPrefixListCommandInput,
  DescribeManagedPrefixListsCommand,
  EC2Client,
  ModifyManagedPrefixListCommand,
  type ModifyManagedPrefixListCommandInput,
} from "@aws-sdk/client-ec2";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { AwsApiError, PrefixListVersionConflictError } from "../../../../lib/clouds/aws/errors.js";
import type { PrefixListEntry } from "../../../../lib/clouds/aws/model.js";
import { prefixListBatches } from "../../../../lib/clouds/aws/sdk/batches.js";
import { ec2Error, sdkApi } from "./api-fixtures.js";

const ec2Mock = mockClient(EC2Client);
beforeEach(() => {
  ec2Mock.reset();
});

function entries(count: number, thirdOctet = 0): PrefixListEntry[] {
  return Array.from({ length: count }, (_, index) => ({
    Cidr: `10.${thirdOctet}.${Math.floor(index / 256)}.${index % 256}/32`,
    Description: "segsync",
  }));
}

/** DescribeManagedPrefixLists as polled after each write: settled, at these successive versions. */
function settlesAt(...versions: number[]): void {
  const describe = ec2Mock.on(DescribeManagedPrefixListsCommand);
  for (const version of versions) {
    describe.resolvesOnce({
      PrefixLists: [
        {
          PrefixListId: "pl-1",
          AddressFamily: "IPv4",
          MaxEntries: 1000,
          Version: version,
          State: "modify-complete",
        },
      ],
    });
  }
}

function modifyInputs(): ModifyManagedPrefixListCommandInput[] {
  return ec2Mock.commandCalls(ModifyManagedPrefixListCommand).map((call) => call.args[0].input);
}

const CREATE = {
  name: "segsync-db",
  addressFamily: "IPv4" as const,
  maxEntries: 300,
  entries: entries(3),
  tags: [{ Key: "segsync:managed", Value: "true" }],
};

describe("createManagedPrefixList", () => {
  it("creates with tags and a ClientToken that the same request always repeats", async () => {
    ec2Mock.on(CreateManagedPrefixListCommand).resolves({ PrefixList: { PrefixListId: "pl-1", Version: 1 } });
    settlesAt(1, 1, 1);

    await expect(sdkApi().createManagedPrefixList(CREATE)).resolves.toEqual({
      prefixListId: "pl-1",
      version: 1,
    });
    await sdkApi().createManagedPrefixList({ ...CREATE });
    await sdkApi().createManagedPrefixList({ ...CREATE, name: "segsync-web" });

    const inputs = ec2Mock
      .commandCalls(CreateManagedPrefixListCommand)
      .map((call) => call.args[0].input as CreateManagedPrefixListCommandInput);
    expect(inputs[0]).toMatchObject({
      PrefixListName: "segsync-db",
      AddressFamily: "IPv4",
      MaxEntries: 300,
      Entries: CREATE.entries,
      TagSpecifications: [{ ResourceType: "prefix-list", Tags: CREATE.tags }],
    });
    expect(inputs[0]?.ClientToken).toMatch(/^segsync-[0-9a-f]{48}$/);
    expect(inputs[1]?.ClientToken).toBe(inputs[0]?.ClientToken);
    expect(inputs[2]?.ClientToken).not.toBe(inputs[0]?.ClientToken);
  });

  it("creates with the first 100 entries and adds the rest in chained modifications", async () => {
    ec2Mock.on(CreateManagedPrefixListCommand).resolves({ PrefixList: { PrefixListId: "pl-1", Version: 1 } });
    ec2Mock.on(ModifyManagedPrefixListCommand).resolves({});
    settlesAt(1, 2, 3);
    const all = entries(250);

    await expect(sdkApi().createManagedPrefixList({ ...CREATE, entries: all })).resolves.toEqual({
      prefixListId: "pl-1",
      version: 3,
    });
    expect(ec2Mock).toHaveReceivedCommandWith(CreateManagedPrefixListCommand, { Entries: all.slice(0, 100) });
    expect(modifyInputs()).toEqual([
      { PrefixListId: "pl-1", CurrentVersion: 1, AddEntries: all.slice(100, 200) },
      { PrefixListId: "pl-1", CurrentVersion: 2, AddEntries: all.slice(200) },
    ]);
  });
});

describe("modifyManagedPrefixList", () => {
  it("sends at most 100 additions and removals per call, each call with the version the previous one made", async () => {
    ec2Mock.on(ModifyManagedPrefixListCommand).resolves({});
    settlesAt(8, 9, 10);
    const additions = entries(250, 1);
    const removals = entries(30, 2).map((entry) => entry.Cidr);

    const result = await sdkApi().modifyManagedPrefixList({
      prefixListId: "pl-1",
      currentVersion: 7,
      addEntries: additions,
      removeCidrs: removals,
    });

    expect(result).toEqual({ version: 10 });
    expect(modifyInputs()).toEqual([
      {
        PrefixListId: "pl-1",
        CurrentVersion: 7,
        AddEntries: additions.slice(0, 100),
        RemoveEntries: removals.map((Cidr) => ({ Cidr })),
      },
      { PrefixListId: "pl-1", CurrentVersion: 8, AddEntries: additions.slice(100, 200) },
      { PrefixListId: "pl-1", CurrentVersion: 9, AddEntries: additions.slice(200) },
    ]);
    expect(ec2Mock).toHaveReceivedCommandWith(DescribeManagedPrefixListsCommand, {
      Filters: [{ Name: "prefix-list-id", Values: ["pl-1"] }],
    });
  });

  it("waits while the list is modify-in-progress or still shows the old version", async () => {
    ec2Mock.on(ModifyManagedPrefixListCommand).resolves({ PrefixList: { PrefixListId: "pl-1", Version: 4 } });
    const inProgress = {
      PrefixListId: "pl-1",
      AddressFamily: "IPv4",
      MaxEntries: 10,
      State: "modify-in-progress" as const,
    };
    ec2Mock
      .on(DescribeManagedPrefixListsCommand)
      .resolvesOnce({ PrefixLists: [{ ...inProgress, Version: 4 }] })
      .resolvesOnce({ PrefixLists: [{ ...inProgress, Version: 4, State: "modify-complete" as const }] })
      .resolvesOnce({ PrefixLists: [{ ...inProgress, Version: 5, State: "modify-complete" as const }] });

    await expect(
      sdkApi().modifyManagedPrefixList({
        prefixListId: "pl-1",
        currentVersion: 4,
        addEntries: entries(1),
        removeCidrs: [],
      }),
    ).resolves.toEqual({ version: 5 });
    expect(ec2Mock).toHaveReceivedCommandTimes(DescribeManagedPrefixListsCommand, 3);
  });

  it("fails when the modification ends in modify-failed", async () => {
    ec2Mock.on(ModifyManagedPrefixListCommand).resolves({});
    ec2Mock.on(DescribeManagedPrefixListsCommand).resolves({
      PrefixLists: [
        { PrefixListId: "pl-1", Version: 5, State: "modify-failed", StateMessage: "too many entries" },
      ],
    });
    const modification = sdkApi().modifyManagedPrefixList({
      prefixListId: "pl-1",
      currentVersion: 4,
      addEntries: entries(1),
      removeCidrs: [],
    });
    await expect(modification).rejects.toThrow(/modify-failed: too many entries/);
    await expect(modification).rejects.toBeInstanceOf(AwsApiError);
  });

  it("maps a stale CurrentVersion to PrefixListVersionConflictError", async () => {
    const stale = ec2Error("PrefixListVersionMismatch", "The prefix list has the incorrect version number.");
    ec2Mock.on(ModifyManagedPrefixListCommand).rejects(stale);
    const error = await sdkApi()
      .modifyManagedPrefixList({
        prefixListId: "pl-1",
        currentVersion: 3,
        addEntries: entries(1),
        removeCidrs: [],
      })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(PrefixListVersionConflictError);
    expect(error).toMatchObject({ code: "PrefixListVersionMismatch", cause: stale });
  });

  it("sends nothing for an empty modification", async () => {
    await expect(
      sdkApi().modifyManagedPrefixList({
        prefixListId: "pl-1",
        currentVersion: 3,
        addEntries: [],
        removeCidrs: [],
      }),
    ).resolves.toEqual({ version: 3 });
    expect(ec2Mock.calls()).toHaveLength(0);
  });
});

describe("prefixListBatches", () => {
  it("puts a removed and re-added CIDR into one call, so that it is never absent", () => {
    const additions = [...entries(150, 1), { Cidr: "10.9.0.0/24", Description: "new description" }];
    const removals = [...entries(120, 2).map((entry) => entry.Cidr), "10.9.0.0/24"];

    const batches = prefixListBatches(additions, removals);

    expect(batches).toHaveLength(2);
    expect(batches[0]?.removeCidrs[0]).toBe("10.9.0.0/24");
    expect(batches[0]?.addEntries[0]).toEqual({ Cidr: "10.9.0.0/24", Description: "new description" });
    expect(batches.flatMap((batch) => batch.addEntries)).toHaveLength(151);
    expect(batches.flatMap((batch) => batch.removeCidrs)).toHaveLength(121);
    expect(batches.every((batch) => batch.addEntries.length <= 100 && batch.removeCidrs.length <= 100)).toBe(
      true,
    );
  });
});
