/**
 * `segsync estate export --live`: the real clouds of a live config read (describes, lists and
 * gets only: nothing here can write) and written as one Estate (docs/live.md, "Exporting your
 * estate"). Each cloud's folder maps what it read (lib/clouds/<cloud>/export.ts); this joins them.
 */

import { locationKey } from "../../lib/clouds/aws/model.js";
import { AwsOwnership } from "../../lib/clouds/aws/ownership.js";
import { AzureOwnership } from "../../lib/clouds/azure/ownership.js";
import { SIMULATOR_RECORD_KEY } from "../../lib/clouds/common/seals.js";
import { GcpOwnership } from "../../lib/clouds/gcp/ownership.js";
import { projectsToRead } from "../../lib/clouds/gcp/service-projects.js";
import type { CloudFinding } from "../../lib/clouds/provider.js";
import type { LabelConfig } from "../../lib/inventory/labels.js";
import { CLOUDS, type Cloud } from "../../lib/inventory/model.js";
import type { LiveConnections } from "../../lib/live/connect.js";
import { compareText } from "../../lib/util/compare-text.js";
import { exportAws } from "../clouds/aws/export.js";
import { readAwsForExport } from "../clouds/aws/export-read.js";
import type { NativeAws } from "../clouds/aws/native-schema.js";
import { exportAzure } from "../clouds/azure/export.js";
import { readAzureForExport } from "../clouds/azure/export-read.js";
import type { NativeAzure } from "../clouds/azure/native-schema.js";
import type { EstateParts } from "../clouds/common/export.js";
import { exportGcp } from "../clouds/gcp/export.js";
import { readGcpForExport } from "../clouds/gcp/export-read.js";
import type { NativeGcp } from "../clouds/gcp/native-schema.js";
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

/** One cloud's part of the export, over every place of it that the live config names. */
interface CloudExport<Native> extends EstateParts<Native> {
  readonly places: readonly string[];
  /** Whether the live config names a place of this cloud: only then is its `native` block written. */
  readonly configured: boolean;
}

type CloudExporter<Native> = (live: LiveConnections, labels: LabelConfig) => Promise<CloudExport<Native>>;

const CLOUD_EXPORTERS: { readonly [C in Cloud]: CloudExporter<NonNullable<EstateNative[C]>> } = {
  aws: exportAwsPlaces,
  azure: exportAzurePlaces,
  gcp: exportGcpPlaces,
};

export async function exportLive(live: LiveConnections, labels: LabelConfig): Promise<LiveExport> {
  await live.recordKey.load();
  const networks: EstateNetwork[] = [];
  const workloads: EstateWorkload[] = [];
  const findings: CloudFinding[] = [];
  const places: string[] = [];
  const native: Partial<Record<Cloud, unknown>> = {};
  let resealed = 0;
  for (const cloud of CLOUDS) {
    const part: CloudExport<object> = await CLOUD_EXPORTERS[cloud](live, labels);
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

/** An empty part of `Native`'s shape, each of its lists to be filled place by place. */
function emptyExport<Native>(
  native: Required<Native>,
  configured: boolean,
): CloudExport<Native> & {
  places: string[];
  resealed: number;
} {
  return { networks: [], workloads: [], native, findings: [], resealed: 0, places: [], configured };
}

/** Appends one place's parts (and the findings of reading it) to the cloud's export. */
function append<Native extends { [K in keyof Native]: unknown[] }>(
  into: CloudExport<Native> & { resealed: number },
  parts: EstateParts<Native>,
  readFindings: readonly CloudFinding[],
): void {
  into.networks.push(...parts.networks);
  into.workloads.push(...parts.workloads);
  for (const key of Object.keys(into.native) as (keyof Native)[]) into.native[key].push(...parts.native[key]);
  into.findings.push(...readFindings, ...parts.findings);
  into.resealed += parts.resealed;
}

async function exportAwsPlaces(live: LiveConnections, labels: LabelConfig): Promise<CloudExport<NativeAws>> {
  const aws = live.connections.aws;
  const owners = {
    live: new AwsOwnership(live.recordKey),
    simulator: new AwsOwnership(SIMULATOR_RECORD_KEY),
  };
  const empty = { securityGroups: [], managedPrefixLists: [], networkInterfaces: [] };
  const part = emptyExport<NativeAws>(empty, aws.locations.length > 0);
  for (const location of aws.locations) {
    const vpcs = aws.vpcs?.[locationKey(location)];
    const read = await readAwsForExport(aws.apiFor(location), labels, owners.live, vpcs);
    append(part, exportAws(read, owners), read.findings);
    part.places.push(`aws:${locationKey(location)}`);
  }
  return part;
}

async function exportAzurePlaces(
  live: LiveConnections,
  labels: LabelConfig,
): Promise<CloudExport<NativeAzure>> {
  const azure = live.connections.azure;
  const owners = {
    live: new AzureOwnership(live.recordKey),
    simulator: new AzureOwnership(SIMULATOR_RECORD_KEY),
  };
  const empty = { networkSecurityGroups: [], applicationSecurityGroups: [], networkInterfaces: [] };
  const part = emptyExport<NativeAzure>(empty, azure.subscriptions.length > 0);
  for (const subscription of azure.subscriptions) {
    const read = await readAzureForExport(azure.apiFor(subscription), labels, owners.live);
    append(part, exportAzure(read, owners), read.findings);
    part.places.push(`azure:${subscription}`);
  }
  return part;
}

/**
 * Every configured project and the Shared VPC service projects of the configured hosts, as every
 * full read covers them. A Shared VPC network's subnetworks are in its host project: every
 * project's are offered to each, and a network two projects' parts name is written once.
 */
async function exportGcpPlaces(live: LiveConnections, labels: LabelConfig): Promise<CloudExport<NativeGcp>> {
  const gcp = live.connections.gcp;
  const owners = {
    live: new GcpOwnership(live.recordKey),
    simulator: new GcpOwnership(SIMULATOR_RECORD_KEY),
  };
  const part = emptyExport<NativeGcp>({ firewalls: [], instances: [] }, gcp.projects.length > 0);
  const projects = await projectsToRead(gcp);
  part.findings.push(...projects.findings);
  const reads = [];
  for (const project of projects.projects) {
    reads.push(await readGcpForExport(gcp.apiFor(project), labels, owners.live));
    part.places.push(`gcp:${project}`);
  }
  const subnetworks = reads.flatMap((read) => read.subnetworks);
  for (const read of reads) {
    const parts = exportGcp({ state: read.state, subnetworks }, owners);
    append(part, { ...parts, networks: [] }, read.findings);
    for (const network of parts.networks) {
      if (!part.networks.some((known) => known.id === network.id)) part.networks.push(network);
    }
  }
  return part;
}
