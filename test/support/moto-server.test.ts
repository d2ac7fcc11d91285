import { CreateVpcCommand, DescribeVpcsCommand, EC2Client } from "@aws-sdk/client-ec2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type MotoServer, skipWithoutMoto, startMotoServer } from "./moto-server.js";

describe.skipIf(skipWithoutMoto("the moto harness tests"))("startMotoServer", () => {
  let moto: MotoServer | undefined;
  let ec2: EC2Client;

  beforeAll(async () => {
    moto = await startMotoServer();
    ec2 = new EC2Client({
      region: "eu-west-1",
      endpoint: moto.endpoint,
      credentials: { accessKeyId: "testing", secretAccessKey: "testing" },
      maxAttempts: 1,
    });
  });
  afterAll(async () => {
    ec2?.destroy();
    await moto?.stop();
  });

  const vpcCount = async () => (await ec2.send(new DescribeVpcsCommand({}))).Vpcs?.length ?? 0;

  it("serves EC2 on a loopback endpoint, and reset wipes what was created", async () => {
    expect(moto?.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const before = await vpcCount();
    await ec2.send(new CreateVpcCommand({ CidrBlock: "10.9.0.0/16" }));
    expect(await vpcCount()).toBe(before + 1);

    await moto?.reset();

    expect(await vpcCount()).toBe(before);
  });

  it("stops: the endpoint no longer answers", async () => {
    const second = await startMotoServer();
    await second.stop();
    await expect(fetch(`${second.endpoint}/moto-api/`)).rejects.toThrow();
  });
});
