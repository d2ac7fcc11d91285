/**
 * The simulators' registry: one CloudSimulator per cloud (sim/clouds/simulator.ts). A cloud of
 * CLOUDS without an entry fails to compile; a new cloud's simulator is its folder and one line here.
 */
import type { Cloud } from "../../lib/inventory/model.js";
import { awsSimulator } from "./aws/simulator.js";
import { azureSimulator } from "./azure/simulator.js";
import { gcpSimulator } from "./gcp/simulator.js";
import type { CloudSimulator, LocationSimulator } from "./simulator.js";

export const SIMULATORS = { aws: awsSimulator, azure: azureSimulator, gcp: gcpSimulator } as const satisfies {
  readonly [C in Cloud]: { readonly cloud: C };
};

export type Simulators = typeof SIMULATORS;
/** Each cloud's location simulator (SimulatedEc2, SimulatedArm, SimulatedCompute). */
export type SimulatorOf<C extends Cloud> = ReturnType<Simulators[C]["empty"]>;
export type ConnectionOf<C extends Cloud> = ReturnType<Simulators[C]["connection"]>;
export type NativeEventBodyOf<C extends Cloud> = ReturnType<Simulators[C]["eventsOf"]>[number];
export type StateDocumentOf<C extends Cloud> = ReturnType<Simulators[C]["stateOut"]>;

/** A simulator with its cloud's own types erased, for code that handles every cloud alike. */
export type AnySimulator = CloudSimulator<
  Cloud,
  LocationSimulator<unknown>,
  unknown,
  unknown,
  unknown,
  unknown,
  unknown,
  unknown,
  unknown
>;

/**
 * The cloud's simulator, for code that handles every cloud alike. Sound because the registry keys
 * each simulator by its own cloud: a workload, estate section or state of cloud C only ever meets
 * C's simulator.
 */
export function simulatorOf(cloud: Cloud): AnySimulator {
  return SIMULATORS[cloud] as unknown as AnySimulator;
}
export type QuotasOf<C extends Cloud> = NonNullable<Parameters<Simulators[C]["empty"]>[1]>;
