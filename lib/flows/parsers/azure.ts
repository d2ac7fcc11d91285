/**
 * Azure flow log blobs (docs/flows.md, "Azure"): VNet flow logs
 * (`records[].flowRecords.flows[].flowGroups[].flowTuples[]`) and the older NSG flow logs
 * (`records[].properties.flows[].flows[].flowTuples[]`). A blob is one JSON document, read one
 * record at a time; each tuple is reported on its own line.
 */
import type { Readable } from "node:stream";
import { z } from "zod";
import type { ParsedRecord } from "../model.js";
import { nsgTuple, vnetTuple } from "./azure-tuples.js";
import { type JsonElementEvent, jsonArrayElements } from "./json-elements.js";
import { malformed } from "./parsed.js";
import { firstIssue } from "./zod-issue.js";

const tuples = z.array(z.string());

const vnetRecord = z.object({
  macAddress: z.string().optional(),
  flowRecords: z.object({
    flows: z.array(z.object({ flowGroups: z.array(z.object({ flowTuples: tuples })) })),
  }),
});

const nsgRecord = z.object({
  properties: z.object({
    flows: z.array(
      z.object({ flows: z.array(z.object({ mac: z.string().optional(), flowTuples: tuples })) }),
    ),
  }),
});

interface Tuple {
  readonly text: string;
  readonly mac: string | undefined;
  readonly read: typeof vnetTuple;
}

function recordTuples(value: unknown): Tuple[] | string {
  const isObject = typeof value === "object" && value !== null;
  if (isObject && "flowRecords" in value) {
    const vnet = vnetRecord.safeParse(value);
    if (!vnet.success) return `VNet flow log record: ${firstIssue(vnet.error)}`;
    const mac = vnet.data.macAddress;
    return vnet.data.flowRecords.flows.flatMap((flow) =>
      flow.flowGroups.flatMap((group) => group.flowTuples.map((text) => ({ text, mac, read: vnetTuple }))),
    );
  }
  if (isObject && "properties" in value) {
    const nsg = nsgRecord.safeParse(value);
    if (!nsg.success) return `NSG flow log record: ${firstIssue(nsg.error)}`;
    return nsg.data.properties.flows.flatMap((rule) =>
      rule.flows.flatMap((flow) => flow.flowTuples.map((text) => ({ text, mac: flow.mac, read: nsgTuple }))),
    );
  }
  return "a record with neither flowRecords (VNet flow log) nor properties (NSG flow log)";
}

/** The line each tuple string is on, found in the record's text in document order. */
class TupleLines {
  private at = 0;
  private line: number;

  constructor(
    private readonly text: string,
    start: number,
  ) {
    this.line = start;
  }

  of(tuple: string): number {
    const found = this.text.indexOf(JSON.stringify(tuple), this.at);
    if (found < 0) return this.line;
    for (let i = this.at; i < found; i++) if (this.text.charCodeAt(i) === 10) this.line++;
    this.at = found;
    return this.line;
  }
}

function* recordOf(
  object: string,
  event: Extract<JsonElementEvent, { kind: "element" }>,
): Generator<ParsedRecord> {
  const found = recordTuples(event.value);
  if (typeof found === "string") {
    yield malformed({ object, line: event.line }, found);
    return;
  }
  const lines = new TupleLines(event.text, event.line);
  for (const tuple of found) yield tuple.read(tuple.text, { object, line: lines.of(tuple.text) }, tuple.mac);
}

export async function* parseAzureBlob(object: string, input: Readable): AsyncGenerator<ParsedRecord> {
  for await (const event of jsonArrayElements(input, "records array")) {
    if (event.kind === "error") yield malformed({ object, line: event.line }, event.reason);
    else yield* recordOf(object, event);
  }
}
