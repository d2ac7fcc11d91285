import { awsSection } from "./aws.js";
import { azureSection } from "./azure.js";
import { compileSection } from "./compile.js";
import { compileDenySection } from "./compile-deny.js";
import { eventsSection } from "./events.js";
import { gcpSection } from "./gcp.js";
import { incrementalSection } from "./incremental.js";
import { incrementalDenySection } from "./incremental-deny.js";
import { incrementalEgressSection } from "./incremental-egress.js";
import type { AnySection } from "./section.js";
import { simulateSection } from "./simulate.js";
import { trafficSection } from "./traffic.js";

/** Every section, in the order they run and print. A new benchmark is a module plus a line here. */
export const SECTIONS: readonly AnySection[] = [
  compileSection,
  compileDenySection,
  incrementalSection,
  incrementalDenySection,
  incrementalEgressSection,
  awsSection,
  azureSection,
  gcpSection,
  simulateSection,
  trafficSection,
  eventsSection,
];

export function selectSections(only: readonly string[] | undefined): AnySection[] {
  if (only === undefined) return [...SECTIONS];
  const unknown = only.filter((name) => !SECTIONS.some((section) => section.name === name));
  if (unknown.length > 0) {
    throw new Error(
      `unknown section ${unknown.join(", ")}; sections: ${SECTIONS.map((section) => section.name).join(", ")}`,
    );
  }
  return SECTIONS.filter((section) => only.includes(section.name));
}
