import { describe, expect, it } from "vitest";
import { SimulationRefusedError } from "../../sim/refusal.js";
import { applyStep, type CloudStep } from "../../sim/scenario.js";
import { SimulatedClouds } from "../../sim/simulated-clouds.js";
import {
  AWS_VPC,
  AWS_WEB,
  AZURE_API,
  AZURE_VNET,
  estateOf,
  GCP_DB,
  GCP_NET,
  HEADER,
  SMALL_ESTATE,
  text,
  WORKLOADS,
} from "./fixtures.js";

function refusal(clouds: SimulatedClouds, step: CloudStep): { path: string; message: string } {
  try {
    applyStep(clouds, step);
  } catch (error) {
    if (error instanceof SimulationRefusedError)
      return { path: error.path.join("."), message: error.message };
    throw error;
  }
  throw new Error("expected the step to be refused");
}

const fresh = () => SimulatedClouds.fromEstate(estateOf(SMALL_ESTATE));
const AWS_NEW = "aws:111111111111:us-east-1:i-0a0000000000000f1";
const GCP_NEW = "gcp:shop-prod:us-central1-b:new-1";

describe("a step that could not happen", () => {
  it.each([
    [
      "an id that exists",
      { launch: { id: AWS_WEB, network: AWS_VPC, privateIp: "10.1.0.50", tags: {} } },
      { path: "launch.id", message: `${AWS_WEB} already exists` },
    ],
    [
      "a network not in the estate",
      {
        launch: {
          id: AWS_NEW,
          network: "aws:111111111111:us-east-1:vpc-0fffffff",
          privateIp: "10.1.0.50",
          tags: {},
        },
      },
      {
        path: "launch.network",
        message: "network aws:111111111111:us-east-1:vpc-0fffffff is not in the estate's networks",
      },
    ],
    [
      "a network of another cloud",
      { launch: { id: AWS_NEW, network: GCP_NET, privateIp: "10.3.0.50", tags: {} } },
      { path: "launch.network", message: `network ${GCP_NET} is in gcp, but the workload is in aws` },
    ],
    [
      "an address outside the network",
      { launch: { id: AWS_NEW, network: AWS_VPC, privateIp: "10.9.0.50", tags: {} } },
      { path: "launch.privateIp", message: `10.9.0.50 is outside ${AWS_VPC} (10.1.0.0/16)` },
    ],
    [
      "an address in use",
      { launch: { id: AWS_NEW, network: AWS_VPC, privateIp: "10.1.0.11", tags: {} } },
      { path: "launch.privateIp", message: `10.1.0.11 is already used in ${AWS_VPC} by ${AWS_WEB}` },
    ],
    [
      "a public address in use",
      { launch: { id: GCP_NEW, network: GCP_NET, privateIp: "10.3.0.50", publicIp: "54.0.0.11", tags: {} } },
      { path: "launch.publicIp", message: `54.0.0.11 is already the public IP of ${AWS_WEB}` },
    ],
    [
      "a tag that is not a GCP label",
      { launch: { id: GCP_NEW, network: GCP_NET, privateIp: "10.3.0.50", tags: { Owner: "me" } } },
      {
        path: "launch.tags.Owner",
        message:
          'tag "Owner": "me" cannot be a GCP label: keys are 1-63 lowercase letters, digits, _ and -, starting with a letter; values are 0-63 of the same',
      },
    ],
    [
      "re-tagging what is gone",
      { retag: { id: AWS_NEW, tags: {} } },
      { path: "retag.id", message: `${AWS_NEW} does not exist (anymore)` },
    ],
    [
      "starting what runs",
      { start: { id: AZURE_API } },
      { path: "start.id", message: `${AZURE_API} is already running` },
    ],
    [
      "migrating tags that the target cloud refuses",
      { migrate: { from: AWS_WEB, to: { id: GCP_NEW, network: GCP_NET, privateIp: "10.3.0.50" } } },
      {
        path: "migrate.from",
        message: `the tags of ${AWS_WEB} cannot move to gcp: tag "Name": "web-1" cannot be a GCP label: keys are 1-63 lowercase letters, digits, _ and -, starting with a letter; values are 0-63 of the same`,
      },
    ],
    [
      "migrating to an address in use",
      { migrate: { from: AZURE_API, to: { id: GCP_NEW, network: GCP_NET, privateIp: "10.3.0.11" } } },
      { path: "migrate.to.privateIp", message: `10.3.0.11 is already used in ${GCP_NET} by ${GCP_DB}` },
    ],
  ] as const)("%s", (_, step, expected) => {
    const clouds = fresh();
    const before = JSON.stringify(clouds.stateOut());
    expect(refusal(clouds, step as CloudStep)).toEqual(expected);
    expect(JSON.stringify(clouds.stateOut())).toBe(before);
  });

  it("stopping twice", () => {
    const clouds = fresh();
    applyStep(clouds, { stop: { id: GCP_DB } });
    expect(refusal(clouds, { stop: { id: GCP_DB } })).toEqual({
      path: "stop.id",
      message: `${GCP_DB} is already stopped`,
    });
  });

  it("too many tags for EC2", () => {
    const tags = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, "v"]));
    expect(refusal(fresh(), { retag: { id: AWS_WEB, tags } })).toEqual({
      path: "retag.tags",
      message: "an EC2 instance has at most 50 tags",
    });
  });

  it("what only the simulated cloud knows to refuse, at the step", () => {
    const id = "azure:8f2c1d3e-5a6b-4c7d-9e0f-1a2b3c4d5e6f:rg-shop:-vm";
    expect(
      refusal(fresh(), { launch: { id, network: AZURE_VNET, privateIp: "10.2.0.50", tags: {} } }),
    ).toEqual({
      path: "launch",
      message: "InvalidResourceName: Virtual machine name '-vm' is invalid for its resource type.",
    });
  });
});

describe("public addresses across stop and start", () => {
  it("are released on stop and given back on start, in every cloud", () => {
    const clouds = SimulatedClouds.fromEstate(
      estateOf(
        text(
          ...HEADER,
          ...WORKLOADS,
          `  - { id: "${GCP_NEW}", network: "${GCP_NET}", privateIp: 10.3.0.50, publicIp: 34.0.0.50, tags: {} }`,
          `  - { id: "azure:8f2c1d3e-5a6b-4c7d-9e0f-1a2b3c4d5e6f:rg-shop:vm-web-1", network: "${AZURE_VNET}", privateIp: 10.2.0.50, publicIp: 20.0.0.50, tags: {} }`,
        ),
      ),
    );
    const azureWeb = "azure:8f2c1d3e-5a6b-4c7d-9e0f-1a2b3c4d5e6f:rg-shop:vm-web-1";
    const addresses = () => {
      const state = clouds.stateOut();
      return [
        state.aws.instances.find((i) => i.InstanceId === "i-0a00000000000001")?.PublicIpAddress,
        state.azure.publicIPAddresses.find((p) => p.name === "vm-web-1PublicIP")?.ipAddress,
        state.gcp.instances.find((i) => i.name === "new-1")?.networkInterfaces[0]?.accessConfigs?.[0]?.natIP,
      ];
    };
    expect(addresses()).toEqual(["54.0.0.11", "20.0.0.50", "34.0.0.50"]);
    for (const id of [AWS_WEB, azureWeb, GCP_NEW]) applyStep(clouds, { stop: { id } });
    expect(addresses()).toEqual([undefined, undefined, undefined]);
    for (const id of [AWS_WEB, azureWeb, GCP_NEW]) applyStep(clouds, { start: { id } });
    expect(addresses()).toEqual(["54.0.0.11", "20.0.0.50", "34.0.0.50"]);
  });

  it("are not given back once another workload took them", () => {
    const clouds = fresh();
    applyStep(clouds, { stop: { id: AWS_WEB } });
    applyStep(clouds, {
      launch: { id: GCP_NEW, network: GCP_NET, privateIp: "10.3.0.50", publicIp: "54.0.0.11", tags: {} },
    });
    applyStep(clouds, { start: { id: AWS_WEB } });
    expect(clouds.workload(AWS_WEB)).toMatchObject({ state: "running" });
    expect(clouds.workload(AWS_WEB)?.publicIp).toBeUndefined();
    expect(
      clouds.aws({ account: "111111111111", region: "us-east-1" }).state().instances[0]?.PublicIpAddress,
    ).toBeUndefined();
  });

  it("of a workload that is stopped in the estate, come back when it starts", () => {
    const source = SMALL_ESTATE.replace("publicIp: 54.0.0.11,", "publicIp: 54.0.0.11, state: stopped,");
    const clouds = SimulatedClouds.fromEstate(estateOf(source));
    const region = { account: "111111111111", region: "us-east-1" };
    expect(clouds.aws(region).state().instances[0]).toMatchObject({ State: { Name: "stopped" } });
    expect(clouds.aws(region).state().instances[0]?.PublicIpAddress).toBeUndefined();
    applyStep(clouds, { start: { id: AWS_WEB } });
    expect(clouds.aws(region).state().instances[0]?.PublicIpAddress).toBe("54.0.0.11");
  });
});

describe("migrating", () => {
  it("keeps the tags, frees the old addresses and can reuse them in the same network", () => {
    const clouds = fresh();
    const tags = clouds.workload(AWS_WEB)?.tags;
    applyStep(clouds, {
      migrate: {
        from: AWS_WEB,
        to: { id: AWS_NEW, network: AWS_VPC, privateIp: "10.1.0.11", publicIp: "54.0.0.11" },
      },
    });
    const [instance] = clouds.aws({ account: "111111111111", region: "us-east-1" }).state().instances;
    expect(instance).toMatchObject({
      InstanceId: "i-0a0000000000000f1",
      PrivateIpAddress: "10.1.0.11",
      PublicIpAddress: "54.0.0.11",
    });
    expect(Object.fromEntries(instance?.Tags.map((t) => [t.Key, t.Value]) ?? [])).toEqual(tags);
    expect(clouds.workloads().map((w) => w.id)).toEqual([AWS_NEW, AZURE_API, GCP_DB]);
  });
});
