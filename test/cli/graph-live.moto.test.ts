/**
 * `graph --live` against moto's EC2: the graph of the real clouds comes from a dry-run full sync
 * through the same live session as plan, and writes nothing.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CreateSubnetCommand,
  CreateVpcCommand,
  DescribeImagesCommand,
  DescribeSecurityGroupsCommand,
  EC2Client,
  RunInstancesCommand,
} from "@aws-sdk/client-ec2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type MotoServer, skipWithoutMoto, startMotoServer } from "../support/moto-server.js";
import { MOTO_ACCOUNT, MOTO_CREDENTIALS, MOTO_REGION, segsyncOnMoto } from "./live-moto.js";

const CLI_TIMEOUT_MS = 60_000;
const SHOP = { "seg-app": "shop", "seg-env": "prod" };
const INSTANCES = {
  web: { ip: "10.0.1.11", tags: { ...SHOP, "seg-role": "web" } },
  api: { ip: "10.0.1.21", tags: { ...SHOP, "seg-role": "api" } },
  stray: { ip: "10.0.1.31", tags: { "seg-app": "Not Portable" } },
} as const;
type Name = keyof typeof INSTANCES;

describe.skipIf(skipWithoutMoto("the segsync graph --live tests against moto"))(
  "segsync graph --live against moto's EC2 (child processes)",
  () => {
    let moto: MotoServer | undefined;
    let ec2: EC2Client;
    let live: string[];
    const ids = {} as Record<Name, string>;

    beforeAll(async () => {
      moto = await startMotoServer();
      ec2 = new EC2Client({
        region: MOTO_REGION,
        endpoint: moto.endpoint,
        credentials: MOTO_CREDENTIALS,
        maxAttempts: 1,
      });
      const vpc = (await ec2.send(new CreateVpcCommand({ CidrBlock: "10.0.0.0/16" }))).Vpc?.VpcId;
      const subnet = (await ec2.send(new CreateSubnetCommand({ VpcId: vpc, CidrBlock: "10.0.1.0/24" })))
        .Subnet?.SubnetId;
      const imageId = (await ec2.send(new DescribeImagesCommand({}))).Images?.[0]?.ImageId;
      for (const [name, spec] of Object.entries(INSTANCES) as [Name, (typeof INSTANCES)[Name]][]) {
        const launched = await ec2.send(
          new RunInstancesCommand({
            ImageId: imageId,
            MinCount: 1,
            MaxCount: 1,
            SubnetId: subnet,
            PrivateIpAddress: spec.ip,
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
      const dir = mkdtempSync(join(tmpdir(), "segsync-graph-live-"));
      const config = join(dir, "config.yaml");
      writeFileSync(
        config,
        `apiVersion: segsync/v1\nkind: Config\naws:\n  accounts:\n    - { account: "${MOTO_ACCOUNT}", regions: [${MOTO_REGION}] }\n`,
      );
      live = [
        "--policy",
        "examples/policy.yaml",
        "--live",
        "--config",
        config,
        "--aws-endpoint",
        moto.endpoint,
      ];
    }, 30_000);

    afterAll(async () => {
      ec2?.destroy();
      await moto?.stop();
    });

    it(
      "draws the identities and flows read from the cloud, the unmanaged instance, and writes nothing",
      async () => {
        const result = await segsyncOnMoto(["graph", ...live, "--format", "dot"]);
        expect(result.stderr).toBe("");
        expect(result.exitCode).toBe(0);
        expect(result.stdout).toMatch(/^ {4}n\d+ \[label="app=shop,env=prod,role=api"\];$/m);
        expect(result.stdout).toMatch(/^ {4}n\d+ \[label="app=shop,env=prod,role=web"\];$/m);
        expect(result.stdout).toContain('[label="unmanaged workloads", style=dashed];');
        expect(result.stdout).toMatch(/^ {2}n\d+ -> n\d+ \[label="tcp\/8080"\];$/m);
        const owned = await ec2.send(
          new DescribeSecurityGroupsCommand({ Filters: [{ Name: "tag:segsync:managed", Values: ["true"] }] }),
        );
        expect(owned.SecurityGroups ?? []).toEqual([]);
      },
      CLI_TIMEOUT_MS,
    );

    it(
      "says which cloud it could not read, and draws nothing",
      async () => {
        const closed = [...live.slice(0, -1), "http://127.0.0.1:1"];
        const result = await segsyncOnMoto(["graph", ...closed]);
        expect(result.exitCode).toBe(1);
        expect(result.stdout).toBe("");
        expect(result.stderr).toMatch(/^segsync graph: AWS failed: AwsApiError: DescribeInstances failed/);
      },
      CLI_TIMEOUT_MS,
    );
  },
);
