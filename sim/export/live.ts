/**
 * `segsync estate export --live`: the real clouds of a live config read (describes, lists and
 * gets only: nothing here can write) and written as one Estate (docs/live.md, "Exporting your
 * estate"). Each cloud's folder maps what it read (lib/clouds/<cloud>/export.ts); this joins them.
 */

import { locationKey } from "../../lib/clouds/aws/model.js";
import { AwsOwnership } from "../../lib/clouds/aws/ownership.js";
import { AzureOwnership } from "../../lib/clouds/azure/ownership.js";
import { GcpOwnership } from "../../lib/clouds/gcp/ownership.js";
import { projectsToRead } from "../../lib/clouds/gcp/service-projects.js";
import type { CloudFinding } from "../../lib/clouds/provider.js";
import { SIMULATOR_RECORD_KEY } from "../../lib/clouds/shared/seals.js";
import type { LabelConfig } from "../../lib/inventory/labels.js";
import type { LiveConnections } from "../../lib/live/connect.js";
import { compareText } from "../../lib/util/compare-text.js";
import { exportAws } from "../clouds/aws/export.js";
import { readAwsForExport } from "../clouds/aws/export-read.js";
import type { NativeAws } from "../clouds/aws/native-schema.js";
import { exportAzure } from "../clouds/azure/export.js";
import { readAzureForExport } from "../clouds/azure/export-read.js";
import type { NativeAzure } from "../clouds/azure/native-schema.js";
import { exportGcp } from "../clouds/gcp/export.js";
import { readGcpForExport } from "../clouds/gcp/export-read.js";
import type { NativeGcp } from "../clouds/gcp/native-schema.js";
import type { Estate, EstateNetwork, EstateWorkload } from "../estate-schema.js";

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
  let resealed = 0;

  const aws = live.connections.aws;
  const awsOwners = {
    live: new AwsOwnership(live.recordKey),
    simulator: new AwsOwnership(SIMULATOR_RECORD_KEY),
  };
  const awsNative: Required<NativeAws> = {
    securityGroups: [],
    managedPrefixLists: [],
    networkInterfaces: [],
  };
  for (const location of aws.locations) {
    const read = await readAwsForExport(
      aws.apiFor(location),
      labels,
      awsOwners.live,
      aws.vpcs?.[locationKey(location)],
    );
    const parts = exportAws(read, awsOwners);
    networks.push(...parts.networks);
    workloads.push(...parts.workloads);
    awsNative.securityGroups.push(...parts.native.securityGroups);
    awsNative.managedPrefixLists.push(...parts.native.managedPrefixLists);
    awsNative.networkInterfaces.push(...parts.native.networkInterfaces);
    findings.push(...read.findings, ...parts.findings);
    resealed += parts.resealed;
    places.push(`aws:${locationKey(location)}`);
  }

  const azure = live.connections.azure;
  const azureOwners = {
    live: new AzureOwnership(live.recordKey),
    simulator: new AzureOwnership(SIMULATOR_RECORD_KEY),
  };
  const azureNative: Required<NativeAzure> = {
    networkSecurityGroups: [],
    applicationSecurityGroups: [],
    networkInterfaces: [],
  };
  for (const subscription of azure.subscriptions) {
    const read = await readAzureForExport(azure.apiFor(subscription), labels, azureOwners.live);
    const parts = exportAzure(read, azureOwners);
    networks.push(...parts.networks);
    workloads.push(...parts.workloads);
    azureNative.networkSecurityGroups.push(...parts.native.networkSecurityGroups);
    azureNative.applicationSecurityGroups.push(...parts.native.applicationSecurityGroups);
    azureNative.networkInterfaces.push(...parts.native.networkInterfaces);
    findings.push(...read.findings, ...parts.findings);
    resealed += parts.resealed;
    places.push(`azure:${subscription}`);
  }

  const gcp = live.connections.gcp;
  const gcpOwners = {
    live: new GcpOwnership(live.recordKey),
    simulator: new GcpOwnership(SIMULATOR_RECORD_KEY),
  };
  const gcpNative: Required<NativeGcp> = { firewalls: [], instances: [] };
  const gcpReads = [];
  // Shared VPC service projects of the configured hosts too, as every full read covers them.
  const gcpProjects = await projectsToRead(gcp);
  findings.push(...gcpProjects.findings);
  for (const project of gcpProjects.projects) {
    gcpReads.push(await readGcpForExport(gcp.apiFor(project), labels, gcpOwners.live));
    places.push(`gcp:${project}`);
  }
  // A Shared VPC network's subnetworks are in its host project: every project's are offered to each.
  const subnetworks = gcpReads.flatMap((read) => read.subnetworks);
  for (const read of gcpReads) {
    const parts = exportGcp({ state: read.state, subnetworks }, gcpOwners);
    for (const network of parts.networks) {
      if (!networks.some((known) => known.id === network.id)) networks.push(network);
    }
    workloads.push(...parts.workloads);
    gcpNative.firewalls.push(...parts.native.firewalls);
    gcpNative.instances.push(...parts.native.instances);
    findings.push(...read.findings, ...parts.findings);
    resealed += parts.resealed;
  }

  const native: NonNullable<Estate["native"]> = {
    ...(aws.locations.length > 0 ? { aws: awsNative } : {}),
    ...(azure.subscriptions.length > 0 ? { azure: azureNative } : {}),
    ...(gcp.projects.length > 0 ? { gcp: gcpNative } : {}),
  };
  return {
    estate: {
      apiVersion: "segsync/v1",
      kind: "Estate",
      networks: networks.sort((a, b) => compareText(a.id, b.id)),
      workloads: workloads.sort((a, b) => compareText(a.id, b.id)),
      ...(Object.keys(native).length > 0 ? { native } : {}),
    },
    findings,
    resealed,
    places,
  };
}
