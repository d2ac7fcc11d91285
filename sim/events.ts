/**
 * The native events that a change to a workload makes its cloud emit, as NativeEvents: AWS
 * EventBridge events (launch and start: pending, running; stop: stopping, stopped; terminate:
 * shutting-down, terminated; a re-tag: Tag Change on Resource, while RunInstances with tags
 * sends none), Azure Event Grid deliveries (a VM write for a launch and for a re-tag, which is a
 * VM PUT; deallocate and start actions; a delete), GCP audit log pushes (first and last entry of
 * insert, setLabels, stop, start, delete), each written by its cloud's simulator
 * (sim/clouds/<cloud>/simulator.ts). Each event is one second after the one before.
 */
import type { Cloud } from "../lib/inventory/model.js";
import { type NativeEventBodyOf, simulatorOf } from "./clouds/registry.js";
import type { Change } from "./clouds/simulator.js";
import type { SimulatedClouds } from "./simulated-clouds.js";
import type { LiveWorkload } from "./workload-book.js";

export type { Change } from "./clouds/simulator.js";

export type NativeEvent = {
  readonly [C in Cloud]: { readonly cloud: C; readonly body: NativeEventBodyOf<C> };
}[Cloud];

/** The events of one change; `before` is the workload before a re-tag. */
export function eventsOf(
  clouds: SimulatedClouds,
  change: Change,
  workload: LiveWorkload,
  before?: LiveWorkload,
): NativeEvent[] {
  const cloud = workload.parts.cloud;
  const tick = () => {
    const now = clouds.clock.now();
    clouds.clock.advance(1000);
    return now;
  };
  const bodies = simulatorOf(cloud).eventsOf(change, workload, before, { ids: clouds.ids, tick });
  return bodies.map((body) => ({ cloud, body }) as NativeEvent);
}
