import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  DescribeImagesCommand,
  DescribeNetworkInterfacesCommand,
  DescribeSecurityGroupsCommand,
  EC2Client,
  RunInstancesCommand,
} from "@aws-sdk/client-ec2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type MotoServer, skipWithoutMoto, startMotoServer } from "../support/moto-server.js";
import { MOTO_ACCOUNT, MOTO_CREDENTIALS, MOTO_REGION, segsyncOnMoto } from "./live-moto.js";

/** Each test runs the CLI in cold child processes, each reading moto over HTTP. */
const CLI_TIMEOUT_MS = 60_000;
/** moto's default account: the one that unsigned-for-an-account requests land in. */
const ACCOUNT = MOTO_ACCOUNT;
const REGION = MOTO_REGION;
const CREDENTIALS = MOTO_CREDENTIALS;
const POLICY = "examples/policy.yaml";
const SHOP = { "seg-app": "shop", "seg-env": "prod" };
const INSTANCES = {
  web: { ip: "10.0.1.11", tags: { ...SHOP, "seg-role": "web" } },
  api: { ip: "10.0.1.21", tags: { ...SHOP, "seg-role": "api" } },
  db: { ip: "10.0.1.31", tags: { ...SHOP, "seg-role": "db" } },
  // No labels: segsync leaves it and its group alone.
  bastion: { ip: "10.0.1.99", tags: { Name: "bastion" } },
} as const;
type Name = keyof typeof INSTANCES;

describe.skipIf(skipWithoutMoto("the segsync --live CLI tests against moto"))(
  "segsync --live against moto's EC2 (child processes)",
  () => {
    let moto: MotoServer | undefined;
    let ec2: EC2Client;
    let live: string[];
    const ids = {} as Record<Name, string>;
    let bastionGroup = "";

    beforeAll(async () => {
      moto = await startMotoServer();
      ec2 = new EC2Client({
        region: REGION,
        endpoint: moto.endpoint,
        credentials: CREDENTIALS,
        maxAttempts: 1,
      });
      const vpc = (await ec2.send(new CreateVpcCommand({ CidrBlock: "10.0.0.0/16" }))).Vpc?.VpcId;
      const subnet = (await ec2.send(new CreateSubnetCommand({ VpcId: vpc, CidrBlock: "10.0.1.0/24" })))
        .Subnet?.SubnetId;
      bastionGroup =
        (
          await ec2.send(
            new CreateSecurityGroupCommand({ VpcId: vpc, GroupName: "ssh", Description: "customer" }),
          )
        ).GroupId ?? "";
      const imageId = (await ec2.send(new DescribeImagesCommand({}))).Images?.[0]?.ImageId;
      for (const [name, spec] of Object.entries(INSTANCES) as [Name, (typeof INSTANCES)[Name]][]) {
        const launched = await ec2.send(
          new RunInstancesCommand({
            ImageId: imageId,
            MinCount: 1,
            MaxCount: 1,
            SubnetId: subnet,
            PrivateIpAddress: spec.ip,
            ...(name === "bastion" ? { SecurityGroupIds: [bastionGroup] } : {}),
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
      const dir = mkdtempSync(join(tmpdir(), "segsync-live-"));
      const config = join(dir, "config.yaml");
      writeFileSync(
        config,
        `apiVersion: segsync/v1\nkind: Config\naws:\n  accounts:\n    - { account: "${ACCOUNT}", regions: [${REGION}] }\n`,
      );
      live = ["--policy", POLICY, "--live", "--config", config, "--aws-endpoint", moto.endpoint];
    }, 30_000);

    afterAll(async () => {
      ec2?.destroy();
      await moto?.stop();
    });

    const workload = (name: Name) => `aws:${ACCOUNT}:${REGION}:${ids[name]}`;
    const explain = (from: Name, to: Name, port: string) =>
      segsyncOnMoto(["explain", ...live, "--from", workload(from), "--to", workload(to), "--port", port]);

    /** Each instance's groups, read back from moto, and the owned groups by id. */
    async function readBack() {
      const enis = (await ec2.send(new DescribeNetworkInterfacesCommand({}))).NetworkInterfaces ?? [];
      const groupsOf = (name: Name) =>
        (enis.find((eni) => eni.Attachment?.InstanceId === ids[name])?.Groups ?? []).map(
          (g) => g.GroupId ?? "",
        );
      const owned = (
        await ec2.send(
          new DescribeSecurityGroupsCommand({ Filters: [{ Name: "tag:segsync:managed", Values: ["true"] }] }),
        )
      ).SecurityGroups;
      return { groupsOf, owned: new Map((owned ?? []).map((group) => [group.GroupId ?? "", group])) };
    }

    it(
      "plans the changes (exit 2), applies them with --yes, and then has nothing left to plan (exit 0)",
      async () => {
        const [before, explained] = await Promise.all([
          segsyncOnMoto(["plan", ...live]),
          explain("api", "db", "tcp/5432"),
        ]);
        expect(before.stderr).toBe("");
        expect(before.exitCode).toBe(2);
        expect(before.stdout).toMatch(/create/);
        // explain reads only: it tells the policy's verdict, and that the clouds do not enforce it yet.
        expect(explained.exitCode).toBe(0);
        expect(explained.stdout).toContain("verdict: allowed\n");
        expect(explained.stdout).toMatch(/^pending: \d+ operation\(s\) not applied yet/m);
        expect((await readBack()).owned.size).toBe(0); // neither writes anything

        const applied = await segsyncOnMoto(["apply", ...live, "--yes"]);
        expect(applied.stderr).toBe("");
        expect(applied.exitCode).toBe(0);
        expect(applied.stdout).toMatch(/^Applied: AWS \d+ \(\d+ audit records\)\.$/m);
        expect(applied.stdout).not.toContain("simulated");

        const after = await segsyncOnMoto(["plan", ...live]);
        expect(after.stderr).toBe("");
        expect(after.exitCode).toBe(0);
      },
      CLI_TIMEOUT_MS,
    );

    it("leaves each labelled instance with segsync's groups only, and the others as they were", async () => {
      const { groupsOf, owned } = await readBack();
      expect(owned.size).toBeGreaterThanOrEqual(3);
      for (const name of ["web", "api", "db"] as const) {
        const groups = groupsOf(name);
        expect(groups.length).toBeGreaterThan(0);
        for (const group of groups) {
          expect(owned.get(group)?.GroupName).toMatch(/^segsync-/);
        }
      }
      // Different roles get different groups; the unlabelled instance keeps its own.
      expect(groupsOf("web")).not.toEqual(groupsOf("db"));
      expect(groupsOf("bastion")).toEqual([bastionGroup]);
      const db = owned.get(groupsOf("db")[0] ?? "");
      const apiGroup = groupsOf("api")[0];
      expect(
        db?.IpPermissions?.some(
          (p) => p.FromPort === 5432 && p.UserIdGroupPairs?.some((pair) => pair.GroupId === apiGroup),
        ),
      ).toBe(true);
    });

    it(
      "explains an allowed and a denied flow from what the clouds enforce",
      async () => {
        const [allowed, denied] = await Promise.all([
          explain("api", "db", "tcp/5432"),
          explain("web", "db", "tcp/5432"),
        ]);
        expect(allowed.stderr).toBe("");
        expect(allowed.exitCode).toBe(0);
        expect(allowed.stdout).toContain("verdict: allowed\n");
        expect(allowed.stdout).toContain("policy: allowed by rule shop-prod#1\n");
        expect(allowed.stdout).toMatch(
          /^native: AWS segsync-\S+ \(sg-\w+\): tcp\/5432 from\n {4}sg-\w+ \(in vpc-\w+ \(aws\), seen from 10\.0\.1\.21\)$/m,
        );
        expect(allowed.stdout).not.toContain("pending:");

        expect(denied.exitCode).toBe(0);
        expect(denied.stdout).toContain("verdict: denied\n");
        expect(denied.stdout.replaceAll(/\n {4}/g, " ")).toMatch(
          /^why: no policy rule lets .* reach .* on tcp\/5432$/m,
        );
        expect(denied.stdout).toMatch(/^native: no AWS rule admits it/m);
      },
      CLI_TIMEOUT_MS,
    );

    it(
      "says which cloud it could not read, without claiming that nothing needs to change",
      async () => {
        const closed = [...live.slice(0, -1), "http://127.0.0.1:1"];
        const result = await segsyncOnMoto(["plan", ...closed]);
        expect(result.exitCode).toBe(1);
        expect(result.stdout).toBe("");
        expect(result.stderr).toMatch(
          /^segsync plan: AWS failed: AwsApiError: DescribeInstances failed with ECONNREFUSED/,
        );
      },
      CLI_TIMEOUT_MS,
    );

    it(
      "says which workload it cannot find in the clouds",
      async () => {
        const missing = await segsyncOnMoto([
          "explain",
          ...live,
          "--from",
          workload("api"),
          "--to",
          `aws:${ACCOUNT}:${REGION}:i-0123456789abcdef0`,
          "--port",
          "tcp/5432",
        ]);
        expect(missing.exitCode).toBe(1);
        expect(missing.stderr).toBe(
          `segsync explain: no workload aws:${ACCOUNT}:${REGION}:i-0123456789abcdef0 in the clouds of the config\n`,
        );
      },
      CLI_TIMEOUT_MS,
    );
  },
);
