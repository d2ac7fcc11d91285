/**
 * Suggestions written into the policy's own text (docs/flows.md, "Suggesting rules"). The `yaml`
 * library's Document API finds where each goes (the end of a ruleset's `rules`, of `ipLists`),
 * and the new lines are inserted there into the text as it is: every other byte, the user's
 * comments, order and layout among them, stays. Each rule's evidence is a comment above it (a
 * `description` in a JSON policy, which has no comments). A new ruleset (suggest-ruleset.ts) goes at
 * the end of `rulesets`, why it is new the comment above it. The fragment is the new rules,
 * ipLists and rulesets alone.
 */
import { isMap, isPair, isScalar, isSeq, type Node, parseDocument, stringify, type YAMLMap } from "yaml";
import { FlowSuggestionError } from "./errors.js";
import type { Evidence, SuggestedIpList, SuggestedRule, SuggestedRuleset, Suggestions } from "./suggest.js";
import { newRulesetReason } from "./suggest-ruleset.js";

export function evidenceText(evidence: Evidence): string {
  const connections = `${evidence.connections} connection${evidence.connections === 1 ? "" : "s"}`;
  return `observed: ${connections}, first ${evidence.firstSeen}, last ${evidence.lastSeen}`;
}

/** One scalar as YAML reads it back as the same string (`"2024"`, not 2024). */
function scalar(text: string): string {
  return stringify(text, { lineWidth: 0 }).trimEnd();
}

function flowMap(entries: Readonly<Record<string, string>>): string {
  const pairs = Object.entries(entries).map(([key, value]) => `${scalar(key)}: ${scalar(value)}`);
  return pairs.length === 0 ? "{}" : `{ ${pairs.join(", ")} }`;
}

function flowList(items: readonly string[]): string {
  return `[${items.map(scalar).join(", ")}]`;
}

/** A rule as lines of a block list item whose `-` is at `indent`, its evidence the comment above. */
export function ruleLines(rule: SuggestedRule, indent: string): string[] {
  const from = "ipList" in rule.from ? flowMap({ ipList: rule.from.ipList as string }) : flowMap(rule.from);
  return [
    `${indent}# ${evidenceText(rule.evidence)}`,
    `${indent}- from: ${from}`,
    ...(rule.extraScope ? [`${indent}  extraScope: true`] : []),
    `${indent}  to: ${"ipList" in rule.to ? flowMap({ ipList: rule.to.ipList as string }) : flowMap(rule.to)}`,
    `${indent}  services: ${flowList(rule.services)}`,
  ];
}

/** A new ruleset and its rules as lines of a block list item whose `-` is at `indent`. */
function rulesetLines(ruleset: SuggestedRuleset, rules: readonly SuggestedRule[], indent: string): string[] {
  return [
    ...wrapped(newRulesetReason(ruleset), 96).map((line) => `${indent}# ${line}`),
    `${indent}- name: ${scalar(ruleset.name)}`,
    `${indent}  scope: ${flowMap(ruleset.scope)}`,
    `${indent}  enforcement: visibility`,
    `${indent}  rules:`,
    ...rules.flatMap((rule) => ruleLines(rule, `${indent}    `)),
  ];
}

/** Text as lines of at most `width` characters, broken at spaces (a longer word stays whole). */
function wrapped(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(" ")) {
    if (line !== "" && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line === "" ? word : `${line} ${word}`;
  }
  return [...lines, line];
}

function ipListLine(list: SuggestedIpList, indent: string): string {
  return `${indent}${scalar(list.name)}: ${flowList(list.cidrs)}`;
}

/** An insertion into the original text. */
interface Edit {
  readonly at: number;
  /** Characters replaced from `at` (a flow collection's text), 0 to insert. */
  readonly replacing: number;
  readonly text: string;
}

function columnOf(text: string, offset: number): number {
  return offset - (text.lastIndexOf("\n", offset - 1) + 1);
}

function lineStart(text: string, offset: number): number {
  return text.lastIndexOf("\n", offset - 1) + 1;
}

/** Lines inserted after a block collection (the end of its last entry), or the flow collection `[]`/`{}` replaced by them. */
function appendTo(text: string, node: Node, keyOffset: number, lines: (indent: string) => string[]): Edit {
  const [start, end] = node.range ?? [0, 0];
  const collection = node as Node & { flow?: boolean; items?: unknown[] };
  if (collection.flow) {
    if ((collection.items?.length ?? 0) > 0)
      throw new FlowSuggestionError(
        `a non-empty one-line list or map at line ${lineNumber(text, start)}: write it as a block to merge into it`,
      );
    // `rules: [] # comment` becomes `rules: # comment`, the new lines below it.
    const indent = " ".repeat(columnOf(text, keyOffset) + 2);
    const from = lineStart(text, start);
    const found = text.indexOf("\n", end);
    const to = found < 0 ? text.length : found;
    const rest = text.slice(end, to).trim();
    const line = `${text.slice(from, start).trimEnd()}${rest === "" ? "" : ` ${rest}`}`;
    return { at: from, replacing: to - from, text: [line, ...lines(indent)].join("\n") };
  }
  const indent = " ".repeat(columnOf(text, start));
  const newline = end > 0 && text[end - 1] !== "\n" ? "\n" : "";
  return { at: end, replacing: 0, text: `${newline}${lines(indent).join("\n")}\n` };
}

function lineNumber(text: string, offset: number): number {
  return text.slice(0, offset).split("\n").length;
}

/** The pair of `map` whose key is `key`: its key's offset and its value. */
function pairOf(map: YAMLMap, key: string): { keyOffset: number; value: unknown } | undefined {
  const pair = map.items.find((item) => isPair(item) && isScalar(item.key) && item.key.value === key);
  if (pair === undefined || !isScalar(pair.key)) return undefined;
  return { keyOffset: pair.key.range?.[0] ?? 0, value: pair.value };
}

function ipListsEdit(text: string, root: YAMLMap, lists: readonly SuggestedIpList[]): Edit | undefined {
  if (lists.length === 0) return undefined;
  const found = pairOf(root, "ipLists");
  if (found === undefined || found.value === null || (isScalar(found.value) && found.value.value === null)) {
    // No ipLists (or an empty key): a block of them, just before `rulesets`.
    const rulesets = pairOf(root, "rulesets");
    if (rulesets === undefined) throw new FlowSuggestionError("the policy has no rulesets");
    if (found !== undefined)
      throw new FlowSuggestionError("the policy's ipLists is empty: write {} or remove it");
    const at = lineStart(text, rulesets.keyOffset);
    return {
      at,
      replacing: 0,
      text: `ipLists:\n${lists.map((list) => ipListLine(list, "  ")).join("\n")}\n`,
    };
  }
  if (!isMap(found.value)) throw new FlowSuggestionError("the policy's ipLists is not a map");
  if (found.value.flow && found.value.items.length > 0) return intoFlowMap(text, found.value, lists);
  return appendTo(text, found.value, found.keyOffset, (indent) =>
    lists.map((list) => ipListLine(list, indent)),
  );
}

/** `{ corp: [10.8.0.0/16] }` becomes `{ corp: [10.8.0.0/16], observed-…: […] }`. */
function intoFlowMap(text: string, map: YAMLMap, lists: readonly SuggestedIpList[]): Edit {
  let at = text.lastIndexOf("}", (map.range?.[1] ?? 1) - 1);
  while (at > 0 && /\s/.test(text[at - 1] ?? "")) at--;
  return { at, replacing: 0, text: lists.map((list) => `, ${ipListLine(list, "")}`).join("") };
}

function rulesEdit(text: string, root: YAMLMap, ruleset: string, rules: readonly SuggestedRule[]): Edit {
  const rulesets = pairOf(root, "rulesets")?.value;
  const item = isSeq(rulesets)
    ? rulesets.items.find((each) => isMap(each) && each.get("name") === ruleset)
    : undefined;
  const found = isMap(item) ? pairOf(item, "rules") : undefined;
  if (found === undefined || !isSeq(found.value))
    throw new FlowSuggestionError(
      `the policy has no ruleset ${ruleset} with a rules list to merge a rule into`,
    );
  return appendTo(text, found.value, found.keyOffset, (indent) =>
    rules.flatMap((rule) => ruleLines(rule, indent)),
  );
}

/** The new rulesets with their rules, at the end of `rulesets`. */
function rulesetsEdit(text: string, root: YAMLMap, suggestions: Suggestions): Edit | undefined {
  if (suggestions.rulesets.length === 0) return undefined;
  const found = pairOf(root, "rulesets");
  if (found === undefined || !isSeq(found.value))
    throw new FlowSuggestionError("the policy has no rulesets list to add a ruleset to");
  const grouped = byRuleset(suggestions.rules);
  return appendTo(text, found.value, found.keyOffset, (indent) =>
    suggestions.rulesets.flatMap((ruleset) => rulesetLines(ruleset, grouped.get(ruleset.name) ?? [], indent)),
  );
}

/** The rules by ruleset, in the order they came. */
function byRuleset(rules: readonly SuggestedRule[]): Map<string, SuggestedRule[]> {
  const grouped = new Map<string, SuggestedRule[]>();
  for (const rule of rules) grouped.set(rule.ruleset, [...(grouped.get(rule.ruleset) ?? []), rule]);
  return grouped;
}

/** The policy text with the suggestions merged; `fileName` ending in `.json` is JSON. */
export function mergeSuggestions(text: string, fileName: string, suggestions: Suggestions): string {
  if (fileName.toLowerCase().endsWith(".json")) return mergeJson(text, suggestions);
  const document = parseDocument(text);
  if (document.errors.length > 0 || !isMap(document.contents))
    throw new FlowSuggestionError(`the policy does not parse as a map: ${document.errors[0]?.message ?? ""}`);
  const root = document.contents;
  const created = new Set(suggestions.rulesets.map((ruleset) => ruleset.name));
  // First, so that where it ends where the last ruleset's rules do, the new ruleset comes after them (below).
  const edits = [rulesetsEdit(text, root, suggestions)].filter((edit) => edit !== undefined);
  for (const [ruleset, rules] of byRuleset(suggestions.rules))
    if (!created.has(ruleset)) edits.push(rulesEdit(text, root, ruleset, rules));
  const lists = ipListsEdit(text, root, suggestions.ipLists);
  if (lists !== undefined) edits.push(lists);
  // From the end, so that each edit's offsets are still those of the original text; the sort is
  // stable, so of two edits at one offset the first is applied first and its text ends up after.
  let merged = text;
  for (const edit of edits.sort((a, b) => b.at - a.at))
    merged = merged.slice(0, edit.at) + edit.text + merged.slice(edit.at + edit.replacing);
  return merged;
}

function mergeJson(text: string, suggestions: Suggestions): string {
  const policy = JSON.parse(text) as {
    ipLists?: Record<string, readonly string[]>;
    rulesets?: { name?: string; scope?: unknown; enforcement?: string; rules?: unknown[] }[];
  };
  for (const { name, scope } of suggestions.rulesets) {
    if (policy.rulesets === undefined) throw new FlowSuggestionError("the policy has no rulesets");
    policy.rulesets.push({ name, scope, enforcement: "visibility", rules: [] });
  }
  if (suggestions.ipLists.length > 0) {
    policy.ipLists ??= {};
    for (const list of suggestions.ipLists) policy.ipLists[list.name] = list.cidrs;
  }
  for (const rule of suggestions.rules) {
    const rules = policy.rulesets?.find((ruleset) => ruleset.name === rule.ruleset)?.rules;
    if (rules === undefined)
      throw new FlowSuggestionError(`the policy has no ruleset ${rule.ruleset} with rules`);
    const { from, extraScope, to, services, evidence } = rule;
    rules.push({
      from,
      ...(extraScope ? { extraScope } : {}),
      to,
      services,
      description: evidenceText(evidence),
    });
  }
  return `${JSON.stringify(policy, null, 2)}\n`;
}

/** Only the new ipLists and rules, by ruleset, as YAML to merge by hand. */
export function suggestionFragment(suggestions: Suggestions): string {
  const lines: string[] = [];
  if (suggestions.ipLists.length > 0)
    lines.push("ipLists:", ...suggestions.ipLists.map((list) => ipListLine(list, "  ")));
  const grouped = byRuleset(suggestions.rules);
  if (grouped.size > 0) lines.push("rulesets:");
  const created = new Map(suggestions.rulesets.map((ruleset) => [ruleset.name, ruleset]));
  for (const [ruleset, rules] of grouped) {
    const added = created.get(ruleset);
    if (added !== undefined) {
      lines.push(...rulesetLines(added, rules, "  "));
      continue;
    }
    lines.push(
      `  - name: ${scalar(ruleset)}`,
      "    rules:",
      ...rules.flatMap((rule) => ruleLines(rule, "      ")),
    );
  }
  return lines.length === 0 ? "" : `${lines.join("\n")}\n`;
}
