/**
 * One cloud's part of `estate export --live` (docs/live.md, "Exporting your estate"), gathered
 * place by place: each simulator's `exportLive` (sim/clouds/<cloud>/export-places.ts) fills one,
 * and sim/export/live.ts joins every cloud's.
 */
import { type Sealer, SIMULATOR_RECORD_KEY } from "../../../lib/clouds/common/seals.js";
import type { CloudFinding } from "../../../lib/clouds/provider.js";
import type { EstateParts } from "./export.js";

/** One cloud's part of the export, over every place of it that the live config names. */
export interface CloudExport<Native> extends EstateParts<Native> {
  /** The places read, as `aws:ACCOUNT:REGION`, `azure:SUBSCRIPTION`, `gcp:PROJECT`. */
  readonly places: readonly string[];
  /** Whether the live config names a place of this cloud: only then is its `native` block written. */
  readonly configured: boolean;
}

/** A cloud's export being filled place by place. */
export type CloudExportInProgress<Native> = CloudExport<Native> & { places: string[]; resealed: number };

/**
 * A cloud's ownership twice: under the live record key, to know what is segsync's in the cloud
 * read, and under the simulator's, to seal it again for the Estate file.
 */
export function exportOwners<Ownership>(
  ownership: (key: Sealer) => Ownership,
  recordKey: Sealer,
): { readonly live: Ownership; readonly simulator: Ownership } {
  return { live: ownership(recordKey), simulator: ownership(SIMULATOR_RECORD_KEY) };
}

/** An empty part of `Native`'s shape, each of its lists to be filled place by place. */
export function emptyExport<Native>(
  native: Required<Native>,
  configured: boolean,
): CloudExportInProgress<Native> {
  return { networks: [], workloads: [], native, findings: [], resealed: 0, places: [], configured };
}

/** Appends one place's parts (and the findings of reading it) to the cloud's export. */
export function appendPlace<Native extends { [K in keyof Native]: unknown[] }>(
  into: CloudExportInProgress<Native>,
  parts: EstateParts<Native>,
  readFindings: readonly CloudFinding[],
): void {
  into.networks.push(...parts.networks);
  into.workloads.push(...parts.workloads);
  for (const key of Object.keys(into.native) as (keyof Native)[]) into.native[key].push(...parts.native[key]);
  into.findings.push(...readFindings, ...parts.findings);
  into.resealed += parts.resealed;
}
