/** What EC2 refuses of an instance's tags (sim/tag-rules.ts), for the estate, the scenario steps and the export. */
import type { TagRules } from "../../tag-rules.js";
import { refusalOf } from "../simulator.js";
import { checkTags, TAGS_PER_RESOURCE } from "./tags.js";

export const awsTagRules: TagRules = {
  tagProblem: (key, value) => refusalOf(() => checkTags([{ Key: key, Value: value }])),
  tagsProblem: (tags) =>
    Object.keys(tags).length > TAGS_PER_RESOURCE
      ? `an EC2 instance has at most ${TAGS_PER_RESOURCE} tags`
      : undefined,
};
