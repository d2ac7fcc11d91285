/**
 * Each cloud's rules for a workload's tags (AWS, Azure) or labels (GCP), taken from the
 * simulators themselves (sim/clouds/<cloud>/simulator.ts) so that an estate or scenario is refused
 * for exactly what the simulated cloud would refuse, with the cloud's own explanation.
 */
import type { Cloud } from "../lib/inventory/model.js";
import { SIMULATORS } from "./clouds/registry.js";

export interface TagProblem {
  /** The tag at fault; absent when the map as a whole is (too many, repeated names). */
  readonly key?: string;
  readonly message: string;
}

export function tagProblems(cloud: Cloud, tags: Readonly<Record<string, string>>): TagProblem[] {
  const simulator = SIMULATORS[cloud];
  const perKey = Object.entries(tags).flatMap(([key, value]): TagProblem[] => {
    const message = simulator.tagProblem(key, value);
    return message === undefined ? [] : [{ key, message }];
  });
  if (perKey.length > 0) return perKey;
  const whole = simulator.tagsProblem(tags);
  return whole === undefined ? [] : [{ message: whole }];
}
