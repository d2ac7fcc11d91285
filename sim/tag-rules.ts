/**
 * A cloud's rules for a workload's tags (AWS, Azure) or labels (GCP), as each simulator gives
 * them (`tagRules`, sim/clouds/<cloud>/tag-rules.ts) so that an estate, a scenario or an export is
 * refused for exactly what the simulated cloud would refuse, with the cloud's own explanation.
 * No registry here: the simulators' own export mappers use these rules.
 */

export interface TagRules {
  /** Why the cloud refuses this one tag (key and value), or undefined. */
  tagProblem(key: string, value: string): string | undefined;
  /** Why the cloud refuses this tag map as a whole (too many, repeated names), or undefined. */
  tagsProblem(tags: Readonly<Record<string, string>>): string | undefined;
}

export interface TagProblem {
  /** The tag at fault; absent when the map as a whole is (too many, repeated names). */
  readonly key?: string;
  readonly message: string;
}

/** Each refused tag; only when none is, the map as a whole's problem. */
export function tagProblems(rules: TagRules, tags: Readonly<Record<string, string>>): TagProblem[] {
  const perKey = Object.entries(tags).flatMap(([key, value]): TagProblem[] => {
    const message = rules.tagProblem(key, value);
    return message === undefined ? [] : [{ key, message }];
  });
  if (perKey.length > 0) return perKey;
  const whole = rules.tagsProblem(tags);
  return whole === undefined ? [] : [{ message: whole }];
}
