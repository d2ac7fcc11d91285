/**
 * The State document (`simulate --state-out`, docs/formats.md, "State"): the simulated clouds'
 * objects in each cloud's native JSON shapes, each list flat across locations and sorted by id, so
 * that the file is the same on every run. Terminated instances are gone from the simulators,
 * stopped ones stay. Each cloud's part is its simulator's stateOut (sim/clouds/<cloud>/simulator.ts).
 */
import type { Cloud } from "../lib/inventory/model.js";
import type { StateDocumentOf } from "./clouds/registry.js";

export type SimulatedState = { readonly [C in Cloud]: StateDocumentOf<C> };
