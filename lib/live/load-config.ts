/**
 * Loading the live configuration file (`kind: Config`, YAML or JSON) that `--live --config F`
 * reads: every issue at once as `file:line:col path: message`, like the policy and estate files.
 */
import type { ListedOnce } from "../clouds/live.js";
import { LIVE, type LiveSections } from "../clouds/registry.js";
import { CLOUDS, type Cloud } from "../inventory/model.js";
import { forbiddenKeyIssues } from "../util/forbidden-keys.js";
import { type DocumentCheck, loadDocumentText, readDocumentFile } from "../util/load-document.js";
import { type DraftIssue, formatPath, type PathSegment, type SourceIssue } from "../util/source-issues.js";
import { documentErrorMap, draftIssuesFromZod } from "../util/zod-issues.js";
import { type LiveConfig, LiveConfigSchema } from "./config.js";

export type LiveConfigLoadResult =
  | { ok: true; config: LiveConfig }
  | { ok: false; issues: readonly SourceIssue[] };

/** Every issue of a config document (a parsed YAML or JSON value), or the config. */
export function checkLiveConfigDocument(document: unknown): DocumentCheck<LiveConfig> {
  const forbidden = forbiddenKeyIssues(document);
  const parsed = LiveConfigSchema.safeParse(document, { error: documentErrorMap, reportInput: true });
  if (!parsed.success)
    return { ok: false, issues: [...forbidden, ...draftIssuesFromZod(parsed.error.issues)] };
  const issues = [...forbidden, ...repeats(parsed.data)];
  return issues.length === 0 ? { ok: true, value: parsed.data } : { ok: false, issues };
}

/**
 * A place named twice would be read twice and planned twice: its workloads would come back
 * duplicated and its writes would race. So each account, region, subscription and project once:
 * the lists each cloud's live part names (lib/clouds/<cloud>/live.ts).
 */
function repeats(config: LiveConfig): DraftIssue[] {
  return CLOUDS.flatMap((cloud) => {
    const section = config[cloud];
    if (section === undefined) return [];
    // Sound: the section of `cloud` goes to the live part of `cloud`.
    const listedOnce = LIVE[cloud].listedOnce as (section: LiveSections[Cloud]) => readonly ListedOnce[];
    const lists = listedOnce(section);
    return lists.flatMap(({ what, values, pathOf }) =>
      repeated(values, (index) => [cloud, ...pathOf(index)], what),
    );
  });
}

function repeated(
  values: readonly string[],
  pathOf: (index: number) => PathSegment[],
  what: string,
): DraftIssue[] {
  const first = new Map<string, number>();
  const issues: DraftIssue[] = [];
  values.forEach((value, index) => {
    const earlier = first.get(value);
    if (earlier === undefined) first.set(value, index);
    else
      issues.push({
        path: pathOf(index),
        message: `${what} "${value}" is already listed (${formatPath(pathOf(earlier))})`,
      });
  });
  return issues;
}

function asConfigResult(
  result: { ok: true; value: LiveConfig } | { ok: false; issues: readonly SourceIssue[] },
): LiveConfigLoadResult {
  return result.ok ? { ok: true, config: result.value } : result;
}

/** Parses and checks config text; `fileName` decides JSON (`.json`) or YAML scalars. */
export function loadLiveConfigText(text: string, fileName: string): LiveConfigLoadResult {
  return asConfigResult(loadDocumentText(text, fileName, "config", checkLiveConfigDocument));
}

export async function loadLiveConfigFile(path: string): Promise<LiveConfigLoadResult> {
  const read = await readDocumentFile(path);
  return read.ok ? loadLiveConfigText(read.text, path) : read;
}

/** The same checks on a JS object (the reconciler function gets its config as JSON); issues carry paths only. */
export function resolveLiveConfigDocument(document: unknown): LiveConfigLoadResult {
  const checked = checkLiveConfigDocument(document);
  if (checked.ok) return { ok: true, config: checked.value };
  return {
    ok: false,
    issues: checked.issues.map((issue) => ({ path: formatPath(issue.path), message: issue.message })),
  };
}
