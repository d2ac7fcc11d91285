import { describe, expect, it } from "vitest";
import { CLOUDS } from "../../lib/inventory/model.js";
import { SIMULATORS } from "../../sim/clouds/registry.js";
import { EstateSchema } from "../../sim/estate-schema.js";

describe("the Estate schema, assembled from the simulators' registry", () => {
  it("has each cloud's native section from its simulator, in the order of CLOUDS, and no other", () => {
    const sections = EstateSchema.shape.native.unwrap().shape;
    expect(Object.keys(sections)).toEqual([...CLOUDS]);
    for (const cloud of CLOUDS) expect(sections[cloud].unwrap()).toBe(SIMULATORS[cloud].nativeSchema);
  });

  it("checks a network's region in the form of the one simulator that gives one (Azure's)", () => {
    const region = EstateSchema.shape.networks.element.shape.region.unwrap();
    expect(region).toBe(SIMULATORS.azure.networkRegionSchema);
  });
});
