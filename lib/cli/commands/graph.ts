import { type Command, Option } from "commander";
import type { Intent } from "../../compile/model.js";
import { cloudOfId } from "../../inventory/ids.js";
import { CLOUDS, type Cloud } from "../../inventory/model.js";
import type { Service } from "../../policy/model.js";
import { formatService, normalizeServices } from "../../policy/services.js";
import { Simulation } from "../../sim/run.js";
import { compareText } from "../../util/compare-text.js";
import { loadSimulationInputs } from "../inputs.js";
import type { CliIo, CommandContext } from "../io.js";
import { CLOUD_NAMES } from "../narrate.js";
import { writeOutputFile } from "../output-file.js";

export const GRAPH_FORMATS = ["mermaid", "dot", "html"] as const;
export type GraphFormat = (typeof GRAPH_FORMATS)[number];

interface GraphNode {
  readonly id: string;
  readonly label: string;
  /** A cloud, or "external" for ipLists. */
  readonly group: Cloud | "external";
}

interface GraphEdge {
  readonly from: string;
  readonly to: string;
  readonly services: readonly Service[];
  readonly rules: readonly string[];
  readonly visibility: boolean;
}

export interface FlowGraph {
  readonly nodes: readonly GraphNode[];
  readonly edges: readonly GraphEdge[];
}

/** Identities (per cloud where they have workloads) as nodes; the intent's grants as edges. */
export function flowGraph(intent: Intent): FlowGraph {
  const nodes = new Map<string, GraphNode>();
  const node = (group: Cloud | "external", label: string) => {
    const key = `${group}|${label}`;
    if (!nodes.has(key)) nodes.set(key, { id: key, label, group });
    return key;
  };
  for (const report of intent.workloads)
    if (report.identity !== "") node(cloudOfId(report.workload), report.identity);
  const peerSets = new Map(intent.peerSets.map((p) => [p.key, p]));
  const edges = new Map<
    string,
    { from: string; to: string; services: Service[]; rules: Set<string>; visibility: boolean }
  >();
  for (const destination of intent.destinations) {
    const to = node(destination.cloud, destination.identity);
    for (const grant of destination.grants) {
      const sources =
        grant.source.kind === "ipList"
          ? [node("external", `ipList ${grant.source.name}`)]
          : (() => {
              const peerSet = peerSets.get(grant.source.key);
              if (!peerSet) return [];
              return [...peerSet.local, ...peerSet.remote].map((m) =>
                node(cloudOfId(m.workload), peerSet.identity),
              );
            })();
      for (const from of new Set(sources)) {
        const key = `${from}→${to}`;
        const edge = edges.get(key) ?? { from, to, services: [], rules: new Set(), visibility: true };
        edge.services.push(...grant.services);
        for (const rule of grant.rules) edge.rules.add(rule);
        edge.visibility &&= destination.enforcement !== "enforced";
        edges.set(key, edge);
      }
    }
  }
  return {
    nodes: [...nodes.values()].sort((a, b) => compareText(a.id, b.id)),
    edges: [...edges.values()]
      .map((e) => ({ ...e, services: normalizeServices(e.services), rules: [...e.rules].sort() }))
      .sort((a, b) => compareText(a.from, b.from) || compareText(a.to, b.to)),
  };
}

const GROUPS: readonly (Cloud | "external")[] = [...CLOUDS, "external"];
const GROUP_NAMES = { ...CLOUD_NAMES, external: "External (ipLists)" };

function edgeLabel(edge: GraphEdge): string {
  return `${edge.services.map(formatService).join(" ")}${edge.visibility ? " (visibility)" : ""}`;
}

export function toMermaid(graph: FlowGraph): string {
  const ids = new Map(graph.nodes.map((n, i) => [n.id, `n${i}`]));
  const lines = ["flowchart LR"];
  for (const group of GROUPS) {
    const members = graph.nodes.filter((n) => n.group === group);
    if (members.length === 0) continue;
    lines.push(`  subgraph ${group}["${GROUP_NAMES[group]}"]`);
    for (const n of members) lines.push(`    ${ids.get(n.id)}["${n.label.replaceAll('"', "'")}"]`);
    lines.push("  end");
  }
  for (const e of graph.edges)
    lines.push(`  ${ids.get(e.from)} ${e.visibility ? "-.->" : "-->"}|"${edgeLabel(e)}"| ${ids.get(e.to)}`);
  return `${lines.join("\n")}\n`;
}

const dotString = (text: string) => `"${text.replaceAll("\\", "\\\\").replaceAll('"', '\\"')}"`;

export function toDot(graph: FlowGraph): string {
  const ids = new Map(graph.nodes.map((n, i) => [n.id, `n${i}`]));
  const lines = ["digraph segsync {", "  rankdir=LR;", "  node [shape=box];"];
  for (const group of GROUPS) {
    const members = graph.nodes.filter((n) => n.group === group);
    if (members.length === 0) continue;
    lines.push(`  subgraph cluster_${group} {`, `    label=${dotString(GROUP_NAMES[group])};`);
    for (const n of members) lines.push(`    ${ids.get(n.id)} [label=${dotString(n.label)}];`);
    lines.push("  }");
  }
  for (const e of graph.edges)
    lines.push(
      `  ${ids.get(e.from)} -> ${ids.get(e.to)} [label=${dotString(edgeLabel(e))}${e.visibility ? ", style=dashed" : ""}];`,
    );
  lines.push("}");
  return `${lines.join("\n")}\n`;
}

const html = (text: string) =>
  text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;").replaceAll('"', "&quot;");

/** A self-contained page: the Mermaid text and a table of the flows; no external scripts or styles. */
export function toHtml(graph: FlowGraph): string {
  const label = new Map(graph.nodes.map((n) => [n.id, `${n.label} (${GROUP_NAMES[n.group]})`]));
  const rows = graph.edges.map(
    (e) =>
      `      <tr><td>${html(label.get(e.from) ?? e.from)}</td><td>${html(label.get(e.to) ?? e.to)}</td><td>${html(edgeLabel(e))}</td><td>${html(e.rules.join(", "))}</td></tr>`,
  );
  return [
    "<!doctype html>",
    '<html lang="en">',
    "<head>",
    '  <meta charset="utf-8">',
    "  <title>segsync: allowed flows</title>",
    "  <style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #999;padding:.3em .6em;text-align:left}pre{background:#f4f4f4;padding:1em;overflow:auto}</style>",
    "</head>",
    "<body>",
    "  <h1>Allowed flows</h1>",
    `  <p>${graph.nodes.length} identities, ${graph.edges.length} flows. Paste the Mermaid text below into any Mermaid renderer to draw it.</p>`,
    "  <table>",
    "    <thead><tr><th>From</th><th>To</th><th>Services</th><th>Policy rules</th></tr></thead>",
    "    <tbody>",
    ...rows,
    "    </tbody>",
    "  </table>",
    "  <h2>Mermaid</h2>",
    `  <pre class="mermaid">${html(toMermaid(graph))}</pre>`,
    "</body>",
    "</html>",
    "",
  ].join("\n");
}

export interface GraphOptions {
  readonly policy: string;
  readonly estate: string;
  readonly format: GraphFormat;
  readonly out?: string;
}

export async function graph(options: GraphOptions, io: CliIo): Promise<number> {
  const inputs = await loadSimulationInputs({ policy: options.policy, estate: options.estate }, io);
  if (!inputs) return 1;
  const result = await Simulation.start(inputs.policy, inputs.estate).fullSync({ dryRun: true });
  const flows = flowGraph(result.intent);
  const text =
    options.format === "mermaid" ? toMermaid(flows) : options.format === "dot" ? toDot(flows) : toHtml(flows);
  if (options.out === undefined) io.out(text);
  else {
    if (!(await writeOutputFile(options.out, text, "graph", io))) return 1;
    io.out(
      `${options.out}: ${flows.nodes.length} identities, ${flows.edges.length} flows (${options.format})\n`,
    );
  }
  return 0;
}

export function registerGraph(program: Command, context: CommandContext): void {
  program
    .command("graph")
    .description(
      "the allowed flows between identities, as Mermaid, Graphviz DOT or a self-contained HTML page",
    )
    .requiredOption("--policy <file>", "policy file")
    .requiredOption("--estate <file>", 'simulated estate file (docs/formats.md, "Estate")')
    .addOption(new Option("--format <format>", "output format").choices(GRAPH_FORMATS).default("mermaid"))
    .option("--out <file>", "write to a file instead of stdout")
    .action(async (options: GraphOptions) => {
      context.exitWith(await graph(options, context.io));
    });
}
