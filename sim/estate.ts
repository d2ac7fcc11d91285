/**
 * Loading an estate file (`kind: Estate`, docs/formats.md, "Estate"): from text (YAML or JSON), a
 * file, or an object, every issue at once as `file:line:col path: message`. Beyond its shape, an
 * estate must hang together (estate-check.ts, native-*-check.ts) and be something the simulated
 * clouds can hold: it is built once, and whatever a simulator refuses is reported where the estate
 * says it.
 */

import { CLOUDS } from "../lib/inventory/model.js";
import { forbiddenKeyIssues } from "../lib/util/forbidden-keys.js";
import { type DocumentCheck, loadDocumentText, readDocumentFile } from "../lib/util/load-document.js";
import { type DraftIssue, formatPath, type SourceIssue } from "../lib/util/source-issues.js";
import { documentErrorMap, draftIssuesFromZod } from "../lib/util/zod-issues.js";
import { AddressBook } from "./address-book.js";
import { simulatorOf } from "./clouds/registry.js";
import { checkNetworks, checkWorkloads } from "./estate-check.js";
import { EstateIndex } from "./estate-index.js";
import { type Estate, EstateSchema } from "./estate-schema.js";
import { SimulationRefusedError } from "./refusal.js";
import { SimulatedClouds } from "./simulated-clouds.js";

export { formatIssue, type SourceIssue } from "../lib/util/source-issues.js";
export type { Estate, EstateNetwork, EstateWorkload } from "./estate-schema.js";

export type EstateLoadResult = { ok: true; estate: Estate } | { ok: false; issues: readonly SourceIssue[] };

/** Every issue of an estate document (a parsed YAML or JSON value), or the estate. */
export function checkEstateDocument(document: unknown): DocumentCheck<Estate> {
  const forbidden = forbiddenKeyIssues(document);
  const parsed = EstateSchema.safeParse(document, { error: documentErrorMap, reportInput: true });
  if (!parsed.success)
    return { ok: false, issues: [...forbidden, ...draftIssuesFromZod(parsed.error.issues)] };
  const estate = parsed.data;
  const issues = [...forbidden, ...semanticIssues(estate)];
  if (issues.length > 0) return { ok: false, issues };
  const refused = buildIssue(estate);
  return refused === undefined ? { ok: true, value: estate } : { ok: false, issues: [refused] };
}

function semanticIssues(estate: Estate): DraftIssue[] {
  const index = new EstateIndex(estate);
  const addresses = new AddressBook();
  const native = estate.native;
  return [
    ...checkNetworks(estate, index),
    ...checkWorkloads(estate, index, addresses),
    ...CLOUDS.flatMap((cloud) => {
      const section = native?.[cloud];
      return section === undefined ? [] : simulatorOf(cloud).checkNative(section, index, addresses);
    }),
  ];
}

/** What the simulators refuse beyond the estate's own checks (a rule Compute rejects, a quota, …). */
function buildIssue(estate: Estate): DraftIssue | undefined {
  try {
    SimulatedClouds.buildToCheck(estate);
    return undefined;
  } catch (error) {
    if (!(error instanceof SimulationRefusedError)) throw error;
    return { path: error.path, message: `the simulated cloud refuses it: ${error.message}` };
  }
}

function asEstateResult(
  result: { ok: true; value: Estate } | { ok: false; issues: readonly SourceIssue[] },
): EstateLoadResult {
  return result.ok ? { ok: true, estate: result.value } : result;
}

/** Parses and checks estate text; `fileName` decides JSON (`.json`) or YAML scalars. */
export function loadEstateText(text: string, fileName: string): EstateLoadResult {
  return asEstateResult(loadDocumentText(text, fileName, "estate", checkEstateDocument));
}

export async function loadEstateFile(path: string): Promise<EstateLoadResult> {
  const read = await readDocumentFile(path);
  return read.ok ? loadEstateText(read.text, path) : read;
}

/** The same checks on a JS object (tests and benchmarks build estates in code); issues carry paths only. */
export function resolveEstateDocument(document: unknown): EstateLoadResult {
  const checked = checkEstateDocument(document);
  if (checked.ok) return { ok: true, estate: checked.value };
  return {
    ok: false,
    issues: checked.issues.map((issue) => ({ path: formatPath(issue.path), message: issue.message })),
  };
}
