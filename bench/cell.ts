/**
 * One benchmark cell, run in its own process (`node --expose-gc --import tsx bench/cell.ts <request>`)
 * so that its memory peak is its own: generate the estate, resolve the policy, run the sections,
 * send the results to the parent over IPC.
 */
import { resolvePolicyDocument } from "../lib/policy/load.js";
import type { CellRequest, CellResult } from "./cell-protocol.js";
import { runChild } from "./child-process.js";
import { generateEstate } from "./estate-generator.js";
import { heapAfterGcMiB, peakRssMiB, round3, timeMs } from "./measure.js";
import { selectSections } from "./sections/index.js";

async function runCell(request: CellRequest): Promise<CellResult> {
  const { spec } = request;
  const generated = timeMs(() => generateEstate(spec));
  const { inventory, policyDocument } = generated.result;
  const resolved = timeMs(() => resolvePolicyDocument(policyDocument));
  const loaded = resolved.result;
  if (!loaded.ok) {
    const issues = loaded.issues.slice(0, 10).map((issue) => `${issue.path}: ${issue.message}`);
    throw new Error(`the generated policy does not resolve:\n  ${issues.join("\n  ")}`);
  }
  const policy = loaded.policy;
  const baselineHeap = heapAfterGcMiB();
  const sections: Record<string, unknown> = {};
  for (const section of selectSections(request.sections)) {
    sections[section.name] = await section.run({ spec, policy, inventory });
  }
  return {
    spec,
    estate: {
      networks: inventory.networks.length,
      workloads: inventory.workloads.length,
      running: inventory.workloads.filter((workload) => workload.state === "running").length,
      rulesets: policy.rulesets.length,
      rules: policy.rulesets.reduce((sum, ruleset) => sum + ruleset.rules.length, 0),
      generateMs: round3(generated.ms),
      resolveMs: round3(resolved.ms),
    },
    sections,
    memory: {
      peakRssMiB: round3(peakRssMiB()),
      baselineHeapMiB: baselineHeap === null ? null : round3(baselineHeap),
    },
  };
}

await runChild<CellRequest, CellResult>(
  "node --expose-gc --import tsx bench/cell.ts '<CellRequest JSON>'",
  runCell,
);
