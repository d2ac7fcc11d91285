/**
 * `segsync estate export --live`: the real clouds of a live config read (describes, lists and
 * gets only: nothing here can write) and written as one Estate (docs/live.md, "Exporting your
 * estate"). Each cloud's simulator exports its places (`exportLive`,
 * sim/clouds/<cloud>/export-places.ts); this joins them, every cloud alike.
 */

import type { CloudFinding } from "../../lib/clouds/provider.js";
import type { LabelConfig } from "../../lib/inventory/labels.js";
import { CLOUDS, type Cloud } from "../../lib/inventory/model.js";
import type { LiveConnections } from "../../lib/live/connect.js";
import { compareText } from "../../lib/util/compare-text.js";
import { simulatorOf } from "../clouds/registry.js";
import type { Estate, EstateNative, EstateNetwork, EstateWorkload } from "../estate-schema.js";

export interface LiveExport {
  readonly estate: Estate;
  /** What could not be exported as it is, each about one object. */
  readonly findings: readonly CloudFinding[];
  /** Owned objects and records sealed again under the simulator's key. */
  readonly resealed: number;
  /** The places read, as `aws:ACCOUNT:REGION`, `azure:SUBSCRIPTION`, `gcp:PROJECT`. */
  readonly places: readonly string[];
}

export async function exportLive(live: LiveConnections, labels: LabelConfig): Promise<LiveExport> {
  await live.recordKey.load();
  const networks: EstateNetwork[] = [];
  const workloads: EstateWorkload[] = [];
  const findings: CloudFinding[] = [];
  const places: string[] = [];
  const native: Partial<Record<Cloud, unknown>> = {};
  let resealed = 0;
  for (const cloud of CLOUDS) {
    const part = await simulatorOf(cloud).exportLive(live.connections[cloud], live.recordKey, labels);
    networks.push(...part.networks);
    workloads.push(...part.workloads);
    findings.push(...part.findings);
    resealed += part.resealed;
    places.push(...part.places);
    if (part.configured) native[cloud] = part.native;
  }
  return {
    estate: {
      apiVersion: "segsync/v1",
      kind: "Estate",
      networks: networks.sort((a, b) => compareText(a.id, b.id)),
      workloads: workloads.sort((a, b) => compareText(a.id, b.id)),
      ...(Object.keys(native).length > 0 ? { native: native as EstateNative } : {}),
    },
    findings,
    resealed,
    places,
  };
}
