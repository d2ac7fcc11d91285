/** `segsync guardrails`: its options and help; the command itself is loaded when it runs (docs/package.md, "CLI start"). */
import { type Command, Option } from "commander";
import { GUARDRAIL_CLOUDS } from "../../lib/guardrails/clouds.js";
import type { GuardrailsOptions } from "../commands/guardrails.js";
import type { CommandContext } from "../io.js";

export function registerGuardrails(program: Command, context: CommandContext): void {
  program
    .command("guardrails")
    .description(
      "the organisation policies that keep segsync's tag keys to segsync (and label keys to their writers): an AWS SCP and tag policy, an Azure Policy definition, a GCP deny policy",
    )
    .requiredOption("--policy <file>", "policy file (its labels are the label keys)")
    .addOption(new Option("--cloud <cloud>", "only this cloud's documents").choices(GUARDRAIL_CLOUDS))
    .option(
      "--aws-role <arns...>",
      "segsync's IAM role ARNs, or role name patterns (segsync-*), in every account",
    )
    .option("--azure-principal <id>", "segsync's Entra object id")
    .option("--gcp-service-account <email>", "segsync's Google service account")
    .option(
      "--label-writers <principals...>",
      "who may write label keys: IAM ARNs, Entra object ids, Google emails (group:EMAIL) or principal:// URIs",
    )
    .option("--json", "print the documents as one JSON object")
    .action(async (options: GuardrailsOptions) => {
      context.exitWith(await (await import("../commands/guardrails.js")).guardrails(options, context.io));
    });
}
