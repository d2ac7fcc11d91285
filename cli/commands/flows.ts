/**
 * `segsync flows check` and `segsync flows suggest` (docs/flows.md, "Checking flows" and
 * "Suggesting rules"): the observed flows of the clouds' own logs against a policy, on a
 * simulated estate or the real clouds (read only).
 */
import { readFile } from "node:fs/promises";
import { suggestRules } from "../../lib/flows/suggest.js";
import { newRulesetReason } from "../../lib/flows/suggest-ruleset.js";
import { mergeSuggestions, suggestionFragment } from "../../lib/flows/suggest-yaml.js";
import { planNames } from "../../lib/reconcile/plan-names.js";
import { type ObserveOptions, observeFlows } from "../flows-observe.js";
import { renderCheck } from "../flows-text.js";
import type { CliIo } from "../io.js";
import { writeOutputFile } from "../output-file.js";

export interface FlowsCheckOptions extends ObserveOptions {
  readonly json?: boolean;
}

/**
 * The observed connections grouped, each with the policy's verdict, the ones it would block
 * first. Exit 0 when it would block none, 2 when it would block some, 1 on error.
 */
export async function flowsCheck(
  locations: readonly string[],
  options: FlowsCheckOptions,
  io: CliIo,
): Promise<number> {
  const observed = await observeFlows("flows check", locations, options, io);
  if (typeof observed === "number") return observed;
  const { report, intent } = observed;
  if (options.json) io.out(`${JSON.stringify(report, null, 2)}\n`);
  else {
    const names = planNames(intent);
    io.out(renderCheck(report, (text) => names.shorten(text)));
  }
  return report.summary.wouldBlock > 0 ? 2 : 0;
}

export interface FlowsSuggestOptions extends ObserveOptions {
  /** Only the new rules and ipLists, not the whole policy. */
  readonly fragment?: boolean;
  readonly out?: string;
}

/**
 * Rules that admit every observed accepted connection the policy denies, merged into the whole
 * policy (or alone with `--fragment`), on stdout or in `--out`; what no rule can admit, and why a
 * ruleset is new, is said on stderr. Exit 0; 1 on error.
 */
export async function flowsSuggest(
  locations: readonly string[],
  options: FlowsSuggestOptions,
  io: CliIo,
): Promise<number> {
  const observed = await observeFlows("flows suggest", locations, options, io);
  if (typeof observed === "number") return observed;
  const suggestions = suggestRules(observed.policy, observed.report.groups);
  let text: string;
  try {
    text = options.fragment
      ? suggestionFragment(suggestions)
      : mergeSuggestions(await readFile(options.policy, "utf8"), options.policy, suggestions);
  } catch (error) {
    io.err(`segsync flows suggest: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
  for (const note of suggestions.notes) io.err(`segsync flows suggest: ${note}\n`);
  for (const ruleset of suggestions.rulesets) io.err(`segsync flows suggest: ${newRulesetReason(ruleset)}\n`);
  const counts = [plural(suggestions.rules.length, "rule"), plural(suggestions.ipLists.length, "ipList")];
  if (suggestions.rulesets.length > 0) counts.push(plural(suggestions.rulesets.length, "new ruleset"));
  const said = `${counts.slice(0, -1).join(", ")} and ${counts.at(-1)} suggested`;
  if (options.out === undefined) io.out(text);
  else {
    if (!(await writeOutputFile(options.out, text, "flows suggest", io))) return 1;
    io.out(`${options.out}: ${said}\n`);
  }
  return 0;
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? "" : "s"}`;
}
