import { text } from "node:stream/consumers";
import type { LogObject } from "../../lib/flows/model.js";

/** Every object of a listing, in order. */
export async function collect(objects: AsyncIterable<LogObject>): Promise<LogObject[]> {
  const all: LogObject[] = [];
  for await (const object of objects) all.push(object);
  return all;
}

/** An object's plain text, read through to its end. */
export async function contents(object: LogObject): Promise<string> {
  return text(await object.open());
}

/** Each object's name and text, for comparing a whole listing at once. */
export async function namesAndTexts(objects: AsyncIterable<LogObject>): Promise<[string, string][]> {
  const read: [string, string][] = [];
  for (const object of await collect(objects)) read.push([object.name, await contents(object)]);
  return read;
}

/** Two AWS VPC Flow Logs v2 records (docs' own example shape) and a header line. */
export const AWS_RECORDS = [
  "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status",
  "2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK",
  "2 123456789010 eni-1235b8ca123456789 172.31.9.69 172.31.9.12 49761 3389 6 20 4249 1418530010 1418530070 REJECT OK",
].join("\n");
