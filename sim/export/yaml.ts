/**
 * The exported estate as a YAML file: a header comment that says where and when it was read and
 * what it holds beyond the clouds' own objects, then the document (docs/formats.md, "Estate").
 */
import { stringify } from "yaml";
import type { LiveExport } from "./live.js";

export function exportedEstateYaml(exported: LiveExport, readAt: Date): string {
  const header = [
    `Exported by \`segsync estate export --live\` at ${readAt.toISOString()}, read-only, from:`,
    ...exported.places.map((place) => `  ${place}`),
    'Run plan, simulate and explain on it with --estate; docs/live.md, "Exporting your estate".',
  ];
  if (exported.resealed > 0) {
    header.push(
      `${exported.resealed} object(s) and record(s) that segsync owns carry a seal under the simulator's`,
      "key instead of the live record key, so that the simulation sees them as segsync's too.",
    );
  }
  if (exported.findings.length > 0) {
    header.push(
      `${exported.findings.length} finding(s) while reading (said on stderr): what they name is not`,
      "exported as it is.",
    );
  }
  const body = stringify(exported.estate, { lineWidth: 0 });
  return `${header.map((line) => `# ${line}`.trimEnd()).join("\n")}\n${body}`;
}
