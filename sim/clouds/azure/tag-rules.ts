/** What ARM refuses of a VM's tags (sim/tag-rules.ts), for the estate, the scenario steps and the export. */
import type { TagRules } from "../../tag-rules.js";
import { refusalOf } from "../simulator.js";
import { checkTags } from "./names.js";

export const azureTagRules: TagRules = {
  tagProblem: (key, value) => refusalOf(() => checkTags({ [key]: value })),
  tagsProblem: (tags) => refusalOf(() => checkTags(tags)),
};
