/**
 * `explain --live` at both ends against moto's EC2: once a policy with enforced egress is applied,
 * explain reads the groups back and names the egress rule at the source as well as the ingress
 * rule at the destination, or says what closes the flow; `graph --live` marks the identities.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CreateSubnetCommand,
  CreateVpcCommand,
  DescribeImagesCommand,
  EC2Client,
  RunInstancesCommand,
} from "@aws-sdk/client-ec2";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { CliIo } from "../../cli/io.js";
import { main } from "../../cli/main.js";
import { type MotoServer, skipWithoutMoto, startMotoServer } from "../support/moto-server.js";
import { MOTO_ACCOUNT, MOTO_CREDENTIALS, MOTO_REGION, stubMotoCredentials } from "./live-moto.js";

const TIMEOUT_MS = 60_000;
const SHOP = { "seg-app": "shop", "seg-env": "prod" };
const INSTANCES = {
  web: { ip: "10.0.1.11", tags: { ...SHOP, "seg-role": "web" } },
  api: { ip: "10.0.1.21", tags: { ...SHOP, "seg-role": "api" } },
} as const;
type Name = keyof typeof INSTANCES;

const POLICY = `apiVersion: segsync/v1
kind: Policy
labels: { tagPrefix: seg-, dimensions: [app, env, role] }
ipLists:
  gateway: [198.51.100.0/24]
rulesets:
  - name: shop
    scope: { app: shop, env: prod }
    enforcement: enforced
    egress: enforced
    rules:
      - from: { role: web }
        to: { role: api }
        services: [tcp/8080]
      - from: { role: api }
        to: { ipList: gateway }
        services: [tcp/443]
`;

async function run(args: readonly string[]) {
  const said = { out: "", err: "" };
  const io: CliIo = {
    out: (text) => {
      said.out += text;
    },
    err: (text) => {
      said.err += text;
    },
  };
  const exitCode = await main(["node", "segsync", ...args], io);
  return { exitCode, ...said };
}

describe.skipIf(skipWithoutMoto("the segsync explain --live tests against moto"))(
  "segsync explain --live at both ends against moto's EC2",
  () => {
    let moto: MotoServer | undefined;
    let ec2: EC2Client;
    let live: string[];
    const ids = {} as Record<Name, string>;
    const workload = (name: Name) => `aws:${MOTO_ACCOUNT}:${MOTO_REGION}:${ids[name]}`;
    const explain = (from: string, to: string, port: string) =>
      run(["explain", ...live, "--from", from, "--to", to, "--port", port]);

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
      const dir = mkdtempSync(join(tmpdir(), "segsync-explain-live-"));
      const config = join(dir, "config.yaml");
      const policy = join(dir, "policy.yaml");
      writeFileSync(
        config,
        `apiVersion: segsync/v1\nkind: Config\naws:\n  accounts:\n    - { account: "${MOTO_ACCOUNT}", regions: [${MOTO_REGION}] }\n`,
      );
      writeFileSync(policy, POLICY);
      live = ["--policy", policy, "--live", "--config", config, "--aws-endpoint", moto.endpoint];
      const applied = await run(["apply", ...live, "--yes"]);
      if (applied.exitCode !== 0) throw new Error(`apply failed: ${applied.err}`);
    }, TIMEOUT_MS);

    afterAll(async () => {
      ec2?.destroy();
      await moto?.stop();
      vi.unstubAllEnvs();
    });

    it(
      "names the egress rule at the source and the ingress rule at the destination",
      async () => {
        const result = await explain(workload("web"), workload("api"), "tcp/8080");
        expect(result.err).toBe("");
        expect(result.exitCode).toBe(0);
        expect(result.out).toContain("verdict: allowed\npolicy: allowed by rule shop#0\n");
        expect(result.out).toMatch(/^native: AWS segsync-\S+ \(sg-\w+\): tcp\/8080 from/m);
        expect(result.out).toContain("source: egress enforced, opened by rule shop#0\n");
        expect(result.out).toMatch(/^source native: AWS segsync-\S+ \(sg-\w+\): tcp\/8080 to\s+sg-\w+/m);
        expect(result.out).not.toMatch(/^pending:|! warning/m);
      },
      TIMEOUT_MS,
    );

    it(
      "says what closes a flow at the source, and explains an address outside from the source",
      async () => {
        const back = await explain(workload("api"), workload("web"), "tcp/8080");
        expect(back.exitCode).toBe(0);
        expect(back.out).toContain("verdict: denied\n");
        expect(back.out).toMatch(/^source: egress enforced, closed: no policy rule lets/m);
        // Wrapped at 80 columns where the VPC id falls: compare the words.
        expect(back.out.replace(/\s+/g, " ")).toMatch(
          /source native: no AWS rule lets it out \(in vpc-\w+ \(aws\), to 10\.0\.1\.11\): the owned groups' allow-all egress is revoked/,
        );
        const out = await explain(workload("api"), "198.51.100.7", "tcp/443");
        expect(out.exitCode).toBe(0);
        expect(out.out).toContain("verdict: allowed\n");
        expect(out.out).toMatch(
          /^source native: AWS segsync-\S+ \(sg-\w+\): tcp\/443 to\s+198\.51\.100\.0\/24/m,
        );
      },
      TIMEOUT_MS,
    );

    it(
      "graph --live marks both identities' egress as enforced",
      async () => {
        const result = await run(["graph", ...live, "--format", "dot"]);
        expect(result.exitCode).toBe(0);
        expect(result.out).toMatch(
          /\[label="app=shop,env=prod,role=api \(egress enforced\)", peripheries=2\];/,
        );
        expect(result.out).toMatch(
          /\[label="app=shop,env=prod,role=web \(egress enforced\)", peripheries=2\];/,
        );
        expect(result.out).toContain('[label="ipList gateway", style=dashed];');
      },
      TIMEOUT_MS,
    );
  },
);
