/**
 * Each cloud's rules for a workload's tags (AWS, Azure) or labels (GCP), taken from the
 * simulators themselves so that an estate or scenario is refused for exactly what the simulated
 * cloud would refuse, with the cloud's own explanation.
 */

import type { Cloud } from "../lib/inventory/model.js";
import { checkTags as checkAwsTags, TAGS_PER_RESOURCE } from "./clouds/aws/tags.js";
import { checkTags as checkAzureTags } from "./clouds/azure/names.js";
import { checkLabels } from "./clouds/gcp/names.js";

export interface TagProblem {
  /** The tag at fault; absent when the map as a whole is (too many, repeated names). */
  readonly key?: string;
  readonly message: string;
}

/** Every problem of a tag map in one cloud; empty when the cloud accepts it. */
export function tagProblems(cloud: Cloud, tags: Readonly<Record<string, string>>): TagProblem[] {
  const entries = Object.entries(tags);
  const perKey = entries.flatMap(([key, value]): TagProblem[] => {
    const problem = failureOf(() => checkOne(cloud, key, value));
    if (problem === undefined) return [];
    return [{ key, message: cloud === "gcp" ? gcpLabelMessage(key, value) : problem }];
  });
  if (perKey.length > 0) return perKey;
  const whole = failureOf(() => checkAll(cloud, tags));
  return whole === undefined ? [] : [{ message: whole }];
}

function checkOne(cloud: Cloud, key: string, value: string): void {
  if (cloud === "aws") checkAwsTags([{ Key: key, Value: value }]);
  else if (cloud === "azure") checkAzureTags({ [key]: value });
  else checkLabels({ [key]: value });
}

function checkAll(cloud: Cloud, tags: Readonly<Record<string, string>>): void {
  if (cloud === "aws") {
    if (Object.keys(tags).length > TAGS_PER_RESOURCE) {
      throw new Error(`an EC2 instance has at most ${TAGS_PER_RESOURCE} tags`);
    }
  } else if (cloud === "azure") checkAzureTags(tags);
  else checkLabels(tags);
}

function gcpLabelMessage(key: string, value: string): string {
  return `tag ${JSON.stringify(key)}: ${JSON.stringify(value)} cannot be a GCP label: keys are 1-63 lowercase letters, digits, _ and -, starting with a letter; values are 0-63 of the same`;
}

/** The cloud's own message (the simulators' errors carry it as their cause), or undefined when `run` passes. */
function failureOf(run: () => void): string | undefined {
  try {
    run();
    return undefined;
  } catch (error) {
    const cause = error instanceof Error ? error.cause : undefined;
    if (cause instanceof Error) return cause.message;
    return error instanceof Error ? error.message : String(error);
  }
}
