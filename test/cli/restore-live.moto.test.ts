import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  DescribeImagesCommand,
  DescribeManagedPrefixListsCommand,
  DescribeNetworkInterfacesCommand,
  DescribeSecurityGroupsCommand,
  EC2Client,
  RunInstancesCommand,
  StartInstancesCommand,
  StopInstancesCommand,
} from "@aws-sdk/client-ec2";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { main } from "../../cli/main.js";
import { ORIGINAL_GROUPS_TAG_KEY } from "../../lib/clouds/aws/ownership-keys.js";
import { type MotoServer, skipWithoutMoto, startMotoServer } from "../support/moto-server.js";
import {
  MOTO_ACCOUNT,
  MOTO_CREDENTIALS,
  MOTO_REGION,
  segsyncOnMoto,
  stubMotoCredentials,
} from "./live-moto.js";

/** Each test runs the CLI in cold child processes, each reading moto over HTTP. */
const CLI_TIMEOUT_MS = 90_000;
/** moto's default account: the one that unsigned-for-an-account requests land in. */
const ACCOUNT = MOTO_ACCOUNT;
const REGION = MOTO_REGION;
const CREDENTIALS = MOTO_CREDENTIALS;
const SHOP = { "seg-app": "shop", "seg-env": "prod" };
/** The customer groups each instance starts with, by name; `vpc` b holds the batch job only. */
const INSTANCES = {
  web: { vpc: "a", ip: "10.0.1.11", groups: ["web-legacy"], tags: { ...SHOP, "seg-role": "web" } },
  api: { vpc: "a", ip: "10.0.1.21", groups: ["app-legacy"], tags: { ...SHOP, "seg-role": "api" } },
  db: {
    vpc: "a",
    ip: "10.0.1.31",
    groups: ["app-legacy", "monitoring"],
    tags: { ...SHOP, "seg-role": "db" },
  },
  // In another (connected) VPC: db sees it by a prefix list, which the restore must delete too.
  batch: { vpc: "b", ip: "10.1.1.41", groups: ["batch-legacy"], tags: { ...SHOP, "seg-role": "batch" } },
  // No labels: segsync leaves it and its group alone.
  bastion: { vpc: "a", ip: "10.0.1.99", groups: ["ssh"], tags: { Name: "bastion" } },
} as const;
type Name = keyof typeof INSTANCES;
const NAMES = Object.keys(INSTANCES) as Name[];
const GROUPS = {
  a: ["web-legacy", "app-legacy", "monitoring", "ssh"],
  b: ["batch-legacy"],
} as const;

function policyYaml(vpcA: string, vpcB: string): string {
  const network = (vpc: string) => `aws:${ACCOUNT}:${REGION}:${vpc}`;
  return `apiVersion: segsync/v1
kind: Policy
labels: { tagPrefix: seg-, dimensions: [app, env, role] }
networks:
  connected:
    - [${network(vpcA)}, ${network(vpcB)}]
rulesets:
  - name: shop-prod
    scope: { app: shop, env: prod }
    enforcement: enforced
    rules:
      - from: { role: web }
        to: { role: api }
        services: [tcp/8080]
      - from: { role: [api, batch] }
        to: { role: db }
        services: [tcp/5432]
`;
}

/** In-process io: what the command wrote, and how many times it asked. */
function capture(extra: { interactive?: boolean; answer?: string } = {}) {
  const output = { out: "", err: "", asked: 0 };
  const io = {
    out: (text: string) => {
      output.out += text;
    },
    err: (text: string) => {
      output.err += text;
    },
    color: false,
    interactive: extra.interactive ?? false,
    ask: async () => {
      output.asked++;
      return extra.answer ?? "";
    },
  };
  return { output, io };
}

const sorted = (values: readonly string[]) => [...values].sort();

describe("segsync restore: where it runs", () => {
  it("refuses the target options as plan and apply do", async () => {
    const LIVE = ["--live", "--config", "examples/live-config.yaml"];
    const ESTATE = ["--estate", "examples/estate.yaml"];
    const refusals: [readonly string[], string][] = [
      [[], "give --estate FILE (a simulated estate) or --live --config FILE (the real clouds)"],
      [
        [...ESTATE, ...LIVE],
        "--estate and --live exclude each other: give one (a simulated estate, or the real clouds)",
      ],
      [["--live"], "--live needs --config FILE (the accounts, subscriptions and projects to manage)"],
      [[...ESTATE, "--aws-endpoint", "http://127.0.0.1:5000"], "--aws-endpoint is used only with --live"],
    ];
    for (const [args, message] of refusals) {
      const { output, io } = capture();
      expect(
        await main(["node", "segsync", "restore", "--policy", "examples/policy.yaml", ...args], io),
      ).toBe(1);
      expect(output.err).toBe(`segsync restore: ${message}\n`);
      expect(output.out).toBe("");
    }
  });

  it("says in its help why the blast-radius guard does not hold a restore back", async () => {
    const { output, io } = capture();
    await main(["node", "segsync", "restore", "--help"], io);
    expect(output.out).toContain("--live");
    expect(output.out).toContain("--yes");
    expect(output.out).not.toMatch(/^ +--override/m);
    expect(output.out.replaceAll(/\s+/g, " ")).toMatch(/blast-radius guard does not apply/);
  });
});

describe.skipIf(skipWithoutMoto("the segsync restore --live CLI tests against moto"))(
  "segsync restore --live against moto's EC2 (child processes)",
  () => {
    let moto: MotoServer | undefined;
    let ec2: EC2Client;
    let live: string[];
    const ids = {} as Record<Name, string>;
    /** Each instance's customer group ids, as launched. */
    const originals = {} as Record<Name, string[]>;

    beforeAll(async () => {
      moto = await startMotoServer();
      ec2 = new EC2Client({
        region: REGION,
        endpoint: moto.endpoint,
        credentials: CREDENTIALS,
        maxAttempts: 1,
      });
      const imageId = (await ec2.send(new DescribeImagesCommand({}))).Images?.[0]?.ImageId;
      const vpcs = {} as Record<"a" | "b", { vpc: string; subnet: string; groups: Map<string, string> }>;
      for (const [key, cidr] of [
        ["a", "10.0"],
        ["b", "10.1"],
      ] as const) {
        const vpc = (await ec2.send(new CreateVpcCommand({ CidrBlock: `${cidr}.0.0/16` }))).Vpc?.VpcId ?? "";
        const subnet =
          (await ec2.send(new CreateSubnetCommand({ VpcId: vpc, CidrBlock: `${cidr}.1.0/24` }))).Subnet
            ?.SubnetId ?? "";
        const groups = new Map<string, string>();
        for (const name of GROUPS[key]) {
          const created = await ec2.send(
            new CreateSecurityGroupCommand({ VpcId: vpc, GroupName: name, Description: "customer" }),
          );
          groups.set(name, created.GroupId ?? "");
        }
        vpcs[key] = { vpc, subnet, groups };
      }
      for (const name of NAMES) {
        const spec = INSTANCES[name];
        const { subnet, groups } = vpcs[spec.vpc];
        originals[name] = spec.groups.map((group) => groups.get(group) ?? "");
        const launched = await ec2.send(
          new RunInstancesCommand({
            ImageId: imageId,
            MinCount: 1,
            MaxCount: 1,
            // On the ENI, not as SecurityGroupIds: moto keeps those on the instance and still lists
            // them on the ENI after segsync replaces its groups.
            NetworkInterfaces: [
              { DeviceIndex: 0, SubnetId: subnet, PrivateIpAddress: spec.ip, Groups: originals[name] },
            ],
            TagSpecifications: [
              {
                ResourceType: "instance",
                Tags: Object.entries(spec.tags).map(([Key, Value]) => ({ Key, Value })),
              },
            ],
          }),
        );
        ids[name] = launched.Instances?.[0]?.InstanceId ?? "";
      }
      const dir = mkdtempSync(join(tmpdir(), "segsync-restore-"));
      const config = join(dir, "config.yaml");
      writeFileSync(
        config,
        `apiVersion: segsync/v1\nkind: Config\naws:\n  accounts:\n    - { account: "${ACCOUNT}", regions: [${REGION}] }\n`,
      );
      const policy = join(dir, "policy.yaml");
      writeFileSync(policy, policyYaml(vpcs.a.vpc, vpcs.b.vpc));
      live = ["--policy", policy, "--live", "--config", config, "--aws-endpoint", moto.endpoint];
    }, 30_000);

    afterAll(async () => {
      ec2?.destroy();
      await moto?.stop();
    });

    afterEach(() => {
      vi.unstubAllEnvs();
    });

    /** Each instance's ENI groups and tags, and segsync's groups and prefix lists, read back from moto. */
    async function readBack() {
      const enis = (await ec2.send(new DescribeNetworkInterfacesCommand({}))).NetworkInterfaces ?? [];
      const eniOf = (name: Name) => enis.find((eni) => eni.Attachment?.InstanceId === ids[name]);
      const groupsOf = (name: Name) => sorted((eniOf(name)?.Groups ?? []).map((g) => g.GroupId ?? ""));
      const recordOf = (name: Name) =>
        eniOf(name)?.TagSet?.find((tag) => tag.Key === ORIGINAL_GROUPS_TAG_KEY)?.Value;
      const owned = await ec2.send(
        new DescribeSecurityGroupsCommand({ Filters: [{ Name: "tag:segsync:managed", Values: ["true"] }] }),
      );
      const lists = (await ec2.send(new DescribeManagedPrefixListsCommand({}))).PrefixLists ?? [];
      return {
        groupsOf,
        recordOf,
        ownedGroups: new Set((owned.SecurityGroups ?? []).map((g) => g.GroupId ?? "")),
        // moto lists a deleted prefix list once more, as delete-complete: that one is gone.
        ownedLists: lists.filter(
          (list) => list.PrefixListName?.startsWith("segsync-") && list.State !== "delete-complete",
        ),
      };
    }

    async function expectEnforced(names: readonly Name[]) {
      const { groupsOf, recordOf, ownedGroups } = await readBack();
      for (const name of names) {
        expect(groupsOf(name).length, name).toBeGreaterThan(0);
        for (const group of groupsOf(name)) expect(ownedGroups.has(group), name).toBe(true);
        expect(sorted(recordOf(name)?.split(" ") ?? []), name).toEqual(sorted(originals[name]));
      }
    }

    async function expectRestored(names: readonly Name[]) {
      const { groupsOf, recordOf } = await readBack();
      for (const name of names) {
        expect(groupsOf(name), name).toEqual(sorted(originals[name]));
        expect(recordOf(name), name).toBeUndefined();
      }
    }

    it(
      "apply writes nothing when the clouds change between the plan shown and the answer",
      async () => {
        stubMotoCredentials();
        const { output, io } = capture({ interactive: true, answer: "yes" });
        // While the person reads the plan, an instance stops: its address leaves the peer sets.
        const ask = io.ask;
        io.ask = async () => {
          await ec2.send(new StopInstancesCommand({ InstanceIds: [ids.batch] }));
          return ask();
        };
        try {
          expect(await main(["node", "segsync", "apply", ...live], io)).toBe(1);
          expect(output.asked).toBe(1);
          expect(output.err).toBe(
            "segsync apply: nothing written: the clouds changed after the plan was shown; run apply again to see the new plan\n",
          );
          expect((await readBack()).ownedGroups.size).toBe(0);
        } finally {
          await ec2.send(new StartInstancesCommand({ InstanceIds: [ids.batch] }));
        }
      },
      CLI_TIMEOUT_MS,
    );

    it(
      "does not restore without confirmation, nor on any answer but 'yes'",
      async () => {
        const applied = await segsyncOnMoto(["apply", ...live, "--yes"]);
        expect(applied.stderr).toBe("");
        expect(applied.exitCode).toBe(0);
        await expectEnforced(["web", "api", "db", "batch"]);
        expect((await readBack()).ownedLists.length).toBeGreaterThan(0);

        const piped = await segsyncOnMoto(["restore", ...live]);
        expect(piped.exitCode).toBe(1);
        expect(piped.stderr).toBe(
          "segsync restore: not restoring without confirmation: stdin is not a terminal; pass --yes\n",
        );
        expect(piped.stdout).toMatch(/^Restore: /);

        // In process, as a person at a terminal who answers "no".
        stubMotoCredentials();
        const { output, io } = capture({ interactive: true, answer: "no" });
        expect(await main(["node", "segsync", "restore", ...live], io)).toBe(1);
        expect(output.asked).toBe(1);
        expect(output.out).toContain("Not restored.\n");
        expect(output.out).not.toContain("Restored:");
        await expectEnforced(["web", "api", "db", "batch"]);
      },
      CLI_TIMEOUT_MS,
    );

    it(
      "puts every ENI's customer groups back, deletes segsync's objects, and plan wants to apply again",
      async () => {
        const restored = await segsyncOnMoto(["restore", ...live, "--yes"]);
        expect(restored.stderr).toBe("");
        expect(restored.exitCode).toBe(0);
        // The plan shown says what is re-attached and what is deleted.
        expect(restored.stdout).toMatch(
          new RegExp(`^  ~ network interface eni-\\w+ of ${ids.db} \\(aws\\): groups`, "m"),
        );
        expect(restored.stdout).toMatch(/^ {2}- security group segsync-\S+ \(sg-\w+\): no longer used$/m);
        // A long line wraps at 80 columns, its continuation indented.
        expect(restored.stdout.replaceAll(/\n {6}/g, " ")).toMatch(
          /^ {2}- prefix list segsync-\S+ \(pl-\w+\): no longer used$/m,
        );
        expect(restored.stdout).toMatch(/^Restored: AWS \d+ \(\d+ audit records\)\.$/m);

        await expectRestored(NAMES);
        const { ownedGroups, ownedLists } = await readBack();
        expect(ownedGroups.size).toBe(0);
        expect(ownedLists).toEqual([]);

        const [again, plan] = await Promise.all([
          segsyncOnMoto(["restore", ...live, "--yes"]),
          segsyncOnMoto(["plan", ...live]),
        ]);
        expect(again.stderr).toBe("");
        expect(again.exitCode).toBe(0);
        expect(again.stdout).toMatch(/^Nothing to restore: /m);
        expect(again.stdout).not.toContain("Restored:");
        expect(plan.stderr).toBe("");
        expect(plan.exitCode).toBe(2);
        expect(plan.stdout).toMatch(/^ {2}\+ security group segsync-/m);
      },
      CLI_TIMEOUT_MS,
    );

    it(
      "leaves a stopped instance as it is, and restores it once it runs",
      async () => {
        const applied = await segsyncOnMoto(["apply", ...live, "--yes"]);
        expect(applied.exitCode).toBe(0);
        await ec2.send(new StopInstancesCommand({ InstanceIds: [ids.batch] }));

        const first = await segsyncOnMoto(["restore", ...live, "--yes"]);
        expect(first.stderr).toBe("");
        expect(first.exitCode).toBe(0);
        expect(first.stdout).toContain(
          `Not running, so left as they are: aws:${ACCOUNT}:${REGION}:${ids.batch}; restore again once they run.\n`,
        );
        await expectRestored(["web", "api", "db", "bastion"]);
        await expectEnforced(["batch"]);

        await ec2.send(new StartInstancesCommand({ InstanceIds: [ids.batch] }));
        const second = await segsyncOnMoto(["restore", ...live, "--yes"]);
        expect(second.stderr).toBe("");
        expect(second.exitCode).toBe(0);
        expect(second.stdout).not.toContain("Not running");
        await expectRestored(NAMES);
        expect((await readBack()).ownedGroups.size).toBe(0);
      },
      CLI_TIMEOUT_MS,
    );

    it(
      "says which cloud it could not read, and restores nothing",
      async () => {
        const closed = [...live.slice(0, -1), "http://127.0.0.1:1"];
        const result = await segsyncOnMoto(["restore", ...closed, "--yes"]);
        expect(result.exitCode).toBe(1);
        expect(result.stdout).toBe("");
        expect(result.stderr).toMatch(
          /^segsync restore: AWS failed: AwsApiError: DescribeInstances failed with ECONNREFUSED/,
        );
      },
      CLI_TIMEOUT_MS,
    );
  },
);
