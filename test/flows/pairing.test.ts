/**
 * A connection logged at both ends has the outcome of its path (docs/flows.md, "Connections"):
 * the request as the responder's end saw it, else as the initiator's end saw it. Records in each
 * cloud's format, built on the clouds' documented examples (test/fixtures/flows/SOURCES.md,
 * "Built for the pairing tests").
 */
import { expect, describe as group, it } from "vitest";
import { connectRecords } from "../../lib/flows/connections.js";
import type { FlowLogFormat } from "../../lib/flows/model.js";
import { parseAll, textObject } from "./support.js";

async function connectText(format: FlowLogFormat, name: string, text: string) {
  const parsed = await parseAll(textObject(name, text), format);
  expect(parsed.filter((entry) => entry.kind !== "record")).toEqual([]);
  return (await connectRecords(parsed)).connections;
}

/** The AWS user guide's version 5 example format ("Service name, traffic path, and flow direction"). */
const AWS_HEADER =
  "version srcaddr dstaddr srcport dstport protocol start end type packets bytes account-id vpc-id subnet-id instance-id interface-id region az-id sublocation-type sublocation-id action tcp-flags pkt-srcaddr pkt-dstaddr pkt-src-aws-service pkt-dst-aws-service traffic-path flow-direction log-status";

/** One record of that format: `src > dst` on the interface `eni`, with its action, flags and direction. */
function awsLine(
  src: string,
  dst: string,
  eni: string,
  action: "ACCEPT" | "REJECT",
  flags: number,
  direction: "ingress" | "egress",
): string {
  const [srcaddr, srcport] = src.split(":");
  const [dstaddr, dstport] = dst.split(":");
  return [
    5,
    srcaddr,
    dstaddr,
    srcport,
    dstport,
    6,
    1616729292,
    1616729349,
    "IPv4",
    1,
    60,
    "123456789012",
    "vpc-abcdefab012345678",
    "subnet-aaaaaaaa012345678",
    `i-${eni.slice(4)}`,
    eni,
    "ap-southeast-2",
    "apse2-az3",
    "-",
    "-",
    action,
    flags,
    srcaddr,
    dstaddr,
    "-",
    "-",
    "-",
    direction,
    "OK",
  ].join(" ");
}

const CLIENT = "10.0.0.71:34210";
const SERVER = "10.0.0.80:443";
const CLIENT_ENI = "eni-1235b8ca123456789";
const SERVER_ENI = "eni-0f00b8ca123456789";
const SYN = 2;
const SYN_ACK = 18;

async function aws(...lines: string[]) {
  return connectText("aws", "pairing.log", [AWS_HEADER, ...lines, ""].join("\n"));
}

group("the outcome of a connection logged at both ends (AWS)", () => {
  it("is rejected when the source's egress accepted the SYN and the destination rejected it", async () => {
    const connections = await aws(
      awsLine(CLIENT, SERVER, CLIENT_ENI, "ACCEPT", SYN, "egress"),
      awsLine(CLIENT, SERVER, SERVER_ENI, "REJECT", SYN, "ingress"),
    );
    expect(connections).toHaveLength(1);
    expect(connections[0]).toMatchObject({
      initiatorAddress: "10.0.0.71",
      responderAddress: "10.0.0.80",
      responderPort: 443,
      action: "reject",
      request: { atResponder: "reject", atInitiator: "accept" },
      records: 2,
    });
    expect(connections[0]?.reportedBy.map((each) => each.id)).toEqual([SERVER_ENI, CLIENT_ENI].sort());
  });

  it("is decided by the source's egress when the destination did not log it", async () => {
    const rejected = await aws(awsLine(CLIENT, SERVER, CLIENT_ENI, "REJECT", SYN, "egress"));
    expect(rejected[0]?.action).toBe("reject");
    const accepted = await aws(awsLine(CLIENT, SERVER, CLIENT_ENI, "ACCEPT", SYN, "egress"));
    expect(accepted[0]?.action).toBe("accept");
  });

  it("stays accepted when only the reply was rejected (a network ACL on the way back)", async () => {
    const connections = await aws(
      awsLine(CLIENT, SERVER, SERVER_ENI, "ACCEPT", SYN, "ingress"),
      awsLine(SERVER, CLIENT, SERVER_ENI, "REJECT", SYN_ACK, "egress"),
    );
    expect(connections[0]).toMatchObject({ initiatorAddress: "10.0.0.71", action: "accept" });
  });

  it("is not turned accepted by a forged ACCEPT from a third interface claiming either end", async () => {
    const forged = "eni-0badb8ca123456789";
    for (const direction of ["ingress", "egress"] as const) {
      const connections = await aws(
        awsLine(CLIENT, SERVER, SERVER_ENI, "REJECT", SYN, "ingress"),
        awsLine(CLIENT, SERVER, forged, "ACCEPT", SYN, direction),
      );
      expect(connections, direction).toHaveLength(1);
      expect(connections[0]?.action, direction).toBe("reject");
    }
  });

  it("keeps today's rule where no record says its end (no flow-direction): accepted when any is", async () => {
    const header =
      "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status tcp-flags";
    const line = (eni: string, action: string) =>
      `2 123456789012 ${eni} 10.0.0.71 10.0.0.80 34210 443 6 1 60 1616729292 1616729349 ${action} OK 2`;
    const connections = await connectText(
      "aws",
      "v3.log",
      [header, line(CLIENT_ENI, "ACCEPT"), line(SERVER_ENI, "REJECT"), ""].join("\n"),
    );
    expect(connections[0]?.action).toBe("accept");
  });
});

/** A VNet flow log blob of one record, as in Microsoft Learn's sample, with the given tuples. */
function azureBlob(mac: string, rule: string, tuples: readonly string[]): string {
  return JSON.stringify({
    records: [
      {
        time: "2022-09-14T09:00:52.5625085Z",
        flowLogVersion: 4,
        flowLogGUID: "abcdef01-2345-6789-0abc-def012345678",
        macAddress: mac,
        category: "FlowLogFlowEvent",
        flowLogResourceID:
          "/SUBSCRIPTIONS/00000000-0000-0000-0000-000000000000/RESOURCEGROUPS/NETWORKWATCHERRG/PROVIDERS/MICROSOFT.NETWORK/NETWORKWATCHERS/NETWORKWATCHER_EASTUS2EUAP/FLOWLOGS/VNETFLOWLOG",
        targetResourceID:
          "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/myResourceGroup/providers/Microsoft.Network/virtualNetworks/myVNet",
        operationName: "FlowLogFlowEvent",
        flowRecords: {
          flows: [
            { aclID: "00000000-1234-abcd-ef00-c1c2c3c4c5c6", flowGroups: [{ rule, flowTuples: tuples }] },
          ],
        },
      },
    ],
  });
}

group("the outcome of a connection logged at both ends (Azure)", () => {
  it("is rejected when the source's NSG let it out and the destination's denied it", async () => {
    const source = azureBlob("00224871C205", "DefaultRule_AllowVnetOutBound", [
      "1663146003599,10.0.0.6,10.0.1.9,23956,443,6,O,B,NX,0,0,0,0",
      "1663146003606,10.0.0.6,10.0.1.9,23956,443,6,O,E,NX,1,60,0,0",
    ]);
    const destination = azureBlob("00224871C206", "UserRule_DenyHttps", [
      "1663146003601,10.0.0.6,10.0.1.9,23956,443,6,I,D,NX,0,0,0,0",
    ]);
    const connections = await connectText("azure", "both.json", `${source}\n`);
    expect(connections[0]?.action).toBe("accept");
    const parsed = [
      ...(await parseAll(textObject("source.json", source), "azure")),
      ...(await parseAll(textObject("destination.json", destination), "azure")),
    ];
    const both = (await connectRecords(parsed)).connections;
    expect(both).toHaveLength(1);
    expect(both[0]).toMatchObject({ initiatorAddress: "10.0.0.6", responderPort: 443, action: "reject" });
  });
});

/** A VPC Flow Logs entry as in the Elastic Beats sample, reported by the source instance. */
function gcpSent(instance: string): string {
  return JSON.stringify({
    insertId: "ut8lbrffooxyw",
    jsonPayload: {
      bytes_sent: "60",
      connection: {
        dest_ip: "10.87.40.80",
        dest_port: 443,
        protocol: 6,
        src_ip: "10.87.40.76",
        src_port: 33478,
      },
      end_time: "2019-06-14T03:45:37.301953198Z",
      packets_sent: "1",
      reporter: "SRC",
      src_instance: {
        project_id: "my-sample-project",
        region: "us-east1",
        vm_name: instance,
        zone: "us-east1-b",
      },
      src_vpc: { project_id: "my-sample-project", subnetwork_name: "default", vpc_name: "default" },
      start_time: "2019-06-14T03:45:37.186193305Z",
    },
    logName: "projects/my-sample-project/logs/compute.googleapis.com%2Fvpc_flows",
    timestamp: "2019-06-14T03:50:10.845445834Z",
  });
}

/** A Firewall Rules Logging entry as in the Elastic Beats sample: an ingress rule denied it. */
function gcpDenied(instance: string): string {
  return JSON.stringify({
    insertId: "4zuj4nfn4llkc",
    jsonPayload: {
      connection: {
        dest_ip: "10.87.40.80",
        dest_port: 443,
        protocol: 6,
        src_ip: "10.87.40.76",
        src_port: 33478,
      },
      disposition: "DENIED",
      instance: {
        project_id: "my-sample-project",
        region: "us-east1",
        vm_name: instance,
        zone: "us-east1-b",
      },
      rule_details: {
        action: "DENY",
        direction: "INGRESS",
        ip_port_info: [{ ip_protocol: "ALL" }],
        priority: 1000,
        reference: "network:default/firewall:deny-https",
      },
      vpc: { project_id: "my-sample-project", subnetwork_name: "default", vpc_name: "default" },
    },
    logName: "projects/my-sample-project/logs/compute.googleapis.com%2Ffirewall",
    timestamp: "2019-06-14T03:45:37.2Z",
  });
}

group("the outcome of a connection logged at both ends (GCP)", () => {
  it("is rejected when the source sent it and the destination's firewall denied it", async () => {
    const connections = await connectText("gcp", "both.jsonl", `${gcpSent("kibana")}\n${gcpDenied("web")}\n`);
    expect(connections).toHaveLength(1);
    expect(connections[0]).toMatchObject({
      initiatorAddress: "10.87.40.76",
      responderPort: 443,
      action: "reject",
    });
  });

  it("is not turned accepted by a third instance's forged entry claiming to have sent it", async () => {
    const connections = await connectText(
      "gcp",
      "forged.jsonl",
      `${gcpSent("intruder")}\n${gcpDenied("web")}\n`,
    );
    expect(connections[0]?.action).toBe("reject");
    const alone = await connectText("gcp", "sent.jsonl", `${gcpSent("kibana")}\n`);
    expect(alone[0]?.action).toBe("accept");
  });
});

group("the outcome of a lone direction of unknown opener", () => {
  it("is the request as the receiving end saw it: an ICMP echo the destination rejected after the source sent it", async () => {
    const line = (eni: string, action: string, direction: string) =>
      `5 10.0.0.71 10.0.0.80 0 0 1 1616729292 1616729349 IPv4 1 84 123456789012 vpc-abcdefab012345678 subnet-aaaaaaaa012345678 i-0 ${eni} ap-southeast-2 apse2-az3 - - ${action} 0 10.0.0.71 10.0.0.80 - - - ${direction} OK`;
    const connections = await aws(
      line(CLIENT_ENI, "ACCEPT", "egress"),
      line(SERVER_ENI, "REJECT", "ingress"),
    );
    expect(connections[0]).toMatchObject({ directionKnown: false, action: "reject" });
  });
});
