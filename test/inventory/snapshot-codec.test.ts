import { createHash } from "node:crypto";
import { gzipSync } from "node:zlib";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compile, serializeIntent } from "../../lib/compile/compile.js";
import { IncrementalCompiler } from "../../lib/compile/incremental.js";
import { InventorySnapshotError } from "../../lib/inventory/errors.js";
import { inventoryOf } from "../../lib/inventory/records.js";
import { WorkloadSchema } from "../../lib/inventory/schema.js";
import {
  decodeSnapshot,
  encodeSnapshot,
  MAX_RAW_BYTES,
  parseManifest,
  SNAPSHOT_FORMAT,
  type SnapshotContent,
  type SnapshotManifest,
} from "../../lib/inventory/snapshot-codec.js";
import { applyChanges, changeArb, inventoryArb, policyArb } from "../compile/arbitraries.js";
import { AWS_VPC, awsWeb, azureApi, gcpDb, NETWORKS } from "./fixtures.js";

const CONTENT: SnapshotContent = {
  revision: 7,
  records: [
    { workload: awsWeb(), revision: 3 },
    { workload: azureApi(), revision: 1 },
    { workload: gcpDb(), revision: 12 },
  ],
  networks: NETWORKS,
};

function refusal(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(InventorySnapshotError);
    return (error as Error).message;
  }
  throw new Error("the snapshot was accepted");
}

/** A snapshot whose document is `document`, with a manifest that matches its bytes. */
function forged(document: unknown, counts = { workloads: 1, networks: 0 }) {
  const raw = Buffer.from(JSON.stringify(document));
  const compressed = gzipSync(raw);
  const manifest: SnapshotManifest = {
    format: SNAPSHOT_FORMAT,
    revision: 7,
    chunks: 1,
    bytes: compressed.length,
    rawBytes: raw.length,
    sha256: createHash("sha256").update(compressed).digest("hex"),
    ...counts,
  };
  return { manifest, chunks: [compressed] };
}

describe("the compact inventory snapshot", () => {
  it("round-trips the records, their revisions and the networks, in chunks of the size asked", () => {
    const { manifest, chunks } = encodeSnapshot(CONTENT, 100);
    expect(chunks.length).toBe(Math.ceil(manifest.bytes / 100));
    expect(chunks.every((chunk) => chunk.length <= 100)).toBe(true);
    expect(manifest).toMatchObject({ revision: 7, workloads: 3, networks: NETWORKS.length });
    expect(parseManifest(JSON.stringify(manifest))).toEqual(manifest);
    const decoded = decodeSnapshot(manifest, chunks);
    expect(decoded).toEqual(CONTENT);
    expect(Object.isFrozen(decoded.records[0]?.workload.nics[0])).toBe(true);
  });

  it("refuses chunks that do not hash to the manifest's sha256", () => {
    const { manifest, chunks } = encodeSnapshot(CONTENT, 100);
    const flipped = chunks.map((chunk) => Uint8Array.from(chunk));
    const second = flipped[1] as Uint8Array;
    second[5] = (second[5] as number) ^ 0xff;
    expect(refusal(() => decodeSnapshot(manifest, flipped))).toMatch(/sha256/);
  });

  it("refuses a truncated snapshot: a chunk missing, too few chunks, or a short chunk", () => {
    const { manifest, chunks } = encodeSnapshot(CONTENT, 100);
    expect(refusal(() => decodeSnapshot(manifest, [chunks[0], undefined, ...chunks.slice(2)]))).toMatch(
      /chunk 1 is missing/,
    );
    expect(refusal(() => decodeSnapshot(manifest, chunks.slice(0, -1)))).toMatch(/chunks, its manifest says/);
    const short = [...chunks.slice(0, -1), (chunks.at(-1) as Uint8Array).subarray(1)];
    expect(refusal(() => decodeSnapshot(manifest, short))).toMatch(/bytes, its manifest says/);
  });

  it("refuses a manifest that is not one", () => {
    expect(refusal(() => parseManifest("{"))).toMatch(/not JSON/);
    const { manifest } = encodeSnapshot(CONTENT, 100);
    expect(refusal(() => parseManifest(JSON.stringify({ ...manifest, sha256: "abc" })))).toMatch(/sha256/);
    expect(refusal(() => parseManifest(JSON.stringify({ ...manifest, revision: 0 })))).toMatch(/revision/);
    expect(refusal(() => parseManifest(JSON.stringify({ ...manifest, extra: 1 })))).toMatch(/extra/);
    const huge = { ...manifest, rawBytes: MAX_RAW_BYTES + 1 };
    expect(refusal(() => parseManifest(JSON.stringify(huge)))).toMatch(/more than a function can inflate/);
  });

  it("refuses a forged document whose hash matches: an invalid workload, a repeated id, another revision", () => {
    const document = (workloads: unknown[], revision = 7) => ({
      format: SNAPSHOT_FORMAT,
      revision,
      workloads,
      networks: [],
    });
    const badIp = {
      revision: 1,
      workload: awsWeb({ nics: [{ network: AWS_VPC, privateIp: "10.1.0.300" }] }),
    };
    const bad = forged(document([badIp]));
    expect(refusal(() => decodeSnapshot(bad.manifest, bad.chunks))).toMatch(/privateIp/);
    const twice = forged(document([CONTENT.records[0], CONTENT.records[0]]), { workloads: 2, networks: 0 });
    expect(refusal(() => decodeSnapshot(twice.manifest, twice.chunks))).toMatch(/listed twice/);
    const other = forged(document([CONTENT.records[0]], 6));
    expect(refusal(() => decodeSnapshot(other.manifest, other.chunks))).toMatch(/revision 6/);
    const miscounted = forged(document([CONTENT.records[0]]), { workloads: 2, networks: 0 });
    expect(refusal(() => decodeSnapshot(miscounted.manifest, miscounted.chunks))).toMatch(/counts/);
  });

  it("refuses a document that inflates past the size its manifest states", () => {
    const big = forged({
      format: SNAPSHOT_FORMAT,
      revision: 7,
      workloads: [],
      networks: [],
      pad: "x".repeat(10_000),
    });
    const manifest = { ...big.manifest, rawBytes: 1_000 };
    expect(refusal(() => decodeSnapshot(manifest, big.chunks))).toMatch(/decompress/);
  });

  it("rebuilds a compiler equal to a full compile of the inventory it was taken from", () => {
    fc.assert(
      fc.property(
        policyArb,
        inventoryArb,
        fc.array(changeArb, { maxLength: 6 }),
        fc.integer({ min: 1, max: 400 }),
        (policy, inventory, changes, chunkBytes) => {
          // Only what a store accepts: the arbitraries also make workloads with another cloud's NICs.
          const changed = applyChanges(inventory, changes);
          const workloads = changed.workloads.filter(
            (workload) => WorkloadSchema.safeParse(workload).success,
          );
          const current = { ...changed, workloads };
          const records = current.workloads.map((workload, index) => ({ workload, revision: index + 1 }));
          const content = { revision: changes.length + 1, records, networks: current.networks };
          const { manifest, chunks } = encodeSnapshot(content, chunkBytes);
          const decoded = decodeSnapshot(parseManifest(JSON.stringify(manifest)), chunks);
          const rebuilt = IncrementalCompiler.build(policy, inventoryOf(decoded.records, decoded.networks));
          expect(serializeIntent(rebuilt.snapshot())).toBe(serializeIntent(compile(policy, current)));
        },
      ),
      { numRuns: 200 },
    );
  });
});
