/**
 * What `flows check` and `flows suggest` start from: the policy, the inventory of the target (a
 * simulated estate as it starts, or the real clouds, read only), the intent compiled from both,
 * and the flow logs read, resolved and grouped with the policy's verdicts (lib/flows/check.ts).
 */
import { compile } from "../lib/compile/compile.js";
import type { Intent } from "../lib/compile/model.js";
import { type CheckReport, FlowCheck } from "../lib/flows/check.js";
import { mergeAcrossFormats } from "../lib/flows/merge-formats.js";
import { egressOnceEnforced } from "../lib/flows/once-enforced.js";
import { policyServicePorts, readConnections } from "../lib/flows/read-logs.js";
import { inventoryResolver, resolveConnection } from "../lib/flows/resolve.js";
import { CLOUD_NAMES, CLOUDS, type Cloud, type Inventory } from "../lib/inventory/model.js";
import type { Policy } from "../lib/policy/model.js";
import type { CloudDriver } from "../lib/reconcile/driver.js";
import { Simulation } from "../sim/simulation.js";
import {
  chooseTarget,
  connectTarget,
  loadLiveInputs,
  loadSimulationInputs,
  type Target,
  type TargetOptions,
} from "./inputs.js";
import type { CliIo } from "./io.js";

export interface ObserveOptions extends TargetOptions {
  readonly policy: string;
  /** AWS records without a header line: their fields. */
  readonly awsFormat?: string;
}

export interface Observation {
  readonly policy: Policy;
  readonly intent: Intent;
  readonly report: CheckReport;
}

/** The observation, or the exit code 1 after saying on stderr what went wrong. */
export async function observeFlows(
  command: string,
  locations: readonly string[],
  options: ObserveOptions,
  io: CliIo,
): Promise<Observation | number> {
  const fail = (message: string) => {
    io.err(`segsync ${command}: ${message}\n`);
    return 1;
  };
  if (locations.length === 0) return fail("give the flow logs to read: files, folders, s3:// or blob URLs");
  const target = chooseTarget(command, options, io);
  if (target === undefined) return 1;
  const loaded = await loadTarget(target, options.policy, io);
  if (loaded === undefined) return 1;
  const { policy, drivers } = loaded;
  try {
    const inventory = await discoverInventory(drivers, policy);
    if (typeof inventory === "string") return fail(inventory);
    const intent = compile(policy, inventory);
    // Egress that visibility rulesets would enforce is checked once enforced, as their ingress is.
    const previewed = egressOnceEnforced(policy);
    const check = new FlowCheck(intent, policy, previewed && compile(previewed, inventory));
    const read = await readConnections(locations, {
      servicePorts: policyServicePorts(policy),
      ...(options.awsFormat === undefined ? {} : { awsFormat: options.awsFormat }),
    });
    const resolver = inventoryResolver(inventory, policy);
    const resolved = read.connections.map((connection) => resolveConnection(connection, resolver));
    // A connection between two clouds is in both clouds' logs: counted once.
    for (const connection of mergeAcrossFormats(resolved)) check.add(connection);
    check.addReading(read);
    return { policy, intent, report: check.report() };
  } catch (error) {
    // A policy the compiler refuses, a location that is none or holds nothing, a log that cannot be read.
    if (error instanceof Error) return fail(describe(error));
    throw error;
  }
}

async function loadTarget(
  target: Target,
  policyFile: string,
  io: CliIo,
): Promise<{ policy: Policy; drivers: Readonly<Record<Cloud, CloudDriver>> } | undefined> {
  if (target.kind === "estate") {
    const inputs = await loadSimulationInputs({ policy: policyFile, estate: target.estate }, io);
    if (inputs === undefined) return undefined;
    return { policy: inputs.policy, drivers: Simulation.start(inputs.policy, inputs.estate).drivers };
  }
  const inputs = await loadLiveInputs({ policy: policyFile, config: target.config }, io);
  if (inputs === undefined) return undefined;
  return { policy: inputs.policy, drivers: (await connectTarget(inputs.config, target)).drivers };
}

/**
 * Every cloud's workloads and networks, read once; or why a cloud could not be read, which fails
 * the whole: a check without it would look complete and be wrong.
 */
async function discoverInventory(
  drivers: Readonly<Record<Cloud, CloudDriver>>,
  policy: Policy,
): Promise<Inventory | string> {
  const reads = await Promise.allSettled(CLOUDS.map((cloud) => drivers[cloud].discover(policy.labels)));
  const workloads: Inventory["workloads"][number][] = [];
  const networks: Inventory["networks"][number][] = [];
  for (const [position, read] of reads.entries()) {
    const cloud = CLOUDS[position] as Cloud;
    if (read.status === "rejected")
      return `${CLOUD_NAMES[cloud]} could not be read: ${describe(read.reason)}`;
    workloads.push(...read.value.workloads);
    networks.push(...read.value.networks);
  }
  return { workloads, networks };
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
