/** What Compute refuses of an instance's labels (sim/tag-rules.ts), for the estate, the scenario steps and the export. */
import type { TagRules } from "../../tag-rules.js";
import { refusalOf } from "../simulator.js";
import { checkLabels } from "./names.js";

export const gcpTagRules: TagRules = {
  tagProblem: (key, value) =>
    refusalOf(() => checkLabels({ [key]: value })) === undefined
      ? undefined
      : `tag ${JSON.stringify(key)}: ${JSON.stringify(value)} cannot be a GCP label: keys are 1-63 lowercase letters, digits, _ and -, starting with a letter; values are 0-63 of the same`,
  tagsProblem: (tags) => refusalOf(() => checkLabels(tags)),
};
