/**
 * `flows check --live` against moto's EC2: the inventory the flows are resolved against is the
 * cloud's, read only, and a cloud that cannot be read fails the check.
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
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { flowsCheck } from "../../cli/commands/flows.js";
import type { CheckReport } from "../../lib/flows/check.js";
import { type MotoServer, skipWithoutMoto, startMotoServer } from "../support/moto-server.js";
import { MOTO_ACCOUNT, MOTO_CREDENTIALS, MOTO_REGION, stubMotoCredentials } from "./live-moto.js";

const SHOP = { "seg-app": "shop", "seg-env": "prod" };
const INSTANCES = {
  web: { ip: "10.0.1.11", tags: { ...SHOP, "seg-role": "web" } },
  api: { ip: "10.0.1.21", tags: { ...SHOP, "seg-role": "api" } },
} as const;
/** Default-format records (no tcp-flags): the ports tell the responders, 8080 being a policy service's. */
const LOG = [
  "2 123456789012 eni-0a1 10.0.1.11 10.0.1.21 40001 8080 6 10 840 1700000000 1700000060 ACCEPT OK",
  "2 123456789012 eni-0a1 10.0.1.21 10.0.1.11 8080 40001 6 8 640 1700000000 1700000060 ACCEPT OK",
  "2 123456789012 eni-0a2 10.0.1.21 10.0.1.11 40002 22 6 10 840 1700000100 1700000160 ACCEPT OK",
].join("\n");

describe.skipIf(skipWithoutMoto("the flows check --live tests against moto"))(
  "segsync flows check --live against moto's EC2",
  () => {
    let moto: MotoServer | undefined;
    let ec2: EC2Client;
    let dir: string;
    let config: string;
    const ids: Record<string, string> = {};

    beforeAll(async () => {
      stubMotoCredentials();
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
      for (const [name, spec] of Object.entries(INSTANCES)) {
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
      dir = mkdtempSync(join(tmpdir(), "segsync-flows-live-"));
      config = join(dir, "config.yaml");
      writeFileSync(
        config,
        `apiVersion: segsync/v1\nkind: Config\naws:\n  accounts:\n    - { account: "${MOTO_ACCOUNT}", regions: [${MOTO_REGION}] }\n`,
      );
      writeFileSync(join(dir, "flows.log"), `${LOG}\n`);
    }, 30_000);

    afterAll(async () => {
      vi.unstubAllEnvs();
      ec2?.destroy();
      await moto?.stop();
    });

    async function check(endpoint: string) {
      const out: string[] = [];
      const err: string[] = [];
      const io = { out: (text: string) => out.push(text), err: (text: string) => err.push(text) };
      const options = {
        policy: "examples/policy.yaml",
        live: true,
        config,
        awsEndpoint: endpoint,
        json: true,
      };
      const code = await flowsCheck([join(dir, "flows.log")], options, io);
      return { code, out: out.join(""), err: err.join("") };
    }

    it("resolves the flows against the instances read from the cloud, writes nothing, exits 2 for what it would block", async () => {
      const result = await check(moto?.endpoint ?? "");
      expect(result.err).toBe("");
      expect(result.code).toBe(2);
      const report = JSON.parse(result.out) as CheckReport;
      const workload = (name: string) => `aws:${MOTO_ACCOUNT}:${MOTO_REGION}:${ids[name]}`;
      expect(
        report.groups.map((group) => [group.source, group.destination, group.service, group.verdict]),
      ).toEqual([
        [
          { kind: "workload", workload: workload("api"), identity: "app=shop,env=prod,role=api" },
          { kind: "workload", workload: workload("web"), identity: "app=shop,env=prod,role=web" },
          "tcp/22",
          { kind: "denied", rule: null, onceEnforced: false },
        ],
        [
          { kind: "workload", workload: workload("web"), identity: "app=shop,env=prod,role=web" },
          { kind: "workload", workload: workload("api"), identity: "app=shop,env=prod,role=api" },
          "tcp/8080",
          { kind: "allowed", rule: "shop-prod#0", onceEnforced: false },
        ],
      ]);
      const owned = await ec2.send(
        new DescribeSecurityGroupsCommand({ Filters: [{ Name: "tag:segsync:managed", Values: ["true"] }] }),
      );
      expect(owned.SecurityGroups ?? []).toEqual([]);
    });

    it("says which cloud it could not read, and exits 1", async () => {
      const result = await check("http://127.0.0.1:1");
      expect(result.code).toBe(1);
      expect(result.out).toBe("");
      expect(result.err).toMatch(/^segsync flows check: AWS could not be read: /);
    });
  },
);
