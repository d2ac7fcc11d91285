import type { Command } from "commander";
import type { Policy } from "../../policy/model.js";
import { Simulation } from "../../sim/run.js";
import type { SimulatedState } from "../../sim/state-out.js";
import { compareText } from "../../util/compare-text.js";
import { loadSimulationInputs } from "../inputs.js";
import type { CliIo, CommandContext } from "../io.js";
import { describeResult } from "../narrate.js";
import { indent, styler } from "../style.js";

export interface RestoreOptions {
  readonly policy: string;
  readonly estate: string;
}

/** The policy with every ruleset in visibility: segsync then enforces nothing and gives the originals back. */
export function allVisibility(policy: Policy): Policy {
  return { ...policy, rulesets: policy.rulesets.map((r) => ({ ...r, enforcement: "visibility" as const })) };
}

/** Each workload's attachment: AWS ENI groups, Azure NIC NSG, GCP network tags; by a readable key. */
export function attachments(state: SimulatedState): Map<string, string> {
  const result = new Map<string, string>();
  for (const eni of state.aws.networkInterfaces)
    result.set(
      `AWS ${eni.NetworkInterfaceId} (${eni.Attachment?.InstanceId ?? "detached"}) groups`,
      (eni.Groups ?? []).map((g) => g.GroupName ?? g.GroupId).join(" ") || "none",
    );
  for (const nic of state.azure.networkInterfaces)
    result.set(`Azure ${nic.name} NSG`, nic.networkSecurityGroup?.id.split("/").at(-1) ?? "none");
  for (const instance of state.gcp.instances)
    result.set(`GCP ${instance.name} tags`, (instance.tags?.items ?? []).join(" ") || "none");
  return new Map([...result].sort(([a], [b]) => compareText(a, b)));
}

/**
 * On the simulated estate: an initial sync (segsync takes over the attachments and records the
 * originals), then the policy switched to all-visibility and applied with override, which puts the
 * original groups, NSGs and tags back. Prints the attachments at each stage.
 */
export async function restore(options: RestoreOptions, io: CliIo): Promise<number> {
  const inputs = await loadSimulationInputs(options, io);
  if (!inputs) return 1;
  const paint = styler(io.color ?? false);
  const simulation = Simulation.start(inputs.policy, inputs.estate);
  const original = attachments(simulation.clouds.stateOut());
  const synced = await simulation.fullSync();
  const enforced = attachments(simulation.clouds.stateOut());
  io.out(`${paint("bold", "Restore: every ruleset switched to visibility, applied with override")}\n`);
  const restored = await simulation.withPolicy(allVisibility(inputs.policy)).fullSync({ override: true });
  io.out(`${indent(describeResult(restored, { color: io.color ?? false }).join("\n"))}\n`);
  const after = attachments(simulation.clouds.stateOut());
  io.out(
    `${paint("bold", "Attachments segsync took over: before segsync → while enforced → after restore")}\n`,
  );
  let mismatches = 0;
  for (const [key, before] of original) {
    const now = after.get(key) ?? "gone";
    if (now !== before) mismatches++;
    if (now === before && enforced.get(key) === before) continue; // segsync never touched it
    const mark = now === before ? paint("green", "restored") : paint("red", "NOT restored");
    io.out(`  ${key}: ${before} → ${enforced.get(key) ?? "gone"} → ${now}  ${mark}\n`);
  }
  const failed = Object.keys(synced.failures).length > 0 || Object.keys(restored.failures).length > 0;
  io.out(
    mismatches === 0 && !failed
      ? "Every original attachment is back.\n"
      : `${mismatches} attachment(s) not restored${failed ? "; a reconcile failed" : ""}.\n`,
  );
  return mismatches === 0 && !failed ? 0 : 1;
}

export function registerRestore(program: Command, context: CommandContext): void {
  program
    .command("restore")
    .description("after a sync, put back the original security groups, NSGs and tags (simulated estate)")
    .requiredOption("--policy <file>", "policy file")
    .requiredOption("--estate <file>", "simulated estate file (DESIGN §6)")
    .action(async (options: RestoreOptions) => {
      context.exitWith(await restore(options, context.io));
    });
}
