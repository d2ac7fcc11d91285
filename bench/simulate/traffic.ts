/**
 * The traffic section's measurement (bench/sections/traffic.ts): the cell's generated estate
 * synced through Simulation, then one traffic step of random connections between its running
 * workloads (sim/traffic/, docs/formats.md, "Traffic"), timed; then each cloud's flow log files
 * read back by lib/flows (parseFlowLog, connectRecords), timed.
 */
import { Readable } from "node:stream";
import { connectRecords } from "../../lib/flows/connections.js";
import type { ParsedRecord } from "../../lib/flows/model.js";
import { parseFlowLog } from "../../lib/flows/parsers/index.js";
import { resolvePolicyDocument } from "../../lib/policy/load.js";
import { SeededRandom } from "../../lib/util/seeded-random.js";
import { resolveEstateDocument } from "../../sim/estate.js";
import { Simulation } from "../../sim/simulation.js";
import type { CloudLogFile } from "../../sim/traffic/flow-logs.js";
import type { TrafficFlow } from "../../sim/traffic-schema.js";
import { generateEstate } from "../estate-generator.js";
import { round3 } from "../measure.js";
import type { CellSpec } from "../sections/section.js";
import { estateDocumentOf } from "./estate-document.js";

/** Connections sent in the one timed traffic step. */
export const TRAFFIC_CONNECTIONS = 10_000;
const SERVICES = ["tcp/443", "tcp/5432", "tcp/8080", "udp/53"];

export interface TrafficResult {
  readonly connections: number;
  readonly accepted: number;
  readonly rejected: number;
  readonly unreachable: number;
  /** The traffic step: ends, routes, each cloud's decision, the records written. */
  readonly stepMs: number;
  /** The flow logs' files rendered, and their records read back into connections. */
  readonly filesMs: number;
  readonly records: number;
  readonly readBackMs: number;
  /** Connections lib/flows made of the files (a connection two clouds logged counts in each format). */
  readonly readConnections: number;
  readonly malformed: number;
}

function randomFlows(simulation: Simulation, seed: number): TrafficFlow[] {
  const random = new SeededRandom(seed);
  const running = simulation.clouds.workloads().filter((w) => w.state === "running");
  const pick = () => running[Math.floor(random.next() * running.length)]?.id as string;
  const flows: TrafficFlow[] = [];
  while (flows.length < TRAFFIC_CONNECTIONS) {
    const [from, to] = [pick(), pick()];
    const service = SERVICES[Math.floor(random.next() * SERVICES.length)] as string;
    if (from !== to) flows.push({ from, to, service, count: 1 });
  }
  return flows;
}

async function* recordsOf(files: readonly CloudLogFile[]): AsyncGenerator<ParsedRecord> {
  for (const file of files) {
    yield* parseFlowLog({ name: `${file.cloud}/${file.name}`, open: async () => Readable.from([file.text]) });
  }
}

export async function measureTraffic(spec: CellSpec): Promise<TrafficResult> {
  const { inventory, policyDocument } = generateEstate(spec);
  const policy = resolvePolicyDocument(policyDocument);
  const loaded = resolveEstateDocument(estateDocumentOf(inventory));
  if (!policy.ok || !loaded.ok) throw new Error("the generated policy or estate does not load");
  const simulation = Simulation.start(policy.policy, loaded.estate);
  await simulation.fullSync();
  const flows = randomFlows(simulation, spec.seed);
  const stepStart = performance.now();
  const outcome = await simulation.step({ traffic: flows });
  const stepMs = performance.now() - stepStart;
  const filesStart = performance.now();
  const files = simulation.clouds.flowLogs.files();
  const filesMs = performance.now() - filesStart;
  const readStart = performance.now();
  const report = await connectRecords(recordsOf(files));
  const readBackMs = performance.now() - readStart;
  const connections = outcome.traffic?.connections ?? { accepted: 0, rejected: 0, unreachable: 0 };
  return {
    connections: flows.length,
    ...connections,
    stepMs: round3(stepMs),
    filesMs: round3(filesMs),
    records: report.records,
    readBackMs: round3(readBackMs),
    readConnections: report.connections.length,
    malformed: report.malformed,
  };
}
