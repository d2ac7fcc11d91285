/**
 * A simulation control or starting state that could not exist in the cloud (an ENI in an unknown
 * group, a duplicate instance, a NIC in a VNet that does not exist, …): a mistake in the estate
 * or scenario, not a cloud failure.
 */
export class SimulationInputError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}
