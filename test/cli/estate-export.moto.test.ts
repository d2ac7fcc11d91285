import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  AttachNetworkInterfaceCommand,
  CreateNetworkInterfaceCommand,
  CreateSecurityGroupCommand,
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

/**
 * `segsync estate export --live` against moto's EC2: the export passes validate, plan on it
 * equals plan --live before segsync wrote anything and after it applied, and the export sent EC2
 * only reads (every request goes through a proxy that notes its Action).
 */
const POLICY = "examples/policy.yaml";
const SHOP = { "seg-app": "shop", "seg-env": "prod" };
const INSTANCES = {
  web: { ip: "10.0.1.11", tags: { ...SHOP, "seg-role": "web" } },
  api: { ip: "10.0.1.21", tags: { ...SHOP, "seg-role": "api" } },
  db: { ip: "10.0.1.31", tags: { ...SHOP, "seg-role": "db" } },
  bastion: { ip: "10.0.1.99", tags: { Name: "bastion" } },
} as const;
const TIMEOUT_MS = 60_000;

function capture(): { output: { out: string; err: string }; io: CliIo } {
  const output = { out: "", err: "" };
  return {
    output,
    io: {
      out: (text) => {
        output.out += text;
      },
      err: (text) => {
        output.err += text;
      },
    },
  };
}

async function run(args: readonly string[]) {
  const { output, io } = capture();
  const exitCode = await main(["node", "segsync", ...args], io);
  return { exitCode, ...output };
}

/** A proxy in front of moto that notes each EC2 request's Action. */
async function startRecordingProxy(
  target: string,
): Promise<{ endpoint: string; actions: string[]; stop(): Promise<void> }> {
  const actions: string[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const body = Buffer.concat(chunks);
      actions.push(new URLSearchParams(body.toString("utf8")).get("Action") ?? "(none)");
      const headers = Object.fromEntries(
        Object.entries(request.headers).filter(
          (entry): entry is [string, string] => typeof entry[1] === "string" && entry[0] !== "host",
        ),
      );
      void fetch(`${target}${request.url ?? "/"}`, { method: request.method ?? "POST", headers, body })
        .then(async (answer) => {
          response.writeHead(answer.status, {
            "content-type": answer.headers.get("content-type") ?? "text/xml",
          });
          response.end(Buffer.from(await answer.arrayBuffer()));
        })
        .catch(() => {
          response.writeHead(502);
          response.end();
        });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    actions,
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/**
 * The plan JSON of `plan --json`. Nothing is normalised: the export holds the very ids, names,
 * addresses, tags and rules that were read, so each plan names the same objects.
 */
async function planJsonOf(target: readonly string[]): Promise<unknown> {
  const result = await run(["plan", "--policy", POLICY, "--json", ...target]);
  expect(result.err).toBe("");
  return JSON.parse(result.out);
}

describe.skipIf(skipWithoutMoto("the estate export tests against moto"))(
  "segsync estate export --live against moto's EC2",
  () => {
    let moto: MotoServer | undefined;
    let proxy: Awaited<ReturnType<typeof startRecordingProxy>> | undefined;
    let ec2: EC2Client;
    let dir: string;
    let live: string[];
    let subnet: string | undefined;
    const ids: Record<string, string> = {};

    beforeAll(async () => {
      stubMotoCredentials();
      moto = await startMotoServer();
      proxy = await startRecordingProxy(moto.endpoint);
      ec2 = new EC2Client({
        region: MOTO_REGION,
        endpoint: moto.endpoint,
        credentials: MOTO_CREDENTIALS,
        maxAttempts: 1,
      });
      const vpc = (await ec2.send(new CreateVpcCommand({ CidrBlock: "10.0.0.0/16" }))).Vpc?.VpcId;
      subnet = (await ec2.send(new CreateSubnetCommand({ VpcId: vpc, CidrBlock: "10.0.1.0/24" }))).Subnet
        ?.SubnetId;
      const ssh = (
        await ec2.send(
          new CreateSecurityGroupCommand({ VpcId: vpc, GroupName: "ssh", Description: "customer" }),
        )
      ).GroupId;
      const imageId = (await ec2.send(new DescribeImagesCommand({}))).Images?.[0]?.ImageId;
      for (const [name, spec] of Object.entries(INSTANCES)) {
        const launched = await ec2.send(
          new RunInstancesCommand({
            ImageId: imageId,
            MinCount: 1,
            MaxCount: 1,
            SubnetId: subnet,
            PrivateIpAddress: spec.ip,
            // The web server keeps a customer group next to the default one.
            ...(name === "bastion" || name === "web" ? { SecurityGroupIds: [ssh ?? ""] } : {}),
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
      dir = mkdtempSync(join(tmpdir(), "segsync-export-"));
      const config = join(dir, "config.yaml");
      writeFileSync(
        config,
        `apiVersion: segsync/v1\nkind: Config\naws:\n  accounts:\n    - { account: "${MOTO_ACCOUNT}", regions: [${MOTO_REGION}] }\n`,
      );
      live = ["--live", "--config", config, "--aws-endpoint", proxy.endpoint];
    }, 30_000);

    afterAll(async () => {
      vi.unstubAllEnvs();
      ec2?.destroy();
      await proxy?.stop();
      await moto?.stop();
    });

    async function exported(name: string): Promise<{ file: string; text: string; actions: string[] }> {
      const file = join(dir, name);
      const before = proxy?.actions.length ?? 0;
      const result = await run(["estate", "export", ...live, "--policy", POLICY, "--out", file]);
      expect(result.err).toBe("");
      expect(result.exitCode).toBe(0);
      expect(result.out).toBe("");
      return { file, text: readFileSync(file, "utf8"), actions: proxy?.actions.slice(before) ?? [] };
    }

    it(
      "writes an estate that validate accepts and plan gives the live plan on, reading only",
      async () => {
        const { file, text, actions } = await exported("before.yaml");
        expect(text).toMatch(
          /^# Exported by `segsync estate export --live` at \d{4}-\d\d-\d\dT[\d:.]+Z, read-only, from:\n# {3}aws:123456789012:eu-west-1\n/,
        );
        expect(text).not.toContain("sealed again");
        expect(new Set(actions)).toEqual(
          new Set([
            "DescribeInstances",
            "DescribeSecurityGroups",
            "DescribeNetworkInterfaces",
            "DescribeManagedPrefixLists",
            "DescribeVpcs",
          ]),
        );

        const validated = await run(["validate", file]);
        expect(validated.err).toBe("");
        expect(validated.out).toBe(`${file}: valid (Estate: 1 network(s), 3 workload(s))\n`);

        const [onExport, onLive] = [await planJsonOf(["--estate", file]), await planJsonOf(live)];
        expect((onLive as { totals: { operations: number } }).totals.operations).toBeGreaterThan(0);
        expect(onExport).toEqual(onLive);
      },
      TIMEOUT_MS,
    );

    it(
      "writes on stdout without --out, and says on stderr, without a stack, when a cloud cannot be read",
      async () => {
        const onStdout = await run(["estate", "export", ...live, "--policy", POLICY]);
        expect(onStdout.err).toBe("");
        expect(onStdout.exitCode).toBe(0);
        expect(onStdout.out).toMatch(/^# Exported by `segsync estate export --live`/);
        expect(onStdout.out).toContain("\nkind: Estate\n");

        const closed = await run(["estate", "export", ...live.slice(0, -1), "http://127.0.0.1:1"]);
        expect(closed.exitCode).toBe(1);
        expect(closed.out).toBe("");
        expect(closed.err).toMatch(
          /^segsync estate export: cannot read the clouds: AwsApiError: DescribeInstances failed/,
        );
        expect(closed.err.split("\n")).toHaveLength(2);
      },
      TIMEOUT_MS,
    );

    it(
      "exports what segsync applied as segsync's, so that plan on the export is still the live plan",
      async () => {
        const applied = await run(["apply", "--policy", POLICY, ...live, "--yes"]);
        expect(applied.err).toBe("");
        expect(applied.exitCode).toBe(0);

        const { file, text, actions } = await exported("after.yaml");
        expect(actions.every((action) => /^(Describe|Get)/.test(action))).toBe(true);
        expect(text).toMatch(
          /^# \d+ object\(s\) and record\(s\) that segsync owns carry a seal under the simulator's$/m,
        );
        const [onExport, onLive] = [await planJsonOf(["--estate", file]), await planJsonOf(live)];
        // What segsync owns is segsync's in both: the simulation counts the same owned rules.
        expect((onLive as { clouds: { aws: { ownedRules: number } } }).clouds.aws.ownedRules).toBeGreaterThan(
          0,
        );
        expect(onExport).toEqual(onLive);
      },
      TIMEOUT_MS,
    );

    it(
      "says on stderr what it leaves out (a secondary ENI), and still writes a valid estate",
      async () => {
        const eni = await ec2.send(
          new CreateNetworkInterfaceCommand({ SubnetId: subnet, PrivateIpAddress: "10.0.1.12" }),
        );
        await ec2.send(
          new AttachNetworkInterfaceCommand({
            InstanceId: ids.web,
            NetworkInterfaceId: eni.NetworkInterface?.NetworkInterfaceId,
            DeviceIndex: 1,
          }),
        );
        const file = join(dir, "secondary.yaml");
        const result = await run(["estate", "export", ...live, "--policy", POLICY, "--out", file]);
        expect(result.exitCode).toBe(0);
        expect(result.err).toMatch(
          /^segsync estate export: warning: i-\w+: only its primary ENI is exported \(an estate workload has one NIC\); eni-\w+ left out\n$/,
        );
        expect(readFileSync(file, "utf8")).toMatch(/^# 1 finding\(s\) while reading \(said on stderr\)/m);
        expect((await run(["validate", file])).exitCode).toBe(0);
      },
      TIMEOUT_MS,
    );
  },
);
