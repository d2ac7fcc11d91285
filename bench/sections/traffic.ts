/**
 * `--only traffic`: the simulator's traffic step on the cell's generated estate, synced first
 * (bench/simulate/traffic.ts): 10,000 random connections between running workloads decided by
 * the clouds' own rules and written to their flow logs, then those logs read back by lib/flows.
 */
import { formatCount, formatMs } from "../format.js";
import { measureTraffic, TRAFFIC_CONNECTIONS, type TrafficResult } from "../simulate/traffic.js";
import { defineSection } from "./section.js";

export const trafficSection = defineSection<TrafficResult>({
  name: "traffic",
  description: `one traffic step of ${TRAFFIC_CONNECTIONS} random connections on the synced generated estate, and its flow logs read back`,
  run: ({ spec }) => measureTraffic(spec),
  ownTable: true,
  columns: [
    { header: "connections", cell: (r) => formatCount(r.connections) },
    { header: "acc/rej/unr", cell: (r) => `${r.accepted}/${r.rejected}/${r.unreachable}` },
    { header: "step ms", cell: (r) => formatMs(r.stepMs) },
    { header: "µs/conn", cell: (r) => ((r.stepMs * 1000) / r.connections).toFixed(1) },
    { header: "files ms", cell: (r) => formatMs(r.filesMs) },
    { header: "records", cell: (r) => formatCount(r.records) },
    { header: "read-back ms", cell: (r) => formatMs(r.readBackMs) },
    { header: "read conns", cell: (r) => formatCount(r.readConnections) },
  ],
  notes: [
    "step: the traffic step through Simulation.step (ends found, routed, decided by the source cloud's egress then the destination cloud's ingress, each evaluator on its native state read once, records kept); files: every cloud's files rendered.",
    "read-back: the files parsed (parseFlowLog, format detected) and paired into connections (connectRecords); a connection two clouds logged is one per format.",
  ],
  warnings: (r) => (r.malformed === 0 ? [] : [`${r.malformed} simulated record(s) read back malformed`]),
  targets: [],
});
