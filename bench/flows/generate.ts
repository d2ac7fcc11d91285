/**
 * Generated flow logs for the flows section, written as a stream (never held in memory): records
 * that cycle over a fixed set of connections, both directions of each, so that the distinct
 * connections (what the aggregation holds) stay the same however many records are written.
 */
import { createWriteStream } from "node:fs";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { FlowLogFormat } from "../../lib/flows/model.js";

/** Distinct connections in every generated log. */
export const GENERATED_CONNECTIONS = 20_000;
const LINES_PER_CHUNK = 2_000;
const TUPLES_PER_AZURE_RECORD = 1_000;
const SERVICE_PORTS = [443, 5432, 8080, 22] as const;
const START = 1_733_000_000;

/** Connection `c` of the set: a client in 10.1/16, a server in 10.2/16, on a service port. */
function connection(c: number) {
  return {
    client: `10.1.${(c >> 8) & 255}.${c & 255}`,
    server: `10.2.${(c >> 10) & 255}.${(c >> 2) & 255}`,
    clientPort: 32_768 + (c % 28_000),
    serverPort: SERVICE_PORTS[c % SERVICE_PORTS.length] as number,
  };
}

/** Record `r`: its connection, and whether it is the reply direction. */
function flowOf(r: number) {
  const conn = connection(r % GENERATED_CONNECTIONS);
  const reply = Math.floor(r / GENERATED_CONNECTIONS) % 2 === 1;
  return reply
    ? { src: conn.server, dst: conn.client, srcPort: conn.serverPort, dstPort: conn.clientPort, ...conn }
    : { src: conn.client, dst: conn.server, srcPort: conn.clientPort, dstPort: conn.serverPort, ...conn };
}

/** The interface that captured the record: the sender's, one per address, as in a VPC flow log. */
function eniOf(address: string): string {
  return `eni-0${address.replaceAll(".", "").padStart(16, "0")}`;
}

function awsLine(r: number): string {
  const f = flowOf(r);
  const start = START + Math.floor(r / 1000);
  return `2 123456789012 ${eniOf(f.src)} ${f.src} ${f.dst} ${f.srcPort} ${f.dstPort} 6 ${1 + (r % 50)} ${100 + (r % 9000)} ${start} ${start + 60} ${r % 97 === 0 ? "REJECT" : "ACCEPT"} OK\n`;
}

function gcpLine(r: number): string {
  const f = flowOf(r);
  const start = new Date((START + Math.floor(r / 1000)) * 1000).toISOString();
  const end = new Date((START + Math.floor(r / 1000) + 5) * 1000).toISOString();
  const vm = `{"project_id":"bench","zone":"europe-west1-b","vm_name":"vm-${f.src.replaceAll(".", "-")}"}`;
  return `{"insertId":"${r.toString(36)}","jsonPayload":{"bytes_sent":"${100 + (r % 9000)}","connection":{"dest_ip":"${f.dst}","dest_port":${f.dstPort},"protocol":6,"src_ip":"${f.src}","src_port":${f.srcPort}},"end_time":"${end}","packets_sent":"${1 + (r % 50)}","reporter":"SRC","src_instance":${vm},"start_time":"${start}"},"logName":"projects/bench/logs/compute.googleapis.com%2Fvpc_flows","resource":{"type":"gce_subnetwork"},"timestamp":"${end}"}\n`;
}

function azureTuple(r: number): string {
  const f = flowOf(r);
  return `"${(START + Math.floor(r / 1000)) * 1000},${f.src},${f.dst},${f.srcPort},${f.dstPort},6,O,${r % 97 === 0 ? "D" : "E"},NX,${1 + (r % 50)},${100 + (r % 9000)},${r % 40},${r % 7000}"`;
}

function azureRecordStart(index: number): string {
  return `${index === 0 ? "" : ","}\n{"time":"2024-12-01T00:00:00Z","flowLogVersion":4,"macAddress":"00224871C205","category":"FlowLogFlowEvent","operationName":"FlowLogFlowEvent","flowRecords":{"flows":[{"aclID":"bench","flowGroups":[{"rule":"DefaultRule_AllowInternetOutBound","flowTuples":[\n`;
}

/** The text of `records` records in the format, in chunks. */
function* chunks(format: FlowLogFormat, records: number): Generator<string> {
  if (format === "azure") yield '{"records":[';
  for (let from = 0; from < records; from += LINES_PER_CHUNK) {
    const parts: string[] = [];
    for (let r = from; r < Math.min(records, from + LINES_PER_CHUNK); r++) {
      if (format === "aws") parts.push(awsLine(r));
      else if (format === "gcp") parts.push(gcpLine(r));
      else {
        if (r % TUPLES_PER_AZURE_RECORD === 0) parts.push(azureRecordStart(r / TUPLES_PER_AZURE_RECORD));
        const last = r % TUPLES_PER_AZURE_RECORD === TUPLES_PER_AZURE_RECORD - 1 || r === records - 1;
        parts.push(azureTuple(r), last ? "]}]}]}}" : ",\n");
      }
    }
    yield parts.join("");
  }
  if (format === "azure") yield "\n]}\n";
}

/** Writes a generated log of `records` records to `path`, streamed. */
export async function writeGeneratedLog(
  path: string,
  format: FlowLogFormat,
  records: number,
): Promise<number> {
  const out = createWriteStream(path);
  await pipeline(Readable.from(chunks(format, records)), out);
  return out.bytesWritten;
}
