/** AWS VPC Flow Logs on the real samples of test/fixtures/flows/aws (SOURCES.md): every record, exactly. */
import { expect, describe as group, it } from "vitest";
import { connectRecords } from "../../lib/flows/connections.js";
import { FlowLogFormatError } from "../../lib/flows/errors.js";
import { parseFlowLog } from "../../lib/flows/parsers/index.js";
import { describe, describeConnection, fixture, gzippedFixture, parseAll } from "./support.js";

const V5_FIELDS =
  "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status vpc-id subnet-id instance-id tcp-flags type pkt-srcaddr pkt-dstaddr region az-id sublocation-type sublocation-id pkt-src-aws-service pkt-dst-aws-service flow-direction traffic-path";
const ECS_FIELDS =
  "ecs-cluster-arn ecs-cluster-name ecs-container-instance-arn ecs-container-instance-id ecs-container-id ecs-second-container-id ecs-service-name ecs-task-definition-arn ecs-task-arn ecs-task-id reject-reason";

const DEFAULT_V2 = [
  "1 172.31.16.139:20641 > 172.31.16.21:22 p6 accept 20/4249 by eni-1235b8ca123456789",
  "2 172.31.9.69:49761 > 172.31.9.12:3389 p6 reject 20/4249 by eni-1235b8ca123456789",
  "3 skipped: log-status NODATA: the record carries no flow",
  "4 skipped: log-status SKIPDATA: the record carries no flow",
  "5 203.0.113.12 > 172.31.16.139 p1 accept 4/336 by eni-1235b8ca123456789",
  "6 172.31.16.139 > 203.0.113.12 p1 reject 4/336 by eni-1235b8ca123456789",
  "7 2001:db8:1234:a100:8d6e:3477:df66:f105:34892 > 2001:db8:1234:a102:3304:8879:34cf:4071:22 p6 accept 54/8855 by eni-1235b8ca123456789",
];

group("AWS VPC Flow Logs, default format (version 2)", () => {
  it("reads the user guide's records: flows, NODATA and SKIPDATA skipped, ICMP without ports, IPv6", async () => {
    const parsed = await parseAll(fixture("aws/default-v2.log"));
    expect(parsed.map(describe)).toEqual(DEFAULT_V2);
    expect(parsed[0]).toEqual({
      kind: "record",
      record: {
        format: "aws",
        origin: { object: "aws/default-v2.log", line: 1 },
        start: 1418530010000,
        end: 1418530070000,
        srcAddress: "172.31.16.139",
        dstAddress: "172.31.16.21",
        srcPort: 20641,
        dstPort: 22,
        protocol: 6,
        action: "accept",
        packets: 20,
        bytes: 4249,
        reportedBy: { kind: "interface", id: "eni-1235b8ca123456789" },
      },
    });
  });

  it("reads the same records gzipped, as S3 delivery writes them", async () => {
    const parsed = await parseAll(gzippedFixture("aws/default-v2.log"));
    expect(parsed.map(describe)).toEqual(DEFAULT_V2);
    expect(
      parsed.every(
        (entry) => entry.kind !== "record" || entry.record.origin.object === "aws/default-v2.log.gz",
      ),
    ).toBe(true);
  });

  it("makes connections: SSH by its port, the ping's two records one connection of unknown direction", async () => {
    const report = await connectRecords(parseFlowLog(fixture("aws/default-v2.log")));
    expect(report.connections.map(describeConnection)).toEqual([
      "172.31.16.139 > 172.31.16.21:22 p6 accept known 1 records 20/4249 2014-12-14T04:06:50.000Z..2014-12-14T04:07:50.000Z by eni-1235b8ca123456789",
      "172.31.9.69 > 172.31.9.12:3389 p6 reject unknown 1 records 20/4249 2014-12-14T04:06:50.000Z..2014-12-14T04:07:50.000Z by eni-1235b8ca123456789",
      "172.31.16.139 > 203.0.113.12 p1 accept unknown 2 records 8/672 2015-05-29T16:30:27.000Z..2015-05-29T16:32:22.000Z by eni-1235b8ca123456789",
      "2001:db8:1234:a100:8d6e:3477:df66:f105 > 2001:db8:1234:a102:3304:8879:34cf:4071:22 p6 accept known 1 records 54/8855 2016-10-31T11:35:08.000Z..2016-10-31T11:37:00.000Z by eni-1235b8ca123456789",
    ]);
    expect([report.records, report.skipped, report.malformed]).toEqual([5, 2, 0]);
  });

  it("orients the rejected RDP record when a policy service names 3389", async () => {
    const report = await connectRecords(parseFlowLog(fixture("aws/default-v2.log")), {
      servicePorts: (protocol, port) => protocol === 6 && port === 3389,
    });
    expect(report.connections[1]).toMatchObject({
      initiatorAddress: "172.31.9.69",
      responderAddress: "172.31.9.12",
      responderPort: 3389,
      action: "reject",
      directionKnown: true,
    });
  });
});

group("AWS VPC Flow Logs, custom formats named by a header line", () => {
  it("reads the version 3 TCP flag sequence: its field order, SYN from the client, SYN-ACK back, split on any spaces", async () => {
    const parsed = await parseAll(fixture("aws/tcp-flags-v3.log"));
    expect(parsed.map(describe)).toEqual([
      "2 52.213.180.42:43416 > 10.0.0.62:5001 p6 accept 8/568 initiator src by eni-1235b8ca123456789",
      "3 10.0.0.62:5001 > 52.213.180.42:43416 p6 accept 7/376 initiator dst by eni-1235b8ca123456789",
      "4 52.213.180.42:43418 > 10.0.0.62:5001 p6 accept 70/100701 initiator src by eni-1235b8ca123456789",
      "5 10.0.0.62:5001 > 52.213.180.42:43418 p6 accept 12/632 initiator dst by eni-1235b8ca123456789",
      "6 10.0.0.62:5001 > 52.213.180.42:43418 p6 accept 1219/63388 by eni-1235b8ca123456789",
      "7 52.213.180.42:43418 > 10.0.0.62:5001 p6 accept 15774/23294588 by eni-1235b8ca123456789",
      "8 52.213.180.42:43638 > 10.0.0.62:5001 p6 accept 17/1260 initiator src by eni-1235b8ca123456789",
      "9 10.0.0.62:5001 > 52.213.180.42:43638 p6 accept 14/967 initiator dst by eni-1235b8ca123456789",
    ]);
    const report = await connectRecords(parsed);
    expect(report.connections.map(describeConnection)).toEqual([
      "52.213.180.42 > 10.0.0.62:5001 p6 accept known 2 records 15/944 2019-08-26T19:47:55.000Z..2019-08-26T19:48:53.000Z by eni-1235b8ca123456789",
      "52.213.180.42 > 10.0.0.62:5001 p6 accept known 4 records 17075/23459309 2019-08-26T19:47:55.000Z..2019-08-26T19:51:53.000Z by eni-1235b8ca123456789",
      "52.213.180.42 > 10.0.0.62:5001 p6 accept known 2 records 31/2227 2019-08-27T19:12:13.000Z..2019-08-27T19:13:13.000Z by eni-1235b8ca123456789",
    ]);
  });

  it("reads the version 5 traffic path example: flow-direction gives the interface's side, tcp-flags the initiator", async () => {
    const parsed = await parseAll(fixture("aws/traffic-path-v5.log"));
    expect(parsed.map(describe)).toEqual([
      "2 52.95.128.179:80 > 10.0.0.71:34210 p6 accept 14/15044 initiator dst by eni-1235b8ca123456789 at dst",
      "3 10.0.0.71:34210 > 52.95.128.179:80 p6 accept 7/471 initiator src by eni-1235b8ca123456789 at src",
    ]);
    const report = await connectRecords(parsed);
    expect(report.connections.map(describeConnection)).toEqual([
      "10.0.0.71 > 52.95.128.179:80 p6 accept known 2 records 21/15515 2021-03-26T03:28:12.000Z..2021-03-26T03:29:09.000Z by eni-1235b8ca123456789",
    ]);
  });

  it("reports a header without start and end (the transit gateway example) once, and reads no record of it", async () => {
    const parsed = await parseAll(fixture("aws/transit-gateway-v3.log"));
    expect(parsed.map(describe)).toEqual([
      "1 malformed: the header line lacks start, end: no record of this object is read",
    ]);
  });
});

group("AWS VPC Flow Logs without a header (CloudWatch Logs export), --aws-format", () => {
  it("reads every version 5 field in the caller's order; pkt-dstaddr wins, and the interface is not the packet's", async () => {
    const parsed = await parseAll(fixture("aws/cloudwatch-v5-all-fields.log"), "aws", {
      awsFormat: V5_FIELDS,
    });
    expect(parsed.map(describe)).toEqual([
      "1 89.160.20.156:50041 > 10.200.0.80:33004 p17 reject 52/1 by eni-069xxxxxb7a490",
    ]);
  });

  it("takes fields in the dollar-brace form the console writes, and version 8 fields it does not use", async () => {
    const format = `${V5_FIELDS} ${ECS_FIELDS}`
      .split(" ")
      .map((field) => `\${${field}}`)
      .join(" ");
    const parsed = await parseAll(fixture("aws/ecs-v8-nodata.log"), "aws", { awsFormat: format });
    expect(parsed.map(describe)).toEqual(["1 skipped: log-status NODATA: the record carries no flow"]);
  });

  it("without the format, names the field count that does not fit the default", async () => {
    const parsed = await parseAll(fixture("aws/cloudwatch-v5-all-fields.log"));
    expect(parsed.map(describe)).toEqual(["1 malformed: 29 fields where the format has 14"]);
  });

  it("refuses a format it cannot use before reading anything", () => {
    expect(() =>
      parseFlowLog(fixture("aws/default-v2.log"), "aws", { awsFormat: "srcaddr dstaddr" }),
    ).toThrow(
      new FlowLogFormatError(
        "--aws-format lacks protocol, start, end, action: its records carry no flow segsync can read",
      ),
    );
    expect(() => parseFlowLog(fixture("aws/default-v2.log"), "aws", { awsFormat: "srcaddr $dst" })).toThrow(
      FlowLogFormatError,
    );
  });
});
