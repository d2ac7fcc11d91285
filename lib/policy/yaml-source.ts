/** Policy text → a JS value with every problem placed: the generic reader of lib/util/yaml-source.ts. */
import { parseYamlSource, type YamlSource } from "../util/yaml-source.js";

export type PolicySource = YamlSource;

export function parsePolicySource(text: string, options: { json: boolean }): PolicySource {
  return parseYamlSource(text, { json: options.json, documentKind: "policy" });
}
