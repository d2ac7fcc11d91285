/**
 * What is malformed (docs/flows.md): every bad record is one malformed entry naming its object,
 * line and field, never a crash, and the records around it are still read.
 */
import { expect, describe as group, it } from "vitest";
import { describe, parseAll, textObject } from "./support.js";

const GOOD_AWS =
  "2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK";
const GOOD_AWS_LINE = "172.31.16.139:20641 > 172.31.16.21:22 p6 accept 20/4249 by eni-1235b8ca123456789";

async function awsLines(...lines: string[]) {
  return (await parseAll(textObject("flows.log", lines.join("\n")), "aws")).map(describe);
}

group("AWS records that are malformed", () => {
  it("names the field, the value and the line of each bad record, and reads the good ones around them", async () => {
    expect(
      await awsLines(
        GOOD_AWS,
        "2 123456789010 eni-1 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010", // cut short
        "2 123456789010 eni-1 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK extra",
        "2 123456789010 eni-1 999.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK",
        "2 123456789010 eni-1 172.31.16.139 fe80::1%eth0 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK",
        "2 123456789010 eni-1 172.31.16.139 172.31.16.21 70000 22 6 20 4249 1418530010 1418530070 ACCEPT OK",
        "2 123456789010 eni-1 172.31.16.139 172.31.16.21 20641 22 256 20 4249 1418530010 1418530070 ACCEPT OK",
        "2 123456789010 eni-1 172.31.16.139 172.31.16.21 20641 22 6 20 99999999999999999999 1418530010 1418530070 ACCEPT OK",
        "2 123456789010 eni-1 172.31.16.139 172.31.16.21 20641 22 6 -20 4249 1418530010 1418530070 ACCEPT OK",
        "2 123456789010 eni-1 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530070 1418530010 ACCEPT OK",
        "2 123456789010 eni-1 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ALLOW OK",
        "2 123456789010 eni-1 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT BROKEN",
        "2 123456789010 eni-1 - 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK",
        "2 123456789010 eni-1 172.31.16.139 172.31.16.21 2e4 22 6 20 4249 1418530010 1418530070 ACCEPT OK",
        GOOD_AWS,
      ),
    ).toEqual([
      `1 ${GOOD_AWS_LINE}`,
      "2 malformed: 11 fields where the format has 14",
      "3 malformed: 15 fields where the format has 14",
      '4 malformed: srcaddr: "999.31.16.139" is not an IPv4 or IPv6 address',
      '5 malformed: dstaddr: "fe80::1%eth0" is not an IPv4 or IPv6 address',
      '6 malformed: srcport: "70000" is outside 0..65535',
      '7 malformed: protocol: "256" is outside 0..255',
      '8 malformed: bytes: "99999999999999999999" is outside 0..9007199254740991',
      '9 malformed: packets: "-20" is not a whole number',
      "10 malformed: end: is before start",
      '11 malformed: action: "ALLOW" is not ACCEPT or REJECT',
      '12 malformed: log-status: "BROKEN" is not OK, NODATA or SKIPDATA',
      "13 malformed: srcaddr: is missing (-)",
      '14 malformed: srcport: "2e4" is not a whole number',
      `15 ${GOOD_AWS_LINE}`,
    ]);
  });

  it("skips blank lines and reads CRLF line ends, counting lines as written", async () => {
    expect(await awsLines(GOOD_AWS, "", "   ", `${GOOD_AWS}\r`)).toEqual([
      `1 ${GOOD_AWS_LINE}`,
      `4 ${GOOD_AWS_LINE}`,
    ]);
  });

  it("reads a file cut in the middle of its last record as the records before and one malformed", async () => {
    expect(await awsLines(GOOD_AWS, GOOD_AWS.slice(0, 40))).toEqual([
      `1 ${GOOD_AWS_LINE}`,
      "2 malformed: 4 fields where the format has 14",
    ]);
  });
});

const TUPLE = "1663146003606,10.0.0.6,52.239.184.180,23956,443,6,O,E,NX,3,767,2,1580";

function vnetBlob(...tuples: string[]): string {
  const quoted = tuples.map((tuple) => `          ${JSON.stringify(tuple)}`).join(",\n");
  return [
    '{ "records": [',
    '  { "macAddress": "00224871C205", "flowRecords": { "flows": [ { "flowGroups": [ { "flowTuples": [',
    quoted,
    "  ] } ] } ] } }",
    "] }",
  ].join("\n");
}

group("Azure blobs that are malformed", () => {
  it("names each bad tuple on its own line, and reads the good ones", async () => {
    const blob = vnetBlob(
      TUPLE,
      "1663146003606,10.0.0.6,52.239.184.180,23956,443,6,O,E,NX,3,767",
      "1663146003606,10.0.0.6,52.239.184.999,23956,443,6,O,E,NX,3,767,2,1580",
      "1663146003606,10.0.0.6,52.239.184.180,23956,443,6,X,E,NX,3,767,2,1580",
      "1663146003606,10.0.0.6,52.239.184.180,23956,443,6,O,Q,NX,3,767,2,1580",
      "1663146003606,10.0.0.6,52.239.184.180,23956,443,6,O,E,NX,3,767,2,99999999999999999999",
      "soon,10.0.0.6,52.239.184.180,23956,443,6,O,E,NX,3,767,2,1580",
    );
    expect((await parseAll(textObject("blob.json", blob))).map(describe)).toEqual([
      "3 10.0.0.6:23956 > 52.239.184.180:443 p6 accept 3/767 reply 2/1580 initiator src by 00224871C205 at src",
      "4 malformed: flow tuple has 11 fields where VNet flow logs have 13",
      '5 malformed: flow tuple destination IP: "52.239.184.999" is not an IPv4 or IPv6 address',
      '6 malformed: flow tuple direction: "X" is not I or O',
      '7 malformed: flow tuple flow state: "Q" is not B, C, E or D',
      '8 malformed: flow tuple bytes received: "99999999999999999999" is outside 0..9007199254740991',
      '9 malformed: flow tuple time: "soon" is not a whole number',
    ]);
  });

  it("reports a blob that is not JSON as one malformed entry, never a crash", async () => {
    expect(
      (await parseAll(textObject("blob.json", "<Error>AuthorizationFailure</Error>"), "azure")).map(describe),
    ).toEqual(['1 malformed: not a JSON object: it starts with "<"']);
  });

  it("reads the records before a blob cut short, then says it was cut", async () => {
    const blob = vnetBlob(TUPLE);
    const cut = `${blob.slice(0, -4)},\n  { "macAddress": "00`;
    expect((await parseAll(textObject("blob.json", cut), "azure")).map(describe)).toEqual([
      "3 10.0.0.6:23956 > 52.239.184.180:443 p6 accept 3/767 reply 2/1580 initiator src by 00224871C205 at src",
      "5 malformed: the JSON document ends before it is closed (cut short?)",
    ]);
  });

  it("names the path of a value of the wrong type in a record", async () => {
    const blob = '{"records": [{"flowRecords": {"flows": [{"flowGroups": [{"flowTuples": [42]}]}]}}]}';
    expect((await parseAll(textObject("blob.json", blob))).map(describe)).toEqual([
      "1 malformed: VNet flow log record: flowRecords.flows.0.flowGroups.0.flowTuples.0: Invalid input: expected string, received number",
    ]);
  });

  it("reports a JSON object without records", async () => {
    expect((await parseAll(textObject("blob.json", '{"value": []}'), "azure")).map(describe)).toEqual([
      "1 malformed: the JSON document has no records array",
    ]);
  });
});

const ENTRY = {
  jsonPayload: {
    connection: { src_ip: "10.0.0.1", dest_ip: "10.0.0.2", src_port: 40000, dest_port: 443, protocol: 6 },
    reporter: "SRC",
    bytes_sent: "100",
    packets_sent: "2",
    start_time: "2024-01-01T00:00:00.123456789Z",
    end_time: "2024-01-01T00:00:01Z",
  },
};

function entryWith(change: (payload: Record<string, unknown>) => void): string {
  const copy = structuredClone(ENTRY) as { jsonPayload: Record<string, unknown> };
  change(copy.jsonPayload);
  return JSON.stringify(copy);
}

group("GCP entries that are malformed", () => {
  it("names the field of each bad entry, and reads the good ones", async () => {
    const lines = [
      JSON.stringify(ENTRY),
      '{"jsonPayload": {"connection": ',
      entryWith((p) => {
        (p.connection as Record<string, unknown>).src_ip = "10.0.0";
      }),
      entryWith((p) => {
        p.bytes_sent = "-1";
      }),
      entryWith((p) => {
        p.bytes_sent = true;
      }),
      entryWith((p) => {
        (p.connection as Record<string, unknown>).dest_port = 1.5;
      }),
      entryWith((p) => {
        p.start_time = "yesterday";
      }),
      entryWith((p) => {
        p.disposition = "MAYBE";
      }),
      JSON.stringify({ textPayload: "not a flow" }),
    ];
    expect((await parseAll(textObject("entries.jsonl", lines.join("\n")), "gcp")).map(describe)).toEqual([
      "1 10.0.0.1:40000 > 10.0.0.2:443 p6 accept 2/100 at src",
      expect.stringMatching(/^2 malformed: not JSON: /),
      '3 malformed: connection.src_ip: "10.0.0" is not an IPv4 or IPv6 address',
      '4 malformed: jsonPayload.bytes_sent: "-1" is not a whole number',
      "5 malformed: Cloud Logging entry: jsonPayload.bytes_sent: Invalid input",
      '6 malformed: connection.dest_port: "1.5" is not a whole number',
      '7 malformed: jsonPayload.start_time: "yesterday" is not an RFC 3339 time',
      '8 malformed: jsonPayload.disposition: "MAYBE" is not ALLOWED or DENIED',
      "9 malformed: Cloud Logging entry: jsonPayload: Invalid input: expected object, received undefined",
    ]);
  });

  it("reports an array element that is not JSON and reads the next ones", async () => {
    const text = `[\n${JSON.stringify(ENTRY)},\n{oops},\n${JSON.stringify(ENTRY)}\n]`;
    expect((await parseAll(textObject("entries.json", text))).map(describe)).toEqual([
      "2 10.0.0.1:40000 > 10.0.0.2:443 p6 accept 2/100 at src",
      expect.stringMatching(/^3 malformed: not JSON: /),
      "4 10.0.0.1:40000 > 10.0.0.2:443 p6 accept 2/100 at src",
    ]);
  });
});
